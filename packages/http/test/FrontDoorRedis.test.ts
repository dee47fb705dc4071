/**
 * `FrontDoor` over Redis: with a memory tier kept coherent by the Redis bus, the door answers
 * from the tier when it holds the entry and its tags' versions, and the property (door on and
 * off answer alike) holds; with Redis alone, which cannot be read synchronously, every request
 * is handed over and the property still holds. Two apps on one Redis: after a write through one,
 * the other's door never answers the old body once the bus has delivered the change.
 */
import { Cache, Store, TieredStore } from "@cachet/core"
import { Servers } from "@cachet/core/testing"
import { RedisBus, RedisClient, RedisStore } from "@cachet/redis"
import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Layer, Option } from "effect"

import { db, portOf, property, send, serverLayer, TestHooks } from "./frontDoor.js"

const skip = Servers.skipReason("redis")

/** A memory tier over Redis, coherent through the Redis bus (what the reference app runs on `redis://`). */
const tiered = (url: string) =>
  TieredStore.layer().pipe(
    Layer.provide(Layer.merge(Layer.effectContext(Effect.map(RedisStore.make, Store.context)), RedisBus.layerClient)),
    Layer.provide(RedisClient.layer({ url }))
  )

/** Redis alone (its store and tag versions): nothing the door can read synchronously. */
const redisOnly = (url: string) => RedisStore.layerClient.pipe(Layer.provide(RedisClient.layer({ url })))

const doorHitsOf = (context: { readonly unsafeMap: Map<string, unknown> }) =>
  (context.unsafeMap.get(TestHooks.key) as { doorHits: number }).doorHits

describe.skipIf(skip !== undefined)("FrontDoor on Redis", () => {
  it.scopedLive("with a memory tier: answers exactly as the app does, door on and off", () =>
    Effect.gen(function*() {
      // One Redis each, so the two apps' tag versions and bus never meet.
      const [first, second] = yield* Effect.all([Servers.redis, Servers.redis], { concurrency: 2 })
      const on = yield* Layer.build(serverLayer(true, tiered(first.url), "tier-on"))
      const off = yield* Layer.build(serverLayer(false, tiered(second.url), "tier-off"))
      yield* property(on, off, 25)
      expect(doorHitsOf(on)).toBeGreaterThan(0)
    }), { timeout: 180_000 })

  it.scopedLive(
    "with Redis alone: every request is handed over, and the answers are the app's",
    () =>
      Effect.gen(function*() {
        const [first, second] = yield* Effect.all([Servers.redis, Servers.redis], { concurrency: 2 })
        const on = yield* Layer.build(serverLayer(true, redisOnly(first.url), "redis-on"))
        const off = yield* Layer.build(serverLayer(false, redisOnly(second.url), "redis-off"))
        yield* property(on, off, 8)
        expect(doorHitsOf(on)).toBe(0)
      }),
    { timeout: 180_000 }
  )

  it.scopedLive(
    "two apps on one Redis: after a write through one, the other's door never answers the old body",
    () =>
      Effect.gen(function*() {
        const server = yield* Servers.redis
        const a = yield* Layer.build(serverLayer(true, tiered(server.url), "shared"))
        const b = yield* Layer.build(serverLayer(true, tiered(server.url), "shared"))
        const get = (context: typeof a) => Effect.promise(() => send(portOf(context), "GET", "/items/5"))
        db.set("5", "old")
        for (let round = 0; round < 3; round++) {
          yield* get(a)
          yield* get(b)
        }
        // B answers its hits at the door.
        const before = doorHitsOf(b)
        const warm = yield* get(b)
        expect([JSON.parse(warm.body).value, warm.headers["x-cache"], doorHitsOf(b)]).toEqual([
          "old",
          "HIT",
          before + 1
        ])
        // The write through A invalidates `items/5`; B learns it from the bus. Its entry, as B's
        // cache judges it with the tag versions it holds, says when the bump has been delivered.
        const cacheB = Context.get(b, Cache.Cache)
        const [key] = yield* cacheB.keys({ prefix: "item:5:" })
        const stateInB = Effect.map(cacheB.inspect(key!), Option.map((info) => info.state))
        expect(yield* stateInB).toEqual(Option.some("fresh"))
        yield* Effect.promise(() => send(portOf(a), "PUT", "/items/5", {}, { value: "new" }))
        while (Option.getOrUndefined(yield* stateInB) !== "invalidated") yield* Effect.yieldNow()
        // From then on, never the old body, whoever answers (the door, once B has read it again).
        for (let i = 0; i < 20; i++) {
          const answer = yield* get(b)
          expect([i, JSON.parse(answer.body).value]).toEqual([i, "new"])
        }
        expect(doorHitsOf(b)).toBeGreaterThan(before + 1)
      }),
    { timeout: 120_000 }
  )
})
