/**
 * Issue 15's probe as a test: an invalidation made while Redis is frozen (SIGSTOP) with the
 * breaker open must not be lost. The writer never serves the old value; once Redis is thawed
 * and the writer's relay has replayed the bump, a second cache over its own connection does
 * not serve it either.
 */
import { Cache } from "@cachet/core"
import { Servers } from "@cachet/core/testing"
import { describe, expect, it } from "@effect/vitest"
import { Context, Duration, Effect, Layer, Logger, LogLevel, Ref } from "effect"

import { RedisStore } from "../src/index.js"
import { tiered } from "./fixtures/tiered.js"

const skip = Servers.skipReason("redis")

const options: Cache.Options = { storeTimeout: "200 millis", breakerThreshold: 3, breakerCooldown: "10 seconds" }

const scenario = (makeLayer: (url: string) => Layer.Layer<Cache.Cache>) =>
  Effect.gen(function*() {
    const server = yield* Servers.redis
    const writer = Context.get(yield* Layer.build(makeLayer(server.url)), Cache.Cache)
    const other = Context.get(yield* Layer.build(makeLayer(server.url)), Cache.Cache)
    const row = yield* Ref.make("old name")
    const read = (cache: Cache.Service) =>
      cache.getOrFetch("user:150", Ref.get(row), { tags: "users/150", ttl: "1 hour" })

    expect(yield* read(writer)).toBe("old name")
    expect(yield* read(other)).toBe("old name")

    yield* server.pause
    // A few reads while Redis is frozen open the writer's breaker.
    for (let i = 0; i < 3; i++) yield* writer.getOrFetch(`other:${i}`, Effect.succeed(i))
    expect((yield* writer.stats).breaker).toBe("open")

    // The application's write succeeds; the invalidation cannot reach Redis.
    yield* Ref.set(row, "new name")
    const [elapsed] = yield* Effect.timed(writer.invalidate("users/150"))
    expect(Duration.toMillis(elapsed)).toBeLessThan(200)
    expect((yield* writer.stats).pendingInvalidations).toBe(1)
    expect(yield* read(writer)).toBe("new name")

    yield* server.resume
    expect(yield* read(writer)).toBe("new name")
    yield* writer.awaitPendingInvalidations.pipe(
      Effect.timeoutFail({
        duration: "10 seconds",
        onTimeout: () => new Error("the deferred invalidation was never acknowledged")
      })
    )
    // Acknowledged: from now on no process sharing Redis serves the old value, for the whole ttl.
    for (let i = 0; i < 5; i++) {
      expect(yield* read(other)).toBe("new name")
      expect(yield* read(writer)).toBe("new name")
      yield* Effect.sleep("100 millis")
    }
    expect((yield* writer.stats).breaker).toBe("closed")
  }).pipe(Effect.scoped, Effect.provide(Logger.minimumLogLevel(LogLevel.Error)))

describe.skipIf(skip !== undefined)("Redis: an invalidation while Redis is frozen", () => {
  it.live(
    "RedisStore: neither the writer nor a second cache on its own connection serves the old value after SIGCONT",
    () => scenario((url) => Cache.layer(options).pipe(Layer.provide(RedisStore.layer({ url })))),
    30_000
  )

  it.live(
    "TieredStore: the same, the replayed bump reaching the other process's memory tier through the bus",
    () => scenario((url) => Cache.layer(options).pipe(Layer.provide(tiered({ url })))),
    30_000
  )
})
