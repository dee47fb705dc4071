/**
 * The store failures of one command. The cache fails open (a store error becomes a miss or a
 * skipped write, logged), which is right for an application but would let a command print
 * "stored" or "not found" when the store never answered: the command line watches the store
 * under its cache and reports the first failure as the command's own, in one line.
 *
 * @since 0.1.0
 */
import { Store, TagVersions } from "@cachet/core"
import { Context, Effect, Option, Ref } from "effect"

/**
 * A recorder of store failures and the store services that report to it.
 *
 * @since 0.1.0
 * @category models
 */
export interface StoreFailures {
  /** The store and tag versions to hand to the cache, reporting their failures here. */
  readonly context: Context.Context<Store.Store | TagVersions.TagVersions>
  /** Runs an effect; fails with the first store failure it caused, if any. */
  readonly checked: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E | Store.StoreError, R>
}

type Method = (...args: ReadonlyArray<unknown>) => Effect.Effect<unknown, Store.StoreError>

/**
 * Watches the store and tag versions of a context (any other service in it passes through).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  context: Context.Context<Store.Store | TagVersions.TagVersions>
): Effect.Effect<StoreFailures> =>
  Effect.map(Ref.make(Option.none<Store.StoreError>()), (first) => {
    const record = (error: Store.StoreError) => Ref.update(first, Option.orElse(() => Option.some(error)))
    // The cache interrupts a store call that passes its timeout: that is a failure too.
    const watch = (operation: string, method: Method): Method => (...args) =>
      method(...args).pipe(
        Effect.tapError(record),
        Effect.onInterrupt(() =>
          record(new Store.StoreError({ operation, reason: "no answer within the store timeout" }))
        )
      )
    const watchAll = <S extends object>(service: S): S => {
      const out: Record<string, unknown> = { ...(service as Record<string, unknown>) }
      for (const [name, value] of Object.entries(service)) {
        if (typeof value === "function") out[name] = watch(name, value as Method)
        else if (Effect.isEffect(value)) {
          out[name] = watch(name, () => value as Effect.Effect<unknown, Store.StoreError>)()
        }
      }
      return out as S
    }
    // Plain fields (the name, synchronous access to an in-process store) are kept as they are.
    const store = watchAll(Context.get(context, Store.Store))
    const versions = watchAll(Context.get(context, TagVersions.TagVersions))
    return {
      context: context.pipe(Context.add(Store.Store, store), Context.add(TagVersions.TagVersions, versions)),
      checked: (effect) =>
        Effect.gen(function*() {
          yield* Ref.set(first, Option.none())
          const result = yield* effect
          const failure = yield* Ref.get(first)
          return Option.isSome(failure) ? yield* failure.value : result
        })
    }
  })
