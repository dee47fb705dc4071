/**
 * Grace backoff: after a background refresh of an entry in grace fails, the stale value is
 * served without calling the origin again until `graceBackoff` has passed, each such read is
 * counted as stale-if-error (stats and metric), and the failure is logged once per period.
 */
import { Cache, CacheMetrics, MemoryStore } from "@cachet/core"
import { describe, expect, it } from "@effect/vitest"
import { Context, Data, Duration, Effect, Layer, Logger, LogLevel, Metric, Queue, Ref, TestClock } from "effect"

class OriginDown extends Data.TaggedError("OriginDown")<{}> {}

/** A cache on the memory store whose warnings land in a queue (what the tests wait on). */
const setup = (options: Cache.Options) =>
  Effect.gen(function*() {
    const warnings = yield* Queue.unbounded<string>()
    const logger = Logger.make(({ logLevel, message }) => {
      if (logLevel._tag === "Warning") {
        Queue.unsafeOffer(warnings, Array.isArray(message) ? message.join(" ") : String(message))
      }
    })
    const layer = Cache.layer(options).pipe(
      Layer.provide(MemoryStore.layer()),
      Layer.provide(Logger.replace(Logger.defaultLogger, logger))
    )
    const cache = Context.get(yield* Layer.build(layer), Cache.Cache)
    const down = yield* Ref.make(false)
    const calls = yield* Ref.make(0)
    const origin = Effect.flatMap(Ref.updateAndGet(calls, (n) => n + 1), (n) =>
      Effect.flatMap(Ref.get(down), (isDown) => (isDown ? Effect.fail(new OriginDown()) : Effect.succeed(`v${n}`))))
    return { cache, warnings, down, calls, origin }
  })

describe("Grace backoff (TestClock)", () => {
  it.scoped("20 stale reads with the origin down call it once, count 20 stale-if-error, and warn once", () =>
    Effect.gen(function*() {
      const namespace = "grace-backoff"
      const { cache, calls, down, origin, warnings } = yield* setup({
        namespace,
        ttl: "1 second",
        grace: "1 hour",
        graceBackoff: "5 seconds"
      })
      const read = cache.getOrFetch("post:7", origin)
      expect(yield* read).toBe("v1")
      yield* Ref.set(down, true)
      yield* TestClock.adjust("2 seconds")

      // The first stale read starts the refresh; it fails, and the key backs off.
      expect(yield* read).toBe("v1")
      expect(yield* Queue.take(warnings)).toContain("background refresh of")
      for (let i = 0; i < 19; i++) {
        expect(yield* read).toBe("v1")
        // Lets any refresh the read started run to its end before the next read.
        yield* TestClock.adjust("10 millis")
      }
      expect(yield* Ref.get(calls)).toBe(2)
      expect(yield* Queue.size(warnings)).toBe(0)
      const stats = yield* cache.stats
      expect(stats).toMatchObject({ staleHits: 20, staleIfError: 20, backgroundRefreshes: 1, fetchFailures: 1 })
      const metric = Metric.tagged(CacheMetrics.staleIfError, "namespace", cache.prefix)
      expect((yield* Metric.value(metric)).count).toBe(20)

      // Past the backoff (still in grace), the next read tries the origin again: one call, one warning.
      yield* TestClock.adjust("5 seconds")
      expect(yield* read).toBe("v1")
      expect(yield* Queue.take(warnings)).toContain("background refresh of")
      for (let i = 0; i < 5; i++) {
        expect(yield* read).toBe("v1")
        yield* TestClock.adjust("10 millis")
      }
      expect(yield* Ref.get(calls)).toBe(3)
      expect(yield* Queue.size(warnings)).toBe(0)

      // The origin is back: the refresh after the backoff succeeds, and the next read is fresh.
      yield* Ref.set(down, false)
      yield* TestClock.adjust("5 seconds")
      expect(yield* read).toBe("v1")
      // NetworkOnly joins the refresh in flight: its answer is the refresh's, written by then.
      expect(yield* cache.getOrFetch("post:7", origin, { policy: "NetworkOnly" })).toBe("v4")
      expect(yield* read).toBe("v4")
      expect(yield* Ref.get(calls)).toBe(4)
      expect((yield* cache.stats).hits).toBe(1)
    }).pipe(Effect.provide(Logger.minimumLogLevel(LogLevel.Warning))))

  it.scoped("a call's graceBackoff overrides the cache's; zero retries the origin on every stale read", () =>
    Effect.gen(function*() {
      const { cache, calls, down, origin, warnings } = yield* setup({ ttl: "1 second", grace: "1 hour" })
      const read = (graceBackoff: Duration.DurationInput) => cache.getOrFetch("k", origin, { graceBackoff })
      expect(yield* read("0 millis")).toBe("v1")
      yield* Ref.set(down, true)
      yield* TestClock.adjust("2 seconds")
      for (let i = 1; i <= 3; i++) {
        expect(yield* read("0 millis")).toBe("v1")
        yield* Queue.take(warnings)
        expect(yield* Ref.get(calls)).toBe(1 + i)
      }
      // The default (5 seconds) backs off; a call that asks for 1 minute keeps backing off past it.
      expect(yield* read("1 minute")).toBe("v1")
      yield* Queue.take(warnings)
      yield* TestClock.adjust("10 seconds")
      expect(yield* read("1 minute")).toBe("v1")
      yield* TestClock.adjust("10 millis")
      expect(yield* Ref.get(calls)).toBe(5)
    }))
})
