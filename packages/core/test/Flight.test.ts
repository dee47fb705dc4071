/**
 * Single-flight on its own: the flights of `internal/flight.ts` over a stand-in for the writes
 * (a fetch run directly, its outcome returned) — no store, no reads, no lock.
 */
import { describe, expect, it } from "@effect/vitest"
import { Deferred, Effect, Exit, Fiber, Option, Scope } from "effect"

import * as Codec from "../src/Codec.js"
import * as Flight from "../src/internal/flight.js"
import type { Resolved } from "../src/internal/options.js"
import type { Reads } from "../src/internal/reads.js"
import * as Stats from "../src/internal/stats.js"
import type { StoreGuard } from "../src/internal/storeGuard.js"
import type { Writes } from "../src/internal/writes.js"

const resolved: Resolved = {
  schema: Codec.json,
  failureSchema: undefined,
  failureTtl: 0,
  failureWhen: undefined,
  ttl: 60_000,
  grace: 0,
  graceBackoff: 5_000,
  tags: undefined,
  when: undefined,
  soft: undefined,
  hard: undefined,
  writes: true
}

/** Flights whose "write" only runs the fetch and counts it. */
const flights = Effect.gen(function*() {
  const scope = yield* Effect.scope
  const counters = Stats.makeCounters()
  const writes = {
    fetchAndWrite: <R>(_key: string, fetch: Effect.Effect<unknown, unknown, R>) =>
      Effect.exit(Effect.zipRight(Effect.sync(() => void counters.fetches++), fetch))
  } as unknown as Writes
  const flight = yield* Flight.make({
    scope,
    counters,
    reads: {} as Reads,
    writes,
    guard: {} as StoreGuard,
    lock: Option.none(),
    lockMillis: { ttlMillis: 1_000, waitMillis: 1_000 },
    storeLocal: true,
    now: () => 0,
    generation: () => 0
  })
  return { flight, counters }
})

describe("Flight", () => {
  it.scoped("concurrent fetches of one key run the fetch once and share its value", () =>
    Effect.gen(function*() {
      const { counters, flight } = yield* flights
      const release = yield* Deferred.make<void>()
      const started = yield* Deferred.make<void>()
      const fetch = Effect.zipRight(Deferred.succeed(started, undefined), Effect.as(Deferred.await(release), "value"))
      const waiters = yield* Effect.fork(Effect.all(
        Array.from({ length: 100 }, () => flight.fetchThrough("k", fetch, resolved, Option.none())),
        { concurrency: "unbounded" }
      ))
      yield* Deferred.await(started)
      expect(flight.size()).toBe(1)
      yield* Deferred.succeed(release, undefined)
      const values = yield* Fiber.join(waiters)
      expect(new Set(values)).toEqual(new Set(["value"]))
      expect(counters.fetches).toBe(1)
      expect(flight.size()).toBe(0)
    }))

  it.scoped("when every waiter is interrupted, the fetch is interrupted too", () =>
    Effect.gen(function*() {
      const { flight } = yield* flights
      const started = yield* Deferred.make<void>()
      const interrupted = yield* Deferred.make<void>()
      const fetch = Deferred.succeed(started, undefined).pipe(
        Effect.zipRight(Effect.never),
        Effect.onInterrupt(() => Deferred.succeed(interrupted, undefined))
      )
      const a = yield* Effect.fork(flight.fetchThrough("k", fetch, resolved, Option.none()))
      const b = yield* Effect.fork(flight.fetchThrough("k", fetch, resolved, Option.none()))
      yield* Deferred.await(started)
      yield* Fiber.interrupt(a)
      expect(yield* Deferred.isDone(interrupted)).toBe(false)
      yield* Fiber.interrupt(b)
      yield* Deferred.await(interrupted)
    }))

  it.effect("closing the cache's scope interrupts the fetches in flight, background ones too, and any started after it", () =>
    Effect.gen(function*() {
      const scope = yield* Scope.make()
      const { counters, flight } = yield* Scope.extend(flights, scope)
      const started = yield* Deferred.make<void>()
      const interrupted = yield* Deferred.make<void>()
      const fetch = Deferred.succeed(started, undefined).pipe(
        Effect.zipRight(Effect.never),
        Effect.onInterrupt(() => Deferred.succeed(interrupted, undefined))
      )
      yield* flight.refreshInBackground("k", fetch, resolved)
      yield* Deferred.await(started)
      expect(flight.size()).toBe(1)
      yield* Scope.close(scope, Exit.void)
      yield* Deferred.await(interrupted)
      const late = yield* Effect.exit(flight.fetchThrough("late", Effect.never, resolved, Option.none()))
      expect(Exit.isInterrupted(late)).toBe(true)
      expect(flight.size()).toBe(0)
      expect(counters.backgroundRefreshes).toBe(1)
    }))

  it.scoped("a background refresh runs once, without waiters, and is not started twice", () =>
    Effect.gen(function*() {
      const { counters, flight } = yield* flights
      const release = yield* Deferred.make<void>()
      const done = yield* Deferred.make<void>()
      const fetch = Effect.zipRight(Deferred.await(release), Deferred.succeed(done, undefined))
      yield* flight.refreshInBackground("k", fetch, resolved)
      yield* flight.refreshInBackground("k", fetch, resolved)
      expect(counters.backgroundRefreshes).toBe(1)
      yield* Deferred.succeed(release, undefined)
      yield* Deferred.await(done)
      expect(counters.fetches).toBe(1)
    }))

  it.scoped("with a stale value, a failed fetch serves it and counts a stale-if-error", () =>
    Effect.gen(function*() {
      const { counters, flight } = yield* flights
      const served = yield* flight.fetchThrough("k", Effect.fail("down"), resolved, Option.some("stale"))
      expect(served).toBe("stale")
      expect(counters.staleIfError).toBe(1)
      const exit = yield* Effect.exit(flight.fetchThrough("k", Effect.fail("down"), resolved, Option.none()))
      expect(exit).toEqual(Exit.fail("down"))
    }))
})
