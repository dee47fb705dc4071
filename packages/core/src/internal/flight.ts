/**
 * Single-flight: concurrent misses of one key run one fetch, in a fiber the cache's scope interrupts when it closes,
 * whose result every waiter shares; when every waiter is interrupted the fetch is too (unless it
 * is a background refresh). Across processes an optional `Lock` elects one fetcher while the
 * others poll the store for its result. Soft timeouts and stale-if-error live here too, and the
 * grace backoff: after a background refresh fails, the key's stale value is served without
 * fetching again until its backoff ends.
 *
 * @internal
 */
import { Cause, Duration, Effect, Exit, Fiber, Option, Schedule, Scope } from "effect"

import type * as Lock from "../Lock.js"
import type { Resolved } from "./options.js"
import type { Reads } from "./reads.js"
import type { Counters } from "./stats.js"
import type { StoreGuard } from "./storeGuard.js"
import type { Writes } from "./writes.js"

interface Flight {
  /** How the fetch ended, once it has (the outcome every waiter gets). */
  outcome: Exit.Exit<unknown, unknown> | undefined
  /** The waiters to resume when it ends. */
  readonly resumers: Set<(outcome: Exit.Exit<unknown, unknown>) => void>
  fiber: Fiber.RuntimeFiber<unknown> | undefined
  waiters: number
  background: boolean
  /** The cache's invalidation generation when the fetch started. */
  readonly generation: number
}

/** @internal */
export interface Flights {
  /** Fetches in flight. */
  readonly size: () => number
  /** Joins (or starts) the key's fetch; with a stale value, serves it on a soft timeout or a failure. */
  readonly fetchThrough: <R>(
    storeKey: string,
    fetch: Effect.Effect<unknown, unknown, R>,
    resolved: Resolved,
    stale: Option.Option<unknown>
  ) => Effect.Effect<unknown, unknown, R>
  /**
   * Starts a refresh of the key in the background, unless one is in flight or the key is backing
   * off after a failed refresh (then the stale value served counts as stale-if-error).
   */
  readonly refreshInBackground: <R>(
    storeKey: string,
    fetch: Effect.Effect<unknown, unknown, R>,
    resolved: Resolved
  ) => Effect.Effect<void, never, R>
}

/** @internal */
export const make = (options: {
  readonly scope: Scope.Scope
  readonly counters: Counters
  readonly reads: Reads
  readonly writes: Writes
  readonly guard: StoreGuard
  readonly lock: Option.Option<Lock.Service>
  readonly lockMillis: { readonly ttlMillis: number; readonly waitMillis: number }
  readonly storeLocal: boolean
  readonly now: () => number
  /**
   * Counts the cache's invalidations, expiries and deletes: a read never joins a flight that
   * started before one of them (its fetch may have read what was invalidated), it starts its own.
   */
  readonly generation: () => number
}): Effect.Effect<Flights> => {
  const { counters, generation, guard, lockMillis, now, reads, scope, writes } = options
  /** The flight a read of a key joins. */
  const inflight = new Map<string, Flight>()
  // Keys whose last background refresh failed, and until when their stale value is served
  // without fetching (the clock's milliseconds).
  const backoff = new Map<string, number>()
  /** Forgets backoffs that have ended, so keys never read again do not pile up. */
  const pruneBackoff = (time: number) => {
    for (const [key, until] of backoff) if (until <= time) backoff.delete(key)
  }
  const backingOff = (storeKey: string): boolean => {
    const until = backoff.get(storeKey)
    if (until === undefined) return false
    if (until > now()) return true
    backoff.delete(storeKey)
    return false
  }
  /** Every flight not landed yet, including those a newer generation replaced in `inflight`. */
  const live = new Set<Flight>()
  // Flight fibers are daemons this module keeps track of (cheaper than registering each one with
  // the scope): closing the scope interrupts those in flight, and any started afterwards.
  let closed = false
  const interruptAll = Effect.suspend(() => {
    closed = true
    const fibers: Array<Fiber.RuntimeFiber<unknown>> = []
    for (const flight of live) if (flight.fiber !== undefined) fibers.push(flight.fiber)
    return Fiber.interruptAll(fibers)
  })

  /** Waits for the holder of the cross-process lock to write the value, polling with backoff. */
  const awaitLockHolder = (storeKey: string, resolved: Resolved): Effect.Effect<Option.Option<unknown>> => {
    const deadline = now() + lockMillis.waitMillis
    const poll: Effect.Effect<Option.Option<unknown>, undefined> = Effect.flatMap(
      reads.lookup(storeKey, resolved.schema, resolved.failureSchema),
      (found) => {
        if (found._tag === "Fresh" && !found.decoded.failed) return Effect.succeed(Option.some(found.decoded.value))
        return now() >= deadline ? Effect.succeed(Option.none()) : Effect.fail(undefined)
      }
    )
    return poll.pipe(
      Effect.retry(
        Schedule.exponential(Duration.millis(10), 1.5).pipe(
          Schedule.union(Schedule.spaced(Duration.millis(200))),
          Schedule.upTo(Duration.millis(lockMillis.waitMillis + 200))
        )
      ),
      Effect.orElseSucceed(() => Option.none())
    )
  }

  const runFetch = <R>(storeKey: string, fetch: Effect.Effect<unknown, unknown, R>, resolved: Resolved) => {
    if (Option.isNone(options.lock) || options.storeLocal || !resolved.writes) {
      return writes.fetchAndWrite(storeKey, fetch, resolved)
    }
    const locks = options.lock.value
    const lockKey = `${storeKey}:lock`
    return Effect.flatMap(
      guard.failOpen("lock", locks.acquire(lockKey, lockMillis.ttlMillis), Option.none<string>()),
      (token) => {
        if (Option.isSome(token)) {
          return Effect.ensuring(
            writes.fetchAndWrite(storeKey, fetch, resolved),
            guard.failOpen("unlock", locks.release(lockKey, token.value), undefined)
          )
        }
        return Effect.flatMap(awaitLockHolder(storeKey, resolved), (written) =>
          Option.isSome(written)
            ? Effect.succeed(Exit.succeed(written.value) as Exit.Exit<unknown, unknown>)
            : writes.fetchAndWrite(storeKey, fetch, resolved))
      }
    )
  }

  /** The flight's outcome, once it ends; `onInterrupt` runs if the waiter is interrupted first. */
  const outcomeOf = (flight: Flight, onInterrupt: () => Effect.Effect<void>): Effect.Effect<unknown, unknown> =>
    Effect.suspend(() =>
      flight.outcome !== undefined ? flight.outcome : Effect.async<unknown, unknown>((resume) => {
        flight.resumers.add(resume)
        return Effect.suspend(() => {
          flight.resumers.delete(resume)
          return onInterrupt()
        })
      })
    )

  const awaitFlight = (flight: Flight): Effect.Effect<unknown, unknown> =>
    Effect.suspend(() => {
      flight.waiters++
      return outcomeOf(flight, () => {
        flight.waiters--
        return flight.waiters === 0 && !flight.background && flight.fiber !== undefined
          ? Fiber.interruptFork(flight.fiber)
          : Effect.void
      })
    })

  /** Ends a flight: forgets it, and resumes its waiters with the outcome. */
  const land = (storeKey: string, flight: Flight, outcome: Exit.Exit<unknown, unknown>): void => {
    if (inflight.get(storeKey) === flight) inflight.delete(storeKey)
    live.delete(flight)
    flight.outcome = outcome
    for (const resume of flight.resumers) resume(outcome)
    flight.resumers.clear()
  }

  /** Joins the flight of a key, or starts one whose fiber lives in the cache's scope. */
  const flightFor = <R>(
    storeKey: string,
    fetch: Effect.Effect<unknown, unknown, R>,
    resolved: Resolved,
    background: boolean
  ): Effect.Effect<Flight, never, R> =>
    Effect.uninterruptible(Effect.suspend(() => {
      const existing = inflight.get(storeKey)
      if (existing !== undefined && existing.generation === generation()) return Effect.succeed(existing)
      const flight: Flight = {
        outcome: undefined,
        resumers: new Set(),
        fiber: undefined,
        waiters: 0,
        background,
        generation: generation()
      }
      inflight.set(storeKey, flight)
      live.add(flight)
      if (background) counters.backgroundRefreshes++
      // Whatever ends the flight (the fetch's outcome, an interruption, even a defect in the
      // cache itself) reaches its waiters.
      const program = Effect.onExit(runFetch(storeKey, fetch, resolved), (exit) =>
        Effect.sync(() => {
          const outcome = Exit.isSuccess(exit) ? exit.value : exit
          // The fetch answered: whatever backoff the key was in is over. A refresh in the
          // background that failed starts one, before any other read can start another refresh.
          if (Exit.isSuccess(outcome)) backoff.delete(storeKey)
          else if (flight.background && !Cause.isInterruptedOnly(outcome.cause)) startBackoff(storeKey, resolved)
          land(storeKey, flight, outcome)
        }))
      return Effect.flatMap(Effect.forkDaemon(Effect.interruptible(program)), (fiber) => {
        flight.fiber = fiber
        return closed ? Effect.as(Fiber.interruptFork(fiber), flight) : Effect.succeed(flight)
      })
    }))

  const fetchThrough: Flights["fetchThrough"] = (storeKey, fetch, resolved, stale) =>
    Effect.flatMap(flightFor(storeKey, fetch, resolved, false), (flight) => {
      const awaited = Option.isSome(stale) && resolved.soft !== undefined
        ? Effect.race(
          awaitFlight(flight),
          Effect.sleep(Duration.millis(resolved.soft)).pipe(
            Effect.zipRight(Effect.sync(() => {
              flight.background = true
              counters.staleIfError++
              return stale.value
            }))
          )
        )
        : awaitFlight(flight)
      if (Option.isNone(stale)) return awaited
      return Effect.catchAllCause(awaited, (cause) => {
        if (Cause.isInterruptedOnly(cause)) return Effect.failCause(cause)
        counters.staleIfError++
        return Effect.as(
          Effect.logWarning(`cachet: fetch of ${storeKey} failed; serving the stale value`).pipe(
            Effect.annotateLogs("cause", Cause.pretty(cause))
          ),
          stale.value
        )
      })
    })

  /** A background refresh failed: the key's stale value is served without fetching for a while. */
  function startBackoff(storeKey: string, resolved: Resolved): void {
    if (resolved.graceBackoff <= 0) return
    const time = now()
    if (backoff.size >= 10_000) pruneBackoff(time)
    backoff.set(storeKey, time + resolved.graceBackoff)
  }

  /** Counts and logs a failed background refresh (once per refresh, so once per backoff period). */
  const refreshFailed = (storeKey: string, resolved: Resolved, cause: Cause.Cause<unknown>) =>
    Effect.suspend(() => {
      counters.staleIfError++
      const waiting = resolved.graceBackoff > 0
        ? `; serving the stale value without fetching for ${Duration.format(Duration.millis(resolved.graceBackoff))}`
        : "; the stale value stays"
      return Effect.logWarning(`cachet: background refresh of ${storeKey} failed${waiting}`).pipe(
        Effect.annotateLogs("cause", Cause.pretty(cause))
      )
    })

  const refreshInBackground: Flights["refreshInBackground"] = (storeKey, fetch, resolved) =>
    Effect.suspend(() => {
      if (inflight.get(storeKey)?.generation === generation()) return Effect.void
      if (backingOff(storeKey)) {
        counters.staleIfError++
        return Effect.void
      }
      return Effect.flatMap(flightFor(storeKey, fetch, resolved, true), (flight) =>
        Effect.asVoid(Effect.forkIn(
          outcomeOf(flight, () => Effect.void).pipe(
            Effect.catchAllCause((cause) =>
              Cause.isInterruptedOnly(cause) ? Effect.void : refreshFailed(storeKey, resolved, cause)
            )
          ),
          scope
        )))
    })

  return Effect.as(Scope.addFinalizer(scope, interruptAll), {
    size: () => live.size,
    fetchThrough,
    refreshInBackground
  })
}
