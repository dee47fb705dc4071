/**
 * `Cache.peekFresh`: the hit path as one synchronous call. It answers exactly when a
 * `CacheOrNetwork` read would serve a fresh hit without I/O, counts it as a hit, and leaves
 * everything else (miss, stale, invalidated, failures, stores without synchronous access, the
 * cache off) to `getOrFetch`.
 */
import { Bus, Cache, MemoryStore, Store, TagVersions, TieredStore } from "@cachet/core"
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

describe("Cache.peekFresh on a TieredStore", () => {
  /** Two "processes": a cache over a tier each, one remote store, one in-process bus. */
  const twoCaches = Effect.gen(function*() {
    const remote = yield* MemoryStore.make()
    const network = yield* Bus.makeInProcess
    const tier = (bus: Bus.Service) => TieredStore.make({ remote, bus }, { localTtl: "5 seconds" })
    const a = yield* tier(yield* network.join)
    const b = yield* tier(yield* network.join)
    const cacheOf = (backend: Store.Backend) =>
      Cache.make({ namespace: "tiers" }).pipe(
        Effect.provideService(Store.Store, backend.store),
        Effect.provideService(TagVersions.TagVersions, backend.tagVersions)
      )
    return { a: yield* cacheOf(a), b: yield* cacheOf(b) }
  })

  const read = (cache: Cache.Service, n: number) =>
    cache.getOrFetch("p", Effect.succeed({ id: "p", n }), { schema: Item, tags: ["items/p"], ttl: "1 minute" })

  it.scoped("answers from the memory tier once the entry and its tag versions are held there", () =>
    Effect.gen(function*() {
      const { a, b } = yield* twoCaches
      yield* read(a, 1)
      // B holds nothing yet: the door would hand over.
      expect(b.peekFresh("p", Item)).toBeUndefined()
      yield* read(b, 2)
      expect(b.peekFresh("p", Item)?.value).toEqual({ id: "p", n: 1 })
      // A wrote the entry on its miss, but has not read its tags' versions yet: it hands over
      // until a read through the app (a hit) has.
      expect(a.peekFresh("p", Item)).toBeUndefined()
      yield* read(a, 3)
      expect(a.peekFresh("p", Item)?.value).toEqual({ id: "p", n: 1 })
    }))

  it.scoped("never answers an entry another process invalidated once the bus delivered it", () =>
    Effect.gen(function*() {
      const { a, b } = yield* twoCaches
      yield* read(a, 1)
      yield* read(b, 2)
      expect(b.peekFresh("p", Item)).toBeDefined()
      yield* a.invalidate("items")
      expect(a.peekFresh("p", Item)).toBeUndefined()
      yield* eventually(Effect.sync(() => b.peekFresh("p", Item) === undefined))
      // Read again through B: the new value, answered from its tier from then on.
      const again = yield* read(b, 3)
      expect(again).toEqual({ id: "p", n: 3 })
      expect(b.peekFresh("p", Item)?.value).toEqual({ id: "p", n: 3 })
    }))

  it.scoped("hands over once the versions it holds are older than the tier's local ttl", () =>
    Effect.gen(function*() {
      const { a } = yield* twoCaches
      yield* read(a, 1)
      yield* read(a, 2)
      expect(a.peekFresh("p", Item)).toBeDefined()
      yield* TestClock.adjust(Duration.seconds(5))
      expect(a.peekFresh("p", Item)).toBeUndefined()
    }))
})

/** Waits until a condition holds, re-checking after each scheduler turn (the bus fiber's). */
const eventually = (check: Effect.Effect<boolean>): Effect.Effect<void> =>
  Effect.flatMap(check, (ok) => (ok ? Effect.void : Effect.zipRight(Effect.yieldNow(), eventually(check))))
