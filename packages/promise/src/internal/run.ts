/**
 * Running the cache's effects as Promises: a factory as an effect, the synchronous answer of a
 * hit, and failures turned into what a Promise user expects (the factory's own error, or an
 * `Error`).
 *
 * @internal
 */
import type { Cache, Key } from "@cachet/core"
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

type Emit = (event: "error", payload: { key: string; tags: ReadonlyArray<string>; error: unknown }) => void

const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  typeof value === "object" && value !== null && typeof (value as { then?: unknown }).then === "function"

/**
 * A factory as an effect, built only when the cache runs it (a hit allocates this object and
 * nothing of the factory's). Its failure is the thrown value itself, and is told to `error`
 * listeners.
 *
 * @internal
 */
export class FactoryEffect extends Effectable.Class<unknown, unknown> {
  constructor(
    readonly factory: (signal: AbortSignal) => unknown,
    readonly key: Key.Input,
    readonly tags: ReadonlyArray<string>,
    readonly emit: Emit
  ) {
    super()
  }
  commit(): Effect.Effect<unknown, unknown> {
    const factory = this.factory
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
            key: typeof this.key === "string" ? this.key : JSON.stringify(this.key),
            tags: this.tags,
            error
          })
        )
    )
  }
}

const isCommit = (effect: Effect.Effect<unknown, unknown>): effect is Effect.Effect<unknown, unknown> & {
  readonly commit: () => Effect.Effect<unknown, unknown>
} =>
  (effect as { readonly _op?: unknown })._op === "Commit" &&
  typeof (effect as { commit?: unknown }).commit === "function"

/**
 * Runs a read: a read that is lazy (`getOrFetch`'s) is read now, and when it answers at once (a
 * hit of an in-process store) the Promise resolves without entering the runtime; otherwise
 * the rest runs in the runtime. The runtime would read it the same way, in its fiber.
 *
 * @internal
 */
export const runFast = (
  effect: Effect.Effect<unknown, unknown>,
  run: (effect: Effect.Effect<unknown, unknown>) => Promise<unknown>
): Promise<unknown> => {
  const now = isCommit(effect) ? effect.commit() : effect
  if (Exit.isExit(now)) return Exit.isSuccess(now) ? Promise.resolve(now.value) : Promise.reject(errorOf(now.cause))
  return run(now)
}

/** What a served read tells listeners (its call's tags added by the caller). @internal */
export const servedEvent = (served: Cache.Served) => ({
  key: served.key,
  createdAt: served.createdAt,
  ageMillis: served.ageMillis
})
