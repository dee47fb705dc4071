import { Cache, Store } from "@cachet/core"
import { Servers } from "@cachet/core/testing"
import { describe, expect, it } from "@effect/vitest"
import { Context, Duration, Effect, Layer, Ref, Schedule } from "effect"

import { RedisStore } from "../src/index.js"
import { tiered } from "./fixtures/tiered.js"

const skip = Servers.skipReason("redis")

const storeTimeout = 500
const lookupMillis = 50

const scenario = (makeLayer: (url: string) => Layer.Layer<Cache.Cache>, outage: "killed" | "hung") =>
  Effect.gen(function*() {
    const server = yield* Servers.redis
    const context = yield* Layer.build(makeLayer(server.url))
    const cache = Effect.provide(Cache.Cache, context)
    const { getOrFetch, stats } = yield* cache
    const runs = yield* Ref.make(0)
    const lookup = (value: string) =>
      Ref.update(runs, (n) => n + 1).pipe(Effect.zipRight(Effect.sleep(lookupMillis)), Effect.as(value))

    // Healthy: the second read is a hit.
    expect(yield* getOrFetch("warm", lookup("w"))).toBe("w")
    expect(yield* getOrFetch("warm", lookup("again"))).toBe("w")
    expect(yield* Ref.get(runs)).toBe(1)

    yield* outage === "killed" ? server.stop : server.pause
    const results = yield* Effect.forEach(
      Array.from({ length: 50 }, (_, i) => i),
      (i) => Effect.timed(getOrFetch(`down-${i}`, lookup(`value-${i}`))),
      { concurrency: "unbounded" }
    )
    results.forEach(([elapsed, value], i) => {
      expect(value).toBe(`value-${i}`)
      // A dead server fails each call at once (no offline queue), so a call waits only for the
      // lookup. A hung one makes the read run into the store timeout once: after a failed read
      // the Cache neither reads the tag counter nor writes, so no call waits twice.
      // The slack absorbs scheduling jitter on a busy machine; a second store wait would exceed it.
      expect(Duration.toMillis(elapsed)).toBeLessThanOrEqual(storeTimeout + lookupMillis + 300)
    })
    expect((yield* stats).breaker).toBe("open")
    expect((yield* stats).storeErrors).toBeGreaterThan(0)

    // Restart on the same port: once the breaker's cool-down is over and the client has
    // reconnected, the cache stores and serves again, in the same process.
    yield* outage === "killed" ? server.start : server.resume
    const before = yield* Ref.get(runs)
    let recovered = false
    for (let attempt = 0; attempt < 60 && !recovered; attempt++) {
      yield* Effect.sleep(100)
      const key = `after-${attempt}`
      yield* getOrFetch(key, lookup("fresh"))
      const fetched = yield* Ref.get(runs)
      yield* getOrFetch(key, lookup("fresh"))
      recovered = (yield* Ref.get(runs)) === fetched
    }
    expect(recovered).toBe(true)
    expect(yield* Ref.get(runs)).toBeGreaterThan(before)
    expect((yield* stats).breaker).toBe("closed")
  }).pipe(Effect.scoped)

const options: Cache.Options = {
  storeTimeout: `${storeTimeout} millis`,
  breakerThreshold: 5,
  breakerCooldown: "500 millis"
}

describe.skipIf(skip !== undefined)("Redis outage", () => {
  it.live(
    "RedisStore killed: fail-open, breaker opens, cache used again after a restart on the same port",
    () => scenario((url) => Cache.layer(options).pipe(Layer.provide(RedisStore.layer({ url }))), "killed"),
    20_000
  )

  it.live(
    "RedisStore hung (SIGSTOP): calls are bounded by store timeouts, breaker opens, recovers on resume",
    () => scenario((url) => Cache.layer(options).pipe(Layer.provide(RedisStore.layer({ url }))), "hung"),
    20_000
  )

  it.live(
    "TieredStore killed: the same",
    () => scenario((url) => Cache.layer(options).pipe(Layer.provide(tiered({ url }))), "killed"),
    20_000
  )

  it.live(
    "recovery in about a second: after a 6 s outage under steady reads, a restarted Redis serves hits again within ~1 s",
    () =>
      Effect.gen(function*() {
        const server = yield* Servers.redis
        // The defaults: breaker threshold 5, probes backing off to once a second.
        const context = yield* Layer.build(Cache.layer({}).pipe(Layer.provide(RedisStore.layer({ url: server.url }))))
        const cache = Context.get(context, Cache.Cache)
        expect(yield* cache.getOrFetch("warm", Effect.succeed("fetched"), { ttl: "1 hour" })).toBe("fetched")
        yield* server.stop
        // Reads every 20 ms for 6 s: the breaker opens and its probes keep failing.
        for (let i = 0; i < 300; i++) {
          expect(yield* cache.getOrFetch("warm", Effect.succeed("db"), { ttl: "1 hour" })).toBe("db")
          yield* Effect.sleep(20)
        }
        expect((yield* cache.stats).breaker).toBe("open")
        yield* server.start
        // Redis restarted empty: recovered once a read is a hit, i.e. returns what an earlier read wrote.
        const [elapsed] = yield* Effect.timed(Effect.gen(function*() {
          for (let i = 0;; i++) {
            const value = yield* cache.getOrFetch("after", Effect.succeed(`db-${i}`), { ttl: "1 hour" })
            if (value !== `db-${i}`) return
            yield* Effect.sleep(20)
          }
        }))
        // About a second (probes at most 1 s apart, reconnection at most 500 ms): 0.4 s measured; 2.4 s before.
        expect(Duration.toMillis(elapsed)).toBeLessThan(1_500)
        expect((yield* cache.stats).breaker).toBe("closed")
      }).pipe(Effect.scoped),
    30_000
  )

  it.live(
    "a Redis down at start does not fail the layer; the store works once Redis comes up",
    () =>
      Effect.gen(function*() {
        const server = yield* Servers.redis
        yield* server.stop
        const context = yield* Layer.build(RedisStore.layer({ url: server.url }))
        const store = Context.get(context, Store.Store)
        expect((yield* Effect.either(store.get("k")))._tag).toBe("Left")
        yield* server.start
        const ok = yield* store.get("k").pipe(
          Effect.retry(Schedule.spaced("100 millis").pipe(Schedule.upTo("5 seconds"))),
          Effect.either
        )
        expect(ok._tag).toBe("Right")
      }).pipe(Effect.scoped),
    20_000
  )
})
