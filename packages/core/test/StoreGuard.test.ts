/**
 * The store guard alone: timeouts as `StoreTimeout`, the open breaker as `BreakerOpen` (told
 * apart by tag), fail-open fallbacks, counting.
 */
import { CircuitBreaker, Store } from "@cachet/core"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Logger, LogLevel, TestClock } from "effect"

import { makeCounters } from "../src/internal/stats.js"
import * as StoreGuard from "../src/internal/storeGuard.js"

const remote = { name: "remote", local: false } as Store.Service

const guarded = Effect.gen(function*() {
  const counters = makeCounters()
  const breaker = yield* CircuitBreaker.make({ threshold: 2, cooldown: "1 second" })
  return { counters, guard: StoreGuard.make({ store: remote, timeoutMillis: 100, breaker, counters }) }
})

const failing = Effect.fail(new Store.StoreError({ operation: "get", reason: "connection refused" }))

describe("StoreGuard", () => {
  it.effect("a call past the timeout fails with StoreTimeout; repeated failures open the breaker, which fails with BreakerOpen without calling", () =>
    Effect.gen(function*() {
      const { counters, guard } = yield* guarded
      const slow = yield* Effect.fork(Effect.flip(guard.protect("get", Effect.never)))
      yield* TestClock.adjust("100 millis")
      const timeout = yield* Fiber.join(slow)
      expect(timeout._tag).toBe("StoreTimeout")
      expect((yield* Effect.flip(guard.protect("get", failing)))._tag).toBe("StoreError")
      expect(guard.breaker.state()).toBe("open")
      let called = false
      const skipped = yield* Effect.flip(guard.protect("get", Effect.sync(() => (called = true))))
      expect(skipped._tag).toBe("BreakerOpen")
      expect(called).toBe(false)
      expect(counters.storeErrors).toBe(2)
      expect(counters.storeSkips).toBe(1)
      expect(skipped).toMatchObject({ _tag: "BreakerOpen", operation: "get" })
    }).pipe(Effect.provide(Logger.minimumLogLevel(LogLevel.None))))

  it.effect("failOpen yields the fallback; a success closes the breaker", () =>
    Effect.gen(function*() {
      const { guard } = yield* guarded
      expect(yield* guard.failOpen("get", failing, "fallback")).toBe("fallback")
      expect(yield* guard.failOpen("get", failing, "fallback")).toBe("fallback")
      expect(guard.breaker.state()).toBe("open")
      yield* TestClock.adjust("1 second")
      expect(yield* guard.failOpen("get", Effect.succeed("value"), "fallback")).toBe("value")
      expect(guard.breaker.state()).toBe("closed")
    }).pipe(Effect.provide(Logger.minimumLogLevel(LogLevel.None))))

  it.effect("onFailure is told of each failure it counts, not of calls the open breaker skips", () =>
    Effect.gen(function*() {
      const counters = makeCounters()
      const breaker = yield* CircuitBreaker.make({ threshold: 2, cooldown: "1 second" })
      const told: Array<string> = []
      const guard = StoreGuard.make({
        store: remote,
        timeoutMillis: 100,
        breaker,
        counters,
        onFailure: (error) => told.push(`${error._tag} ${error.operation}`)
      })
      const slow = yield* Effect.fork(guard.failOpen("set", Effect.never, undefined))
      yield* TestClock.adjust("100 millis")
      yield* Fiber.join(slow)
      yield* guard.failOpen("get", failing, undefined)
      yield* guard.failOpen("get", failing, undefined)
      expect(told).toEqual(["StoreTimeout set", "StoreError get"])
      expect(counters.storeErrors).toBe(2)
      expect(counters.storeSkips).toBe(1)
    }).pipe(Effect.provide(Logger.minimumLogLevel(LogLevel.None))))
})
