/**
 * Watchers: a root field read kept current. Each watcher is indexed by the dependency keys its
 * last read reached; a write re-reads only the watchers of what it changed, and a watcher
 * emits only when its result differs.
 * @internal
 */
import type { Schema } from "effect"
import { Clock, Duration, Effect, Queue, Stream } from "effect"

import type * as EG from "../EntityGraph.js"
import * as keys from "./keys.js"
import type { AnySchema, Operations } from "./operations.js"
import { toResult } from "./operations.js"
import type { ObjectPlan } from "./plan.js"
import { isLinkPlan } from "./plan.js"
import { release, retain, touch } from "./retention.js"
import type { State } from "./state.js"
import type { Write } from "./store.js"
import { depKey, NONE, valueEqual } from "./store.js"

/** One watched root field: its plan, its last result, and the dependency keys it is indexed by. @internal */
export interface Watcher {
  readonly plan: ObjectPlan
  readonly field: string
  readonly fieldKey: string
  readonly partial: boolean
  deps: Set<string>
  result: EG.ReadResult<unknown>
  staleAt: number
  readonly offer: (result: EG.ReadResult<unknown>) => void
}

const sameResult = (a: EG.ReadResult<unknown>, b: EG.ReadResult<unknown>): boolean =>
  a.complete === b.complete && a.stale === b.stale && (a.data === b.data || valueEqual(a.data, b.data))

/** The watcher operations of one graph state. @internal */
export const makeWatchers = (state: State, ops: Operations) => {
  const { store } = state
  const index = state.watchers

  const setDeps = (watcher: Watcher, deps: Set<string>): void => {
    for (const dep of watcher.deps) {
      if (deps.has(dep)) continue
      const set = index.get(dep)
      if (set !== undefined) {
        set.delete(watcher)
        if (set.size === 0) index.delete(dep)
      }
    }
    for (const dep of deps) {
      if (watcher.deps.has(dep)) continue
      let set = index.get(dep)
      if (set === undefined) {
        set = new Set()
        index.set(dep, set)
      }
      set.add(watcher)
    }
    watcher.deps = deps
  }

  const depsOf = (watcher: Watcher): Set<string> => {
    const deps = new Set<string>([depKey(keys.ROOT, watcher.fieldKey)])
    const fp = watcher.plan.fields[0]!
    if (isLinkPlan(fp.plan)) {
      const linked = store.getLink(store.root, watcher.fieldKey)
      if (linked !== NONE) store.collect(fp.plan, linked, deps, new Set())
    }
    return deps
  }

  /** Re-reads a watcher; offers its result when it changed. */
  const refresh = (watcher: Watcher, now: number): void => {
    const out = store.readRoot(watcher.plan, now)
    watcher.staleAt = out.staleAt
    const result = toResult<unknown>(out, watcher.field, watcher.partial)
    if (sameResult(result, watcher.result)) return
    watcher.result = result
    setDeps(watcher, depsOf(watcher))
    watcher.offer(result)
  }

  /** Re-reads the watchers that depend on what a write changed. */
  const notify = (w: Write): void => {
    if (w.changed.size > 0) { for (const listener of state.listeners) listener(w) }
    if (index.size === 0 || w.changed.size === 0) return
    const affected = new Set<Watcher>()
    for (const dep of w.changed) {
      const set = index.get(dep)
      if (set !== undefined) { for (const watcher of set) affected.add(watcher) }
    }
    for (const watcher of affected) refresh(watcher, w.now)
  }

  /** Starts watching a root field (retained while watched). */
  const addWatcher = (
    field: string,
    args: EG.Args,
    schema: AnySchema,
    partial: boolean,
    now: number,
    offer: (result: EG.ReadResult<unknown>) => void
  ): Watcher => {
    const plan = ops.rootPlan(field, args, schema)
    const fieldKey = plan.fields[0]!.fieldKey
    touch(state, fieldKey)
    const out = store.readRoot(plan, now)
    const watcher: Watcher = {
      plan,
      field,
      fieldKey,
      partial,
      deps: new Set(),
      result: toResult(out, field, partial),
      staleAt: out.staleAt,
      offer
    }
    retain(state, fieldKey)
    setDeps(watcher, depsOf(watcher))
    return watcher
  }

  /** Stops a watcher. */
  const removeWatcher = (watcher: Watcher): void => {
    setDeps(watcher, new Set())
    release(state, watcher.fieldKey)
  }

  return { refresh, notify, addWatcher, removeWatcher }
}

/** The watcher operations of a graph. @internal */
export type Watchers = ReturnType<typeof makeWatchers>

/** The read results of a root field as a stream: the current one, then each change (and each expiry). @internal */
export const watch = <A, I>(
  watchers: Watchers,
  field: string,
  args: EG.Args,
  schema: Schema.Schema<A, I>,
  readOptions?: EG.ReadOptions
): Stream.Stream<EG.ReadResult<A>> =>
  Stream.unwrapScoped(
    Effect.gen(function*() {
      const queue = yield* Effect.acquireRelease(Queue.unbounded<EG.ReadResult<A>>(), Queue.shutdown)
      const now = yield* Clock.currentTimeMillis
      const watcher = yield* Effect.acquireRelease(
        Effect.sync(() =>
          watchers.addWatcher(field, args, schema as AnySchema, readOptions?.partial === true, now, (result) => {
            queue.unsafeOffer(result as EG.ReadResult<A>)
          })
        ),
        (watcher) => Effect.sync(() => watchers.removeWatcher(watcher))
      )
      const next: Effect.Effect<EG.ReadResult<A>> = Effect.suspend(() => {
        if (watcher.staleAt === Infinity) return Queue.take(queue)
        return Effect.flatMap(Clock.currentTimeMillis, (current) =>
          Effect.raceFirst(
            Queue.take(queue),
            Effect.sleep(Duration.millis(Math.max(0, watcher.staleAt - current))).pipe(
              Effect.zipRight(Clock.currentTimeMillis),
              Effect.flatMap((at) => Effect.sync(() => watchers.refresh(watcher, at))),
              Effect.zipRight(Effect.never)
            )
          ))
      })
      return Stream.concat(
        Stream.succeed(watcher.result as EG.ReadResult<A>),
        Stream.repeatEffect(next)
      )
    })
  )
