import { CircuitBreaker } from "@cachet/core"
import { describe, expect, it } from "@effect/vitest"
import { Effect, TestClock } from "effect"

/** Advances the clock `step` ms at a time until the breaker lets a probe through; how long that took. */
const untilProbe = (breaker: CircuitBreaker.CircuitBreaker, step: number) =>
  Effect.gen(function*() {
    for (let waited = 0; waited <= 10_000; waited += step) {
      if (breaker.allow()) return waited
      yield* TestClock.adjust(step)
    }
    return Infinity
  })

describe("CircuitBreaker (TestClock)", () => {
  it.effect("opens after `threshold` consecutive failures; a success resets the count and closes it", () =>
    Effect.gen(function*() {
      const breaker = yield* CircuitBreaker.make({ threshold: 3 })
      expect(breaker.recordFailure()).toBe(false)
      expect(breaker.recordFailure()).toBe(false)
      expect(breaker.state()).toBe("closed")
      expect(breaker.allow()).toBe(true)
      expect(breaker.recordFailure()).toBe(true)
      expect(breaker.state()).toBe("open")
      expect(breaker.allow()).toBe(false)
      // Failures while open (late answers of calls made before) neither reopen nor count as opening.
      expect(breaker.recordFailure()).toBe(false)
      breaker.recordSuccess()
      expect(breaker.state()).toBe("closed")
      expect(breaker.consecutiveFailures()).toBe(0)
      expect(breaker.allow()).toBe(true)
    }))

  it.effect("half-open probes: one call per wait, the waits doubling from cooldown / 8 up to cooldown", () =>
    Effect.gen(function*() {
      const breaker = yield* CircuitBreaker.make({ threshold: 1, cooldown: "800 millis", jitter: false })
      breaker.recordFailure()
      const waits: Array<number> = []
      for (let i = 0; i < 6; i++) {
        waits.push(yield* untilProbe(breaker, 100))
        // Only that one call is the probe: the next call waits again.
        expect(breaker.allow()).toBe(false)
        breaker.recordFailure()
      }
      expect(waits).toEqual([100, 200, 400, 800, 800, 800])
      breaker.recordSuccess()
      expect(breaker.allow()).toBe(true)
    }))

  it.effect("jittered waits lie between half the wait and the wait, never past cooldown", () =>
    Effect.gen(function*() {
      const breaker = yield* CircuitBreaker.make({ threshold: 1, cooldown: "1 second" })
      breaker.recordFailure()
      const waits: Array<number> = []
      for (let i = 0; i < 8; i++) waits.push(yield* untilProbe(breaker, 20))
      // The first wait is drawn from [62.5, 125] ms, the later ones from [500, 1000] ms (20 ms steps).
      expect(waits[0]).toBeGreaterThanOrEqual(60)
      expect(waits[0]).toBeLessThanOrEqual(140)
      for (const wait of waits.slice(4)) {
        expect(wait).toBeGreaterThanOrEqual(500)
        expect(wait).toBeLessThanOrEqual(1020)
      }
      expect(new Set(waits.slice(4)).size).toBeGreaterThan(1)
    }))

  it.effect("after a long outage with constant traffic, a store that is back is probed within cooldown", () =>
    Effect.gen(function*() {
      const breaker = yield* CircuitBreaker.make({ threshold: 5 })
      // 60 s of outage, a call every 250 ms: every call the breaker lets through fails.
      for (let t = 0; t < 240; t++) {
        if (breaker.allow()) breaker.recordFailure()
        yield* TestClock.adjust("250 millis")
      }
      expect(breaker.state()).toBe("open")
      // The store is back: the next probe succeeds, within 1 s however long the outage was.
      const waited = yield* untilProbe(breaker, 20)
      expect(waited).toBeLessThanOrEqual(1_020)
      breaker.recordSuccess()
      expect(breaker.state()).toBe("closed")
    }))
})
