/**
 * Small helpers of the executor for settling promises from resolvers and Effects.
 * @internal
 */
import { Cause } from "effect"

/**
 * Runs `f` once the resolvers called synchronously now have all been called (a microtask: no
 * turn of the event loop, which a loaded server makes long). graphql-js calls every sibling
 * field of a selection, and every item of a list, before any microtask runs. @internal
 */
export const later: (f: () => void) => void = (f) => {
  queueMicrotask(f)
}

/** Settles a promise with what `f` returns or throws. @internal */
export const settleWith = (
  f: () => unknown,
  resolve: (value: unknown) => void,
  reject: (error: unknown) => void
): void => {
  try {
    resolve(f())
  } catch (error) {
    reject(error)
  }
}

/** Whether a value is a thenable. @internal */
export const isPromiseLike = (value: unknown): value is PromiseLike<unknown> =>
  typeof value === "object" && value !== null && typeof (value as { then?: unknown }).then === "function"

/** A failed Effect resolver as the error graphql-js reports. @internal */
export const toError = (cause: Cause.Cause<unknown>): unknown => {
  const squashed = Cause.squash(cause)
  return squashed instanceof Error
    ? squashed
    : new Error(typeof squashed === "string" ? squashed : JSON.stringify(squashed))
}
