import { CircuitBreaker } from "@cachet/core"
import { describe, expect, it } from "@effect/vitest"
import { Effect, TestClock } from "effect"

describe("CircuitBreaker (TestClock)", () => {
  it.effect("opens after `threshold` consecutive failures, for `cooldown`", () =>
    Effect.gen(function*() {
      const breaker = yield* CircuitBreaker.make({ threshold: 3, cooldown: "10 seconds" })
      expect(breaker.recordFailure()).toBe(false)
      expect(breaker.recordFailure()).toBe(false)
      expect(breaker.state()).toBe("closed")
      expect(breaker.recordFailure()).toBe(true)
      expect(breaker.state()).toBe("open")
      yield* TestClock.adjust("9999 millis")
      expect(breaker.isOpen()).toBe(true)
      yield* TestClock.adjust("1 millis")
      expect(breaker.isOpen()).toBe(false)
    }))

  it.effect("a success resets the count and closes it", () =>
    Effect.gen(function*() {
      const breaker = yield* CircuitBreaker.make({ threshold: 2 })
      breaker.recordFailure()
      breaker.recordSuccess()
      expect(breaker.consecutiveFailures()).toBe(0)
      expect(breaker.recordFailure()).toBe(false)
      expect(breaker.recordFailure()).toBe(true)
      breaker.recordSuccess()
      expect(breaker.state()).toBe("closed")
    }))

  it.effect("half-open: after the cool-down one failure reopens it at once; failures while open do not extend it", () =>
    Effect.gen(function*() {
      const breaker = yield* CircuitBreaker.make({ threshold: 2, cooldown: "1 second" })
      breaker.recordFailure()
      breaker.recordFailure()
      yield* TestClock.adjust("500 millis")
      expect(breaker.recordFailure()).toBe(false)
      yield* TestClock.adjust("500 millis")
      expect(breaker.isOpen()).toBe(false)
      expect(breaker.recordFailure()).toBe(true)
      expect(breaker.isOpen()).toBe(true)
    }))
})
