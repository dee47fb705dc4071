/**
 * Every store call the cache makes goes through the guard: a timeout, the circuit breaker, and
 * for reads and writes fail-open (a failure is logged and counted, and the call yields a
 * fallback). In-process stores skip timeouts and the breaker.
 *
 * @internal
 */
import { Effect } from "effect"

import type * as CircuitBreaker from "../CircuitBreaker.js"
import * as Store from "../Store.js"
import type { Counters } from "./stats.js"

/** @internal */
export interface StoreGuard {
  readonly breaker: CircuitBreaker.CircuitBreaker
  /** The call with its timeout (no breaker), for the relay of deferred invalidations. */
  readonly timed: <A>(
    operation: string,
    effect: Effect.Effect<A, Store.StoreError>
  ) => Effect.Effect<A, Store.StoreFailure>
  /** The call with its timeout, behind the breaker; failures are counted and logged. */
  readonly protect: <A>(
    operation: string,
    effect: Effect.Effect<A, Store.StoreError>
  ) => Effect.Effect<A, Store.StoreFailure>
  /** A call that never fails the caller: on failure it yields the fallback. */
  readonly failOpen: <A>(operation: string, effect: Effect.Effect<A, Store.StoreError>, fallback: A) => Effect.Effect<A>
}

/** @internal */
export const make = (options: {
  readonly store: Store.Service
  readonly timeoutMillis: number
  readonly breaker: CircuitBreaker.CircuitBreaker
  readonly counters: Counters
  /** Told of each failure as it is counted. */
  readonly onFailure?: ((error: Store.StoreError | Store.StoreTimeout) => void) | undefined
}): StoreGuard => {
  const { breaker, counters, onFailure, store, timeoutMillis } = options

  const recordFailure = (error: Store.StoreFailure) =>
    Effect.suspend(() => {
      counters.storeErrors++
      if (onFailure !== undefined && error._tag !== "BreakerOpen") onFailure(error)
      if (breaker.recordFailure()) {
        return Effect.logWarning(
          `cachet: store ${store.name} failed ${breaker.consecutiveFailures()} times in a row; skipping it for ` +
            `${breaker.cooldownMillis} ms`
        ).pipe(Effect.annotateLogs("error", error.message))
      }
      return Effect.logWarning(`cachet: ${error.message}; continuing without the store`)
    })

  const timed = <A>(
    operation: string,
    effect: Effect.Effect<A, Store.StoreError>
  ): Effect.Effect<A, Store.StoreFailure> =>
    store.local ? effect : Effect.timeoutFail(effect, {
      duration: timeoutMillis,
      onTimeout: () => new Store.StoreTimeout({ operation, timeoutMillis })
    })

  const onSuccess = Effect.sync(() => breaker.recordSuccess())

  const protect = <A>(
    operation: string,
    effect: Effect.Effect<A, Store.StoreError>
  ): Effect.Effect<A, Store.StoreFailure> =>
    store.local
      ? effect
      : Effect.suspend(() => {
        if (breaker.isOpen()) {
          counters.storeSkips++
          return Effect.fail(new Store.BreakerOpen({ operation }))
        }
        return timed(operation, effect).pipe(Effect.tapBoth({ onSuccess: () => onSuccess, onFailure: recordFailure }))
      })

  const failOpen = <A>(operation: string, effect: Effect.Effect<A, Store.StoreError>, fallback: A): Effect.Effect<A> =>
    store.local
      ? Effect.catchAll(effect, (error) => Effect.as(recordFailure(error), fallback))
      : Effect.orElseSucceed(protect(operation, effect), () => fallback)

  return { breaker, timed, protect, failOpen }
}
