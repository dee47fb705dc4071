/**
 * The EntityGraph service, wired from its parts: the state (`state.ts`), the operations
 * (`operations.ts`), watchers, retention and GC, the operation table that gives both the
 * service and transactions (`surface.ts`), mutations, cache policies and snapshots.
 * @internal
 */
import type { Scope } from "effect"
import { Clock, Context, Effect } from "effect"

import type * as EG from "../EntityGraph.js"
import * as keys from "./keys.js"
import { makeMutate } from "./mutations.js"
import { makeOperations } from "./operations.js"
import { restore, snapshot } from "./persistence.js"
import { makeQuery } from "./policies.js"
import { gc, release, retain, touch } from "./retention.js"
import type { State } from "./state.js"
import { makeState, newWrite } from "./state.js"
import type { Write } from "./store.js"
import { makeServiceOperations, serviceOperations } from "./surface.js"
import { makeWatchers, watch } from "./watchers.js"

export type { State } from "./state.js"
export { makeState, newWrite } from "./state.js"

/**
 * The synchronous operations of a graph (with its watchers and retention), shared by the service and the document front
 * end. @internal
 */
export const makeOps = (state: State) => {
  const operations = makeOperations(state)
  return {
    ...operations,
    ...makeWatchers(state, operations),
    touch: (fieldKey: string) => touch(state, fieldKey),
    retain: (fieldKey: string) => retain(state, fieldKey),
    release: (fieldKey: string) => release(state, fieldKey),
    gc: (w: Write) => gc(state, w)
  }
}

/** @internal */
export type Ops = ReturnType<typeof makeOps>

/** What the document front end needs of a graph: the service, its state, its operations and its commit. @internal */
export interface Internals {
  readonly graph: EG.Service
  readonly state: State
  readonly ops: Ops
  readonly commit: (w: Write) => Effect.Effect<void>
}

/**
 * The internals of the graph in context, provided beside `EntityGraph` by every layer of it
 * (`EntityGraph.layer`, `NormalizedQuery.layer`). Its identifier is `EntityGraph`: what
 * needs it requires "an EntityGraph layer". @internal
 */
export const GraphInternals = Context.GenericTag<EG.EntityGraph, Internals>("@cachet/normalize/EntityGraph/Internals")

/** @internal */
export const make = (options: EG.Options): Effect.Effect<Internals, never, Scope.Scope> =>
  Effect.gen(function*() {
    const state = makeState(options)
    const ops = makeOps(state)
    const scope = yield* Effect.scope

    const onChange = options.onChange
    const changedEntities = (w: Write): Array<string> => {
      const out: Array<string> = []
      for (const dep of w.changed) {
        if (dep.startsWith(`${keys.ROOT}\u0001`)) continue
        const node = state.store.nodes.get(dep)
        if (node !== undefined && node.typename !== undefined && node.typename !== keys.ROOT) out.push(dep)
      }
      return out
    }

    const commit = (w: Write): Effect.Effect<void> => {
      ops.notify(w)
      const hook = onChange === undefined || w.layer !== undefined ? undefined : changedEntities(w)
      const warn = w.warnings.length === 0
        ? Effect.void
        : Effect.forEach(w.warnings, (warning) => Effect.logWarning(warning), { discard: true })
      return hook === undefined || hook.length === 0 ? warn : Effect.zipRight(warn, onChange!(hook))
    }

    const writing = <A>(f: (w: Write) => A): Effect.Effect<A> =>
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        Effect.suspend(() => {
          const w = newWrite(undefined, now)
          const a = f(w)
          return Effect.as(commit(w), a)
        }))

    const reading = <A>(f: (now: number) => A): Effect.Effect<A> =>
      Effect.flatMap(Clock.currentTimeMillis, (now) => Effect.sync(() => f(now)))

    const table = serviceOperations(ops)
    const graph: EG.Service = {
      ...(makeServiceOperations(table, reading, writing) as unknown as Pick<EG.Service, keyof typeof table>),
      snapshot: (snapshotOptions) => snapshot(state, snapshotOptions),
      restore: (snapshotOptions) => restore(state, writing, snapshotOptions),
      mutate: makeMutate(state, table, commit),
      gc: () => writing((w) => ops.gc(w)),
      retain: (field, args) =>
        Effect.acquireRelease(
          Effect.sync(() => {
            const fieldKey = ops.fieldKeyOf(field, args)
            ops.retain(fieldKey)
            return fieldKey
          }),
          (fieldKey) => Effect.sync(() => ops.release(fieldKey))
        ).pipe(Effect.asVoid),
      watch: (field, args, schema, readOptions) => watch(ops, field, args, schema, readOptions),
      query: makeQuery(ops, reading, writing, scope)
    }
    return { graph, state, ops, commit } satisfies Internals
  })
