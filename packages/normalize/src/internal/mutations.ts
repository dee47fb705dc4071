/**
 * Mutations: an optional optimistic result written in a layer of its own (with its updaters),
 * the mutation run, then the layer dropped and the real result written with the updaters.
 * @internal
 */
import { Clock, Effect, Exit } from "effect"

import type * as EG from "../EntityGraph.js"
import { writeByTypename } from "./byTypename.js"
import type { InvalidCacheCall } from "./errors.js"
import { isLinkPlan } from "./plan.js"
import type { State } from "./state.js"
import { newWrite } from "./state.js"
import type { Layer, Write } from "./store.js"
import type { Operation } from "./surface.js"
import { makeTx } from "./surface.js"

type AnyMutateOptions<A, Args> = EG.MutateOptions<A, Args, unknown, unknown, unknown>

/** The mutation runner of one graph. @internal */
export const makeMutate = (
  state: State,
  table: Record<keyof EG.Tx, Operation>,
  commit: (w: Write) => Effect.Effect<void>
) => {
  const runUpdaters = <A, Args>(
    w: Write,
    options: AnyMutateOptions<A, Args>,
    result: A
  ): Effect.Effect<void, InvalidCacheCall> => {
    const { close, tx } = makeTx(table, w, options.name)
    const updates = options.updates === undefined
      ? []
      : typeof options.updates === "function"
      ? [options.updates]
      : options.updates
    return Effect.suspend(() => {
      if (options.schema !== undefined) {
        const plan = state.compiler.compile(options.schema.ast)
        if (isLinkPlan(plan)) state.store.writeLink(w, plan, result, `Mutation.${options.name}`)
      } else if (writeByTypename(state.store, state.compiler, w, result) === 0 && updates.length === 0) {
        w.warnings.push(
          `mutate ${options.name}: without a schema, the result's entities are found by a __typename of a known ` +
            `entity Schema; none was found and no updater ran, so nothing was written`
        )
      }
      return Effect.forEach(updates, (update) => update(result, options.args, tx), { discard: true })
    }).pipe(Effect.ensuring(Effect.sync(close)))
  }

  /** Writes the optimistic result in a new layer; the layer is dropped again if that fails. */
  const applyOptimistic = <A, Args, E, R, AI>(options: EG.MutateOptions<A, Args, E, R, AI>) =>
    Effect.gen(function*() {
      const created: Layer = { id: ++state.layerIds, name: options.name, entries: new Map() }
      state.store.layers.push(created)
      const w = newWrite(created, yield* Clock.currentTimeMillis)
      const applied = yield* Effect.exit(
        Effect.suspend(() => {
          const { close, tx } = makeTx(table, w, options.name)
          const built = options.optimistic!(options.args, tx)
          return (Effect.isEffect(built) ? built : Effect.succeed(built)).pipe(Effect.ensuring(Effect.sync(close)))
        }).pipe(Effect.flatMap((result) => runUpdaters(w, options as AnyMutateOptions<A, Args>, result)))
      )
      if (Exit.isFailure(applied)) state.store.dropLayer(w, created)
      yield* commit(w)
      if (Exit.isFailure(applied)) return yield* Effect.failCause(applied.cause)
      return created
    })

  return <A, Args, E, R, AI>(
    options: EG.MutateOptions<A, Args, E, R, AI>
  ): Effect.Effect<A, E | InvalidCacheCall, R> =>
    Effect.uninterruptibleMask((restore) =>
      Effect.gen(function*() {
        const layer = options.optimistic === undefined ? undefined : yield* applyOptimistic(options)
        const exit = yield* Effect.exit(restore(options.run))
        const w = newWrite(undefined, yield* Clock.currentTimeMillis)
        if (layer !== undefined) state.store.dropLayer(w, layer)
        if (Exit.isFailure(exit)) {
          yield* commit(w)
          return yield* exit
        }
        const applied = yield* Effect.exit(runUpdaters(w, options as AnyMutateOptions<A, Args>, exit.value))
        yield* commit(w)
        if (Exit.isFailure(applied)) return yield* Effect.failCause(applied.cause)
        return exit.value
      })
    ).pipe(Effect.withSpan("EntityGraph.mutate", { attributes: { name: options.name } }))
}
