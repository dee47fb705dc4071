/**
 * `Cache.peekFresh`: the hit path as one synchronous call. It answers exactly when a
 * `CacheOrNetwork` read would serve a fresh hit without I/O, counts it as a hit, and leaves
 * everything else (miss, stale, invalidated, failures, stores without synchronous access, the
 * cache off) to `getOrFetch`.
 */
import { Cache, MemoryStore } from "@cachet/core"
import { FaultyStore } from "@cachet/core/testing"
import { describe, expect, it } from "@effect/vitest"
import { Data, Duration, Effect, Layer, Schema, TestClock } from "effect"

const live = (options: Cache.Options = {}) => Cache.layer(options).pipe(Layer.provideMerge(MemoryStore.layer()))

const Item = Schema.Struct({ id: Schema.String, n: Schema.Number })

class Gone extends Data.TaggedError("Gone")<{}> {}

describe("Cache.peekFresh", () => {
  it.effect("answers a fresh entry with its value and age origin, and counts a hit", () =>
    Effect.gen(function*() {
      const cache = yield* Cache.Cache
      expect(cache.peekFresh("a", Item)).toBeUndefined()
      yield* cache.getOrFetch("a", Effect.succeed({ id: "a", n: 1 }), {
        schema: Item,
        tags: ["items/a"],
        ttl: "1 minute"
      })
      yield* TestClock.adjust(Duration.seconds(5))
      const before = (yield* cache.stats).hits
      const peeked = cache.peekFresh("a", Item)
      expect(peeked?.value).toEqual({ id: "a", n: 1 })
      expect([peeked?.createdAt, peeked?.ageMillis]).toEqual([0, 5000])
      expect((yield* cache.stats).hits).toBe(before + 1)
    }).pipe(Effect.provide(live())))

  it.effect("judges an entry no read has judged yet (written by set)", () =>
    Effect.gen(function*() {
      const cache = yield* Cache.Cache
      yield* cache.set("b", { id: "b", n: 2 }, { schema: Item, ttl: "1 minute" })
      expect(cache.peekFresh("b", Item)?.value).toEqual({ id: "b", n: 2 })
    }).pipe(Effect.provide(live())))

  it.effect("never answers past the ttl, after an invalidation or an expiry of a tag", () =>
    Effect.gen(function*() {
      const cache = yield* Cache.Cache
      const read = (key: string) =>
        cache.getOrFetch(key, Effect.succeed({ id: key, n: 1 }), {
          schema: Item,
          tags: [`items/${key}`],
          ttl: "1 minute",
          grace: "1 hour"
        })
      yield* read("c")
      yield* read("d")
      yield* read("e")
      yield* cache.invalidate("items/c")
      yield* cache.expire("items") // a prefix: covers d and e
      expect(cache.peekFresh("c", Item)).toBeUndefined()
      expect(cache.peekFresh("d", Item)).toBeUndefined()
      const f = "f"
      yield* read(f)
      expect(cache.peekFresh(f, Item)).toBeDefined()
      yield* TestClock.adjust(Duration.minutes(1))
      expect(cache.peekFresh(f, Item)).toBeUndefined()
    }).pipe(Effect.provide(live())))

  it.effect("leaves a cached failure and another schema's reading alone", () =>
    Effect.gen(function*() {
      const cache = yield* Cache.Cache
      yield* Effect.ignore(cache.getOrFetch("g", Effect.fail(new Gone()), {
        schema: Item,
        failures: { schema: Schema.Unknown as unknown as Schema.Schema<Gone, unknown>, ttl: "1 minute" }
      }))
      expect(cache.peekFresh("g", Item)).toBeUndefined()
      yield* cache.getOrFetch("h", Effect.succeed({ id: "h", n: 1 }), { schema: Item })
      expect(cache.peekFresh("h", Schema.Struct({ id: Schema.Number }))).toBeUndefined()
    }).pipe(Effect.provide(live())))

  it.effect("answers nothing when the cache is off or the store has no synchronous access", () =>
    Effect.gen(function*() {
      const off = yield* Cache.make({ enabled: false })
      yield* off.getOrFetch("i", Effect.succeed({ id: "i", n: 1 }), { schema: Item })
      expect(off.peekFresh("i", Item)).toBeUndefined()
    }).pipe(
      Effect.provide(MemoryStore.layer()),
      Effect.zipRight(
        Effect.gen(function*() {
          const cache = yield* Cache.Cache
          yield* cache.getOrFetch("j", Effect.succeed({ id: "j", n: 1 }), { schema: Item })
          expect(cache.peekFresh("j", Item)).toBeUndefined()
        }).pipe(Effect.provide(Cache.layer().pipe(Layer.provideMerge(FaultyStore.layer(MemoryStore.layer())))))
      ),
      Effect.scoped
    ))
})
