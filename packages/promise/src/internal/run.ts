/**
 * Running the cache's effects as Promises: a factory as an effect, the synchronous answer of a
 * hit, and failures turned into what a Promise user expects (the factory's own error, or an
 * `Error`).
 *
 * @internal
 */
import type { Cache, Key } from "@cachet/core"
import { Tag } from "@cachet/core"
import { Cause, Effect, Effectable, Exit, Option } from "effect"

/** Options of one core read, as the handle builds them. @internal */
export type FetchOptions = Cache.FetchOptions<
  unknown,
  unknown,
  unknown,
  unknown,
  "CacheOrNetwork",
  Cache.Timeout,
  never
>

/** Core's `getOrFetch`, without its typing of JSON-safe values (the handle types its values itself). @internal */
export type GetOrFetch = (
  key: Key.Input,
  fetch: Effect.Effect<unknown, unknown>,
  options?: FetchOptions
) => Effect.Effect<unknown, unknown>

/** The error of a call that ran when the cache closed, or after. @internal */
export class CacheClosedError extends Error {
  constructor() {
    super("cachet: the cache is closed")
    this.name = "CacheClosedError"
  }
}

/** A thrown value as an `Error` (errors as they are). @internal */
export const toError = (thrown: unknown): Error => thrown instanceof Error ? thrown : new Error(String(thrown))

/** The rejection of a failed call: a typed failure as it is (the factory's own error), else an `Error`. @internal */
export const errorOf = (cause: Cause.Cause<unknown>): unknown => {
  const failure = Cause.failureOption(cause)
  if (Option.isSome(failure)) return failure.value
  const defect = Cause.dieOption(cause)
  if (Option.isSome(defect)) return toError(defect.value)
  if (Cause.isInterruptedOnly(cause)) return new CacheClosedError()
  return new Error(Cause.pretty(cause))
}

/** The value of a successful exit; throws the rejection of a failed one. @internal */
export const settle = <A>(exit: Exit.Exit<A, unknown>): A => {
  if (Exit.isSuccess(exit)) return exit.value
  throw errorOf(exit.cause)
}

type Emit = (
  event: "error",
  payload: { source: "factory"; key: string; tags: ReadonlyArray<string>; error: unknown }
) => void

const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  typeof value === "object" && value !== null && typeof (value as { then?: unknown }).then === "function"

/**
 * A factory as an effect, built only when the cache runs it. Its failure is the thrown value
 * itself, and is told to `error` listeners. Its fields are set per call: a handle keeps one
 * spare and reuses it for the next call whenever a read answered at once without keeping it
 * (a hit), so a hit allocates nothing of the factory's.
 *
 * @internal
 */
export class FactoryEffect extends Effectable.Class<unknown, unknown> {
  factory: (signal: AbortSignal) => unknown = noFactory
  key: Key.Input = ""
  tags: Tag.Input | undefined = undefined
  constructor(readonly emit: Emit) {
    super()
  }
  /** Sets the call this effect stands for. */
  use(factory: (signal: AbortSignal) => unknown, key: Key.Input, tags: Tag.Input | undefined): this {
    this.factory = factory
    this.key = key
    this.tags = tags
    return this
  }
  /** Forgets the call (so a spare holds on to nothing of the user's). */
  release(): void {
    this.factory = noFactory
    this.key = ""
    this.tags = undefined
  }
  commit(): Effect.Effect<unknown, unknown> {
    const { factory, key, tags } = this
    return Effect.tapError(
      Effect.tryPromise({
        try: (signal) => {
          const result = factory(signal)
          return isThenable(result) ? result : Promise.resolve(result)
        },
        catch: (error) => error
      }),
      (error) =>
        Effect.sync(() =>
          this.emit("error", {
            source: "factory",
            key: typeof key === "string" ? key : JSON.stringify(key),
            tags: Tag.normalize(tags),
            error
          })
        )
    )
  }
}

const noFactory = (): unknown => undefined

const isCommit = (effect: Effect.Effect<unknown, unknown>): effect is Effect.Effect<unknown, unknown> & {
  readonly commit: () => Effect.Effect<unknown, unknown>
} =>
  (effect as { readonly _op?: unknown })._op === "Commit" &&
  typeof (effect as { commit?: unknown }).commit === "function"

/**
 * Reads a read now: a lazy read (`getOrFetch`'s) is committed in the caller's stack — the
 * runtime would do the same in its fiber — and a hit of an in-process store answers at once
 * with an `Exit`; anything else is an effect still to run in the runtime.
 *
 * @internal
 */
export const readNow = (effect: Effect.Effect<unknown, unknown>): Effect.Effect<unknown, unknown> =>
  isCommit(effect) ? effect.commit() : effect

/** The Promise of an exit that is already there. @internal */
export const promiseOf = (exit: Exit.Exit<unknown, unknown>): Promise<unknown> =>
  Exit.isSuccess(exit) ? Promise.resolve(exit.value) : Promise.reject(errorOf(exit.cause))

/** What a served read tells listeners (its call's tags added by the caller). @internal */
export const servedEvent = (served: Cache.Served) => ({
  key: served.key,
  createdAt: served.createdAt,
  ageMillis: served.ageMillis
})
