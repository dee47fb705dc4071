import { Cache, CacheMetrics, MemoryStore, Store } from "@cachet/core"
import { FaultyStore } from "@cachet/core/testing"
import { describe, expect, it } from "@effect/vitest"
import {
  Data,
  Deferred,
  Duration,
  Effect,
  Exit,
  Fiber,
  HashSet,
  Layer,
  Logger,
  LogLevel,
  Metric,
  Option,
  Ref,
  Schema,
  Stream,
  TestClock,
  Tracer
} from "effect"

const live = (options: Cache.Options = {}) => Cache.layer(options).pipe(Layer.provideMerge(MemoryStore.layer()))
const faulty = (options: Cache.Options = {}) =>
  Cache.layer(options).pipe(Layer.provideMerge(FaultyStore.layer(MemoryStore.layer())))

class Boom extends Data.TaggedError("Boom")<{}> {}
class NotFound extends Schema.TaggedError<NotFound>()("NotFound", { id: Schema.String }) {}

/** A lookup that counts its runs and returns "v<n>". */
const counted = Effect.gen(function*() {
  const runs = yield* Ref.make(0)
  const lookup = Ref.updateAndGet(runs, (n) => n + 1).pipe(Effect.map((n) => `v${n}`))
  return { runs, lookup }
})

/** Collects log messages so tests can assert what was logged. */
const captureLogs = Effect.gen(function*() {
  const lines: Array<string> = []
  const logger = Logger.make(({ message }) => {
    lines.push(Array.isArray(message) ? message.join(" ") : String(message))
  })
  return { lines, layer: Logger.replace(Logger.defaultLogger, logger) }
})

describe("Cache freshness (TestClock)", () => {
  it.effect("TTL boundaries: fresh before ttl, stale during grace, fetched after", () =>
    Effect.gen(function*() {
      const cache = yield* Cache.Cache
      const { lookup, runs } = yield* counted
      const read = cache.getOrFetch("k", lookup, { ttl: "10 seconds", grace: "5 seconds" })
      expect(yield* read).toBe("v1")
      yield* TestClock.adjust(Duration.millis(9_999))
      expect(yield* read).toBe("v1")
      expect(Option.map(yield* cache.inspect("k"), (i) => i.state)).toEqual(Option.some("fresh"))
      yield* TestClock.adjust(Duration.millis(1))
      expect(Option.map(yield* cache.inspect("k"), (i) => i.state)).toEqual(Option.some("stale"))
      // In grace: the stale value at once; the refresh runs in the background.
      expect(yield* read).toBe("v1")
      yield* Effect.yieldNow()
      expect(yield* Ref.get(runs)).toBe(2)
      expect(yield* read).toBe("v2")
      yield* TestClock.adjust(Duration.seconds(15))
      // Past grace the memory store drops the entry; other stores may still report it as expired.
      expect(Option.map(yield* cache.inspect("k"), (i) => i.state)).toEqual(Option.none())
      expect(yield* read).toBe("v3")
    }).pipe(Effect.provide(live())))

  it.effect("in grace, 100 concurrent readers get the stale value at once and one refresh runs", () =>
    Effect.gen(function*() {
      const cache = yield* Cache.Cache
      const runs = yield* Ref.make(0)
      const gate = yield* Deferred.make<void>()
      const lookup = Ref.updateAndGet(runs, (n) => n + 1).pipe(
        Effect.tap((n) => (n > 1 ? Deferred.await(gate) : Effect.void)),
        Effect.map((n) => `v${n}`)
      )
      const read = cache.getOrFetch("k", lookup, { ttl: "1 second", grace: "1 minute" })
      yield* read
      yield* TestClock.adjust("2 seconds")
      const values = yield* Effect.all(Array.from({ length: 100 }, () => read), { concurrency: "unbounded" })
      expect(new Set(values)).toEqual(new Set(["v1"]))
      expect(yield* Ref.get(runs)).toBe(2)
      expect((yield* cache.stats).backgroundRefreshes).toBe(1)
      yield* Deferred.succeed(gate, undefined)
      yield* Effect.yieldNow()
      expect(yield* read).toBe("v2")
      expect(yield* Ref.get(runs)).toBe(2)
    }).pipe(Effect.provide(live())))

  it.effect("stale-if-error: a failing refresh keeps serving the in-grace value; NetworkOnly falls back to it", () =>
    Effect.gen(function*() {
      const cache = yield* Cache.Cache
      const failing = yield* Ref.make(false)
      const lookup = Effect.flatMap(
        Ref.get(failing),
        (fail) => (fail ? Effect.fail(new Boom()) : Effect.succeed("good"))
      )
      const options = { ttl: "1 second", grace: "1 minute" } as const
      expect(yield* cache.getOrFetch("k", lookup, options)).toBe("good")
      yield* Ref.set(failing, true)
      yield* TestClock.adjust("2 seconds")
      expect(yield* cache.getOrFetch("k", lookup, options)).toBe("good")
      yield* Effect.yieldNow()
      expect(yield* cache.getOrFetch("k", lookup, options)).toBe("good")
      expect(yield* cache.getOrFetch("k", lookup, { ...options, policy: "NetworkOnly" })).toBe("good")
      const stats = yield* cache.stats
      // The failed background refresh, the read served during its backoff, and NetworkOnly's fallback.
      expect(stats.staleIfError).toBe(3)
      expect(stats.fetchFailures).toBeGreaterThanOrEqual(2)
      // Past grace, the fetch's own typed error reaches the caller.
      yield* TestClock.adjust("2 minutes")
      expect(yield* Effect.flip(cache.getOrFetch("k", lookup, options))).toBeInstanceOf(Boom)
    }).pipe(Effect.provide(live())))

  it.effect("expire is soft (served in grace, refreshed); invalidate is hard (never served, not even on error)", () =>
    Effect.gen(function*() {
      const cache = yield* Cache.Cache
      const failing = yield* Ref.make(false)
      const { lookup: good, runs } = yield* counted
      const lookup = Effect.flatMap(Ref.get(failing), (fail) => (fail ? Effect.fail(new Boom()) : good))
      const options = { ttl: "1 hour", grace: "1 hour", tags: ["users/1"] } as const
      expect(yield* cache.getOrFetch("k", lookup, options)).toBe("v1")
      yield* cache.expire("users")
      expect(Option.map(yield* cache.inspect("k"), (i) => i.state)).toEqual(Option.some("stale"))
      expect(yield* cache.getOrFetch("k", lookup, options)).toBe("v1")
      yield* Effect.yieldNow()
      expect(yield* Ref.get(runs)).toBe(2)
      expect(yield* cache.getOrFetch("k", lookup, options)).toBe("v2")
      yield* cache.invalidate("users/1")
      expect(Option.map(yield* cache.inspect("k"), (i) => i.state)).toEqual(Option.some("invalidated"))
      yield* Ref.set(failing, true)
      expect(yield* Effect.flip(cache.getOrFetch("k", lookup, options))).toBeInstanceOf(Boom)
      expect(yield* cache.get("k")).toEqual(Option.none())
    }).pipe(Effect.provide(live())))

  it.effect("inspectMany tells what inspect tells, for many keys in one store read, in their order", () =>
    Effect.gen(function*() {
      const cache = yield* Cache.Cache
      const faults = yield* FaultyStore.FaultControl
      yield* cache.set("fresh", 1, { ttl: "1 hour", tags: ["a/1"] })
      yield* cache.set("stale", 2, { ttl: "1 second", grace: "1 hour", tags: ["b"] })
      yield* cache.set("invalid", 3, { ttl: "1 hour", tags: ["a/2/x"] })
      yield* cache.set("soft", 4, { ttl: "1 hour", tags: ["c/1"] })
      yield* TestClock.adjust("2 seconds")
      yield* cache.invalidate("a/2")
      yield* cache.expire("c")
      const keys = ["invalid", "missing", "fresh", "stale", "soft"]
      faults.calls.clear()
      const many = yield* cache.inspectMany(keys)
      expect(faults.calls.get("getMany")).toBe(1)
      expect(faults.calls.get("get") ?? 0).toBe(0)
      expect(many.map(Option.map((info) => [info.key, info.state]))).toEqual([
        Option.some(["invalid", "invalidated"]),
        Option.none(),
        Option.some(["fresh", "fresh"]),
        Option.some(["stale", "stale"]),
        Option.some(["soft", "stale"])
      ])
      const one = yield* Effect.forEach(keys, (key) => cache.inspect(key))
      expect(many).toEqual(one)
      expect(yield* cache.inspectMany([])).toEqual([])
      faults.failing = true
      expect(yield* cache.inspectMany(keys)).toEqual(keys.map(() => Option.none()))
    }).pipe(Effect.provide(faulty()), Effect.provide(Logger.remove(Logger.defaultLogger))))

  it.effect("inspectListing tells what inspectMany tells of the listed keys, in one listEntries call", () =>
    Effect.gen(function*() {
      const cache = yield* Cache.Cache
      const faults = yield* FaultyStore.FaultControl
      yield* cache.set("user:1", 1, { ttl: "1 hour", tags: ["users/1/profile"] })
      yield* cache.set("user:2", 2, { ttl: "1 second", grace: "1 hour", tags: ["users/2"] })
      yield* cache.set("user:10", 3, { ttl: "1 hour", tags: ["users/10", "posts/1"] })
      yield* cache.set("post:1", 4, { ttl: "1 hour", tags: ["posts/1"] })
      yield* cache.set("plain", 5, { ttl: "1 hour" })
      yield* TestClock.adjust("2 seconds")
      yield* cache.invalidate("users/10")
      const byKey = (infos: ReadonlyArray<Cache.EntryInfo>) => [...infos].sort((a, b) => (a.key < b.key ? -1 : 1))
      faults.calls.clear()

      const all = yield* cache.inspectListing({ limit: 100 })
      expect(faults.calls.get("listEntries")).toBe(1)
      expect(faults.calls.get("keys") ?? 0).toBe(0)
      expect(faults.calls.get("getMany") ?? 0).toBe(0)
      const keys = yield* cache.keys({ limit: 100 })
      const many = (yield* cache.inspectMany(keys)).flatMap((info) => Option.isSome(info) ? [info.value] : [])
      expect(Option.map(all, ({ entries, scanned }) => ({ scanned, entries: byKey(entries) }))).toEqual(
        Option.some({ scanned: 5, entries: byKey(many) })
      )

      const users = yield* cache.inspectListing({ prefix: "user:", limit: 100, tag: "users" })
      expect(Option.map(users, ({ entries, scanned }) => [scanned, byKey(entries).map((i) => [i.key, i.state])]))
        .toEqual(Option.some([3, [["user:1", "fresh"], ["user:10", "invalidated"], ["user:2", "stale"]]]))
      // `users/1` covers `users/1/profile`, not `users/10`.
      const one = yield* cache.inspectListing({ limit: 100, tag: "users/1" })
      expect(Option.map(one, ({ entries, scanned }) => [scanned, entries.map((i) => i.key)]))
        .toEqual(Option.some([5, ["user:1"]]))
      const limited = yield* cache.inspectListing({ limit: 2 })
      expect(Option.map(limited, ({ scanned }) => scanned)).toEqual(Option.some(2))

      faults.failing = true
      const failed = yield* Effect.flip(cache.inspectListing({ limit: 100 }))
      expect(failed._tag).toBe("StoreError")
    }).pipe(Effect.provide(faulty()), Effect.provide(Logger.remove(Logger.defaultLogger))))

  it.effect("inspectListing is None over a store that cannot list entries", () =>
    Effect.gen(function*() {
      const cache = yield* Cache.Cache
      yield* cache.set("k", 1)
      expect(yield* cache.inspectListing({ limit: 10 })).toEqual(Option.none())
    }).pipe(
      Effect.provide(
        Cache.layer().pipe(
          Layer.provide(Layer.scopedContext(Effect.gen(function*() {
            const backend = yield* MemoryStore.make()
            const { listEntries: _, ...store } = backend.store
            return Store.context({ store, tagVersions: backend.tagVersions })
          })))
        )
      )
    ))

  it.effect("a soft timeout serves the stale value while the fetch goes on and still writes", () =>
    Effect.gen(function*() {
      const cache = yield* Cache.Cache
      const slow = (value: string) => Effect.as(Effect.sleep("5 seconds"), value)
      yield* cache.set("k", "old", { ttl: "1 second", grace: "1 hour" })
      yield* TestClock.adjust("2 seconds")
      const fiber = yield* Effect.fork(
        cache.getOrFetch("k", slow("new"), { policy: "NetworkOnly", timeout: { soft: "100 millis" } })
      )
      yield* TestClock.adjust("100 millis")
      expect(yield* Fiber.join(fiber)).toBe("old")
      yield* TestClock.adjust("5 seconds")
      expect(yield* cache.get("k")).toEqual(Option.some("new"))
    }).pipe(Effect.provide(live())))

  it.effect("a hard timeout interrupts the fetch and fails with FetchTimeoutError", () =>
    Effect.gen(function*() {
      const cache = yield* Cache.Cache
      const interrupted = yield* Ref.make(false)
      const slow = Effect.as(Effect.sleep("1 minute"), "late").pipe(
        Effect.onInterrupt(() => Ref.set(interrupted, true))
      )
      const fiber = yield* Effect.fork(Effect.flip(cache.getOrFetch("k", slow, { timeout: { hard: "1 second" } })))
      yield* TestClock.adjust("1 second")
      const error = yield* Fiber.join(fiber)
      expect(error).toBeInstanceOf(Cache.FetchTimeoutError)
      expect(error._tag).toBe("FetchTimeoutError")
      expect(yield* Ref.get(interrupted)).toBe(true)
    }).pipe(Effect.provide(live())))
})

describe("Cache single-flight", () => {
  it.effect("1,000 concurrent misses of one key run the lookup once", () =>
    Effect.gen(function*() {
      const cache = yield* Cache.Cache
      const runs = yield* Ref.make(0)
      const gate = yield* Deferred.make<void>()
      const lookup = Effect.zipRight(Ref.update(runs, (n) => n + 1), Effect.as(Deferred.await(gate), "value"))
      const fibers = yield* Effect.forEach(
        Array.from({ length: 1_000 }, () => cache.getOrFetch("hot", lookup)),
        Effect.fork
      )
      yield* Effect.yieldNow()
      yield* Deferred.succeed(gate, undefined)
      const values = yield* Fiber.joinAll(fibers)
      expect(values.length).toBe(1_000)
      expect(new Set(values)).toEqual(new Set(["value"]))
      expect(yield* Ref.get(runs)).toBe(1)
    }).pipe(Effect.provide(live())))

  it.effect("interrupting every waiter interrupts the lookup; one waiter left keeps it running", () =>
    Effect.gen(function*() {
      const cache = yield* Cache.Cache
      const interrupted = yield* Ref.make(0)
      const started = yield* Ref.make(0)
      const lookup = Ref.update(started, (n) => n + 1).pipe(
        Effect.zipRight(Effect.never),
        Effect.onInterrupt(() => Ref.update(interrupted, (n) => n + 1))
      )
      const fibers = yield* Effect.forEach(Array.from({ length: 10 }, () => cache.getOrFetch("k", lookup)), Effect.fork)
      yield* Effect.yieldNow()
      yield* Fiber.interruptAll(fibers.slice(0, 9))
      expect(yield* Ref.get(interrupted)).toBe(0)
      yield* Fiber.interrupt(fibers[9]!)
      yield* Effect.yieldNow()
      expect(yield* Ref.get(started)).toBe(1)
      expect(yield* Ref.get(interrupted)).toBe(1)
      expect((yield* cache.stats).inflight).toBe(0)
    }).pipe(Effect.provide(live())))
})

describe("Cache invalidation and single-flight", () => {
  it.effect("a read that starts after invalidate returns never joins a fetch that started before it", () =>
    Effect.gen(function*() {
      const cache = yield* Cache.Cache
      const row = yield* Ref.make("old")
      const gate = yield* Deferred.make<void>()
      const started = yield* Deferred.make<void>()
      // The first fetch reads the row, then is slow to finish (e.g. its store write hangs).
      const slow = Effect.gen(function*() {
        const value = yield* Ref.get(row)
        yield* Deferred.succeed(started, undefined)
        yield* Deferred.await(gate)
        return value
      })
      const first = yield* Effect.fork(cache.getOrFetch("post", slow, { tags: "posts" }))
      yield* Deferred.await(started)
      yield* Ref.set(row, "new")
      yield* cache.invalidate("posts")
      // Started after the invalidation returned: it must not get the value read before it.
      const second = yield* Effect.fork(cache.getOrFetch("post", Ref.get(row), { tags: "posts" }))
      yield* Deferred.succeed(gate, undefined)
      expect(yield* Fiber.join(first)).toBe("old")
      expect(yield* Fiber.join(second)).toBe("new")
      expect(yield* cache.getOrFetch("post", Ref.get(row), { tags: "posts" })).toBe("new")
    }).pipe(Effect.provide(Cache.layer().pipe(Layer.provide(MemoryStore.layer())))))
})

describe("Cache fail-open", () => {
  it.effect("a failing store never fails the caller; errors are logged and counted; the breaker skips the store", () =>
    Effect.gen(function*() {
      const { layer: logs, lines } = yield* captureLogs
      yield* Effect.gen(function*() {
        const cache = yield* Cache.Cache
        const faults = yield* FaultyStore.FaultControl
        faults.failing = true
        const { lookup, runs } = yield* counted
        for (let i = 0; i < 5; i++) expect(yield* cache.getOrFetch(`k${i}`, lookup)).toMatch(/^v/)
        const stats = yield* cache.stats
        expect(stats.storeErrors).toBeGreaterThanOrEqual(5)
        expect(stats.breaker).toBe("open")
        expect(lines.some((line) => line.includes("continuing without the store"))).toBe(true)
        expect(lines.some((line) => line.includes("skipping it"))).toBe(true)
        const callsWhenOpened = [...faults.calls.values()].reduce((a, b) => a + b, 0)
        for (let i = 0; i < 20; i++) yield* cache.getOrFetch("other", lookup)
        expect([...faults.calls.values()].reduce((a, b) => a + b, 0)).toBe(callsWhenOpened)
        expect(yield* Ref.get(runs)).toBe(25)
        expect((yield* cache.stats).storeSkips).toBeGreaterThan(0)
        // The store is back: the first call after the probe's wait (at most breakerCooldown) uses it.
        faults.failing = false
        yield* TestClock.adjust("1 second")
        yield* cache.getOrFetch("again", lookup)
        expect(yield* cache.getOrFetch("again", lookup)).toBe("v26")
        expect((yield* cache.stats).breaker).toBe("closed")
      }).pipe(Effect.provide(logs))
    }).pipe(Effect.provide(faulty({ breakerThreshold: 5 }))))

  it.effect("recovery: after a 35-second outage under steady reads, the store serves again within a second", () =>
    Effect.gen(function*() {
      const cache = yield* Cache.Cache
      const faults = yield* FaultyStore.FaultControl
      const { lookup } = yield* counted
      yield* cache.getOrFetch("warm", lookup, { ttl: "1 hour" })
      faults.failing = true
      // 35 s of outage, four reads a second.
      for (let i = 0; i < 140; i++) {
        yield* cache.getOrFetch(`k${i % 10}`, lookup)
        yield* TestClock.adjust("250 millis")
      }
      expect((yield* cache.stats).breaker).toBe("open")
      faults.failing = false
      // Keep reading every 25 ms: the cached value is served again within a second.
      let recovered = Infinity
      for (let t = 0; t <= 2_000; t += 25) {
        const before = faults.calls.get("get") ?? 0
        const value = yield* cache.getOrFetch("warm", lookup, { ttl: "1 hour" })
        if (value === "v1" && (faults.calls.get("get") ?? 0) > before) {
          recovered = t
          break
        }
        yield* TestClock.adjust("25 millis")
      }
      expect(recovered).toBeLessThanOrEqual(1_000)
      expect((yield* cache.stats).breaker).toBe("closed")
    }).pipe(
      Effect.provide(faulty({ storeTimeout: "200 millis" })),
      Effect.provide(Logger.minimumLogLevel(LogLevel.None))
    ))

  it.effect("a store that hangs past storeTimeout falls back to the lookup", () =>
    Effect.gen(function*() {
      const cache = yield* Cache.Cache
      const faults = yield* FaultyStore.FaultControl
      faults.latency = Duration.minutes(1)
      const fiber = yield* Effect.fork(cache.getOrFetch("k", Effect.succeed("direct")))
      yield* TestClock.adjust("500 millis")
      yield* TestClock.adjust("500 millis")
      yield* TestClock.adjust("500 millis")
      expect(yield* Fiber.join(fiber)).toBe("direct")
      expect((yield* cache.stats).storeErrors).toBeGreaterThan(0)
    }).pipe(Effect.provide(faulty({ storeTimeout: "500 millis" }))))

  it.effect("an invalidation the store refuses does not fail the caller: it is deferred, logged, counted, and awaitable", () =>
    Effect.gen(function*() {
      const { layer: logs, lines } = yield* captureLogs
      yield* Effect.gen(function*() {
        const cache = yield* Cache.Cache
        const faults = yield* FaultyStore.FaultControl
        faults.failing = true
        yield* cache.invalidate("users/1")
        expect(lines.some((line) => line.includes("invalidation of users/1 deferred"))).toBe(true)
        expect((yield* cache.stats).pendingInvalidations).toBe(1)
        faults.failing = false
        yield* cache.awaitPendingInvalidations
        expect((yield* cache.stats).pendingInvalidations).toBe(0)
        expect((yield* cache.stats).deferredInvalidations).toBe(1)
      }).pipe(Effect.provide(logs))
    }).pipe(Effect.provide(faulty())))
})

describe("Cache codec", () => {
  const User = Schema.Struct({ id: Schema.Number, born: Schema.Date })

  it.effect("a corrupt or wrongly shaped stored value is a miss: deleted, counted, refetched", () =>
    Effect.gen(function*() {
      const cache = yield* Cache.Cache
      const store = yield* Store.Store
      const now = Date.now()
      const bad = (value: string): Store.Entry => ({
        value,
        stamp: 1,
        createdAt: now,
        ttl: 60_000,
        grace: 0,
        tags: [],
        failed: false
      })
      yield* store.set(`${cache.prefix}a`, bad("{not json"))
      yield* store.set(`${cache.prefix}b`, bad(JSON.stringify({ id: "x" })))
      const fresh = { id: 1, born: new Date(0) }
      expect(yield* cache.getOrFetch("a", Effect.succeed(fresh), { schema: User })).toEqual(fresh)
      expect(yield* cache.getOrFetch("b", Effect.succeed(fresh), { schema: User })).toEqual(fresh)
      expect((yield* cache.stats).decodeFailures).toBe(2)
      const again = yield* cache.getOrFetch("a", Effect.die("not called"), { schema: User })
      expect(again.born).toBeInstanceOf(Date)
    }).pipe(Effect.provide(live())))

  it.effect("cached values are frozen so a caller cannot corrupt the cache", () =>
    Effect.gen(function*() {
      const cache = yield* Cache.Cache
      yield* cache.getOrFetch("k", Effect.succeed({ list: [1, 2] }))
      const read = yield* cache.getOrFetch("k", Effect.succeed({ list: [] as Array<number> }))
      expect(Object.isFrozen(read)).toBe(true)
      expect(Object.isFrozen(read.list)).toBe(true)
    }).pipe(Effect.provide(live())))
})

describe("Cache options", () => {
  it.effect("each policy", () =>
    Effect.gen(function*() {
      const cache = yield* Cache.Cache
      const { lookup, runs } = yield* counted
      expect(yield* cache.getOrFetch("k", lookup, { policy: "CacheOnly" })).toEqual(Option.none())
      expect(yield* cache.getOrFetch("k", lookup, { policy: "NoCache" })).toBe("v1")
      expect(yield* cache.get("k")).toEqual(Option.none())
      expect(yield* cache.getOrFetch("k", lookup)).toBe("v2")
      expect(yield* cache.getOrFetch("k", lookup, { policy: "CacheOrNetwork" })).toBe("v2")
      expect(yield* cache.getOrFetch("k", lookup, { policy: "NetworkOnly" })).toBe("v3")
      expect(yield* cache.getOrFetch("k", lookup, { policy: "CacheOnly" })).toEqual(Option.some("v3"))
      const streamed = yield* Stream.runCollect(cache.getOrFetch("k", lookup, { policy: "CacheAndNetwork" }))
      expect([...streamed]).toEqual(["v3", "v4"])
      yield* cache.delete("k")
      expect([...(yield* Stream.runCollect(cache.getOrFetch("k", lookup, { policy: "CacheAndNetwork" })))]).toEqual([
        "v5"
      ])
      expect(yield* Ref.get(runs)).toBe(5)
    }).pipe(Effect.provide(live())))

  it.effect("when: only values for which it holds are cached; ttl may depend on the result", () =>
    Effect.gen(function*() {
      const cache = yield* Cache.Cache
      const { lookup, runs } = yield* counted
      const options = {
        when: (v: string) => v !== "v1",
        ttl: (exit: Exit.Exit<string>) => (Exit.isSuccess(exit) && exit.value === "v2" ? "1 second" : "1 hour")
      }
      yield* cache.getOrFetch("k", lookup, options)
      yield* cache.getOrFetch("k", lookup, options)
      yield* cache.getOrFetch("k", lookup, options)
      expect(yield* Ref.get(runs)).toBe(2)
      yield* TestClock.adjust("1 second")
      expect(yield* cache.getOrFetch("k", lookup, options)).toBe("v3")
    }).pipe(Effect.provide(live())))

  it.effect("typed failures are cached with their own ttl", () =>
    Effect.gen(function*() {
      const cache = yield* Cache.Cache
      const runs = yield* Ref.make(0)
      const lookup = Effect.zipRight(Ref.update(runs, (n) => n + 1), Effect.fail(new NotFound({ id: "1" })))
      const options = { ttl: "1 hour", failures: { schema: NotFound, ttl: "5 seconds" } } as const
      const first = yield* Effect.flip(cache.getOrFetch("k", lookup, options))
      const second = yield* Effect.flip(cache.getOrFetch("k", lookup, options))
      expect(first).toEqual(second)
      expect(second).toBeInstanceOf(NotFound)
      expect(yield* Ref.get(runs)).toBe(1)
      yield* TestClock.adjust("5 seconds")
      yield* Effect.flip(cache.getOrFetch("k", lookup, options))
      expect(yield* Ref.get(runs)).toBe(2)
      // Without failure caching nothing is stored.
      yield* Effect.flip(cache.getOrFetch("other", lookup))
      yield* Effect.flip(cache.getOrFetch("other", lookup))
      expect(yield* Ref.get(runs)).toBe(4)
    }).pipe(Effect.provide(live())))

  it.effect("enabled: false makes every call fetch and stores nothing", () =>
    Effect.gen(function*() {
      const cache = yield* Cache.Cache
      const { lookup, runs } = yield* counted
      yield* cache.getOrFetch("k", lookup)
      yield* cache.getOrFetch("k", lookup)
      yield* cache.set("x", 1)
      expect(yield* Ref.get(runs)).toBe(2)
      expect(yield* cache.get("x")).toEqual(Option.none())
      expect(yield* cache.keys()).toEqual([])
    }).pipe(Effect.provide(live({ enabled: false }))))

  it.effect("per-context keys keep one entry per context value", () =>
    Effect.gen(function*() {
      const cache = yield* Cache.Cache
      const { lookup, runs } = yield* counted
      const user = yield* Ref.make("alice")
      const options = { context: Ref.get(user) }
      expect(yield* cache.getOrFetch("me", lookup, options)).toBe("v1")
      yield* Ref.set(user, "bob")
      expect(yield* cache.getOrFetch("me", lookup, options)).toBe("v2")
      yield* Ref.set(user, "alice")
      expect(yield* cache.getOrFetch("me", lookup, options)).toBe("v1")
      expect(yield* Ref.get(runs)).toBe(2)
    }).pipe(Effect.provide(live())))

  it.effect("namespace and version bumps bust everything; keys and clear stay inside the namespace", () =>
    Effect.gen(function*() {
      const memory = yield* MemoryStore.make()
      const on = (options: Cache.Options) => Effect.provide(Cache.make(options), Store.context(memory))
      const v1 = yield* on({ namespace: "app", version: 1 })
      const v2 = yield* on({ namespace: "app", version: 2 })
      const other = yield* on({ namespace: "other" })
      yield* v1.set("k", "one")
      yield* other.set("k", "other")
      expect(yield* v1.get("k")).toEqual(Option.some("one"))
      expect(yield* v2.get("k")).toEqual(Option.none())
      expect(yield* v1.keys()).toEqual(["k"])
      expect(yield* v1.clear).toBe(1)
      expect(yield* other.get("k")).toEqual(Option.some("other"))
    }).pipe(Effect.scoped))

  it.effect("batches: 100 keys with 30 misses read the store once and fetch the 30 in one call", () =>
    Effect.gen(function*() {
      const cache = yield* Cache.Cache
      const faults = yield* FaultyStore.FaultControl
      const ids = Array.from({ length: 100 }, (_, i) => i)
      for (const id of ids.slice(0, 70)) yield* cache.set(["item", id], `cached ${id}`)
      faults.calls.clear()
      const batches: Array<ReadonlyArray<number>> = []
      const values = yield* cache.getOrFetchMany(
        ids,
        (missing) =>
          Effect.sync(() => {
            batches.push(missing)
            return missing.map((id) => `fetched ${id}`)
          }),
        { key: (id) => ["item", id] }
      )
      expect(values).toEqual(ids.map((id) => (id < 70 ? `cached ${id}` : `fetched ${id}`)))
      expect(batches).toEqual([ids.slice(70)])
      expect(faults.calls.get("getMany")).toBe(1)
      expect(faults.calls.get("get")).toBeUndefined()
      expect(faults.calls.get("setMany")).toBe(1)
      const again = yield* cache.getMany<string>(ids.map((id) => ["item", id]))
      expect(again.every(Option.isSome)).toBe(true)
    }).pipe(Effect.provide(faulty())))

  it.effect("findMany keys a fetch by the latest version of a row set", () =>
    Effect.gen(function*() {
      const cache = yield* Cache.Cache
      const { lookup, runs } = yield* counted
      const latest = yield* Ref.make({ id: 7, updatedAt: 1000 })
      yield* cache.findMany("posts", Ref.get(latest), lookup)
      yield* cache.findMany("posts", Ref.get(latest), lookup)
      expect(yield* Ref.get(runs)).toBe(1)
      yield* Ref.set(latest, { id: 7, updatedAt: 2000 })
      expect(yield* cache.findMany("posts", Ref.get(latest), lookup)).toBe("v2")
    }).pipe(Effect.provide(live())))

  it.effect("inspect reports tags, age, ttl, grace, state and size", () =>
    Effect.gen(function*() {
      const cache = yield* Cache.Cache
      yield* cache.set("k", { a: 1 }, { ttl: "10 seconds", grace: "5 seconds", tags: ["users/1", "posts"] })
      yield* TestClock.adjust("3 seconds")
      const info = Option.getOrThrow(yield* cache.inspect("k"))
      expect(info).toMatchObject({
        key: "k",
        tags: ["users/1", "posts"],
        ageMillis: 3000,
        ttlMillis: 10_000,
        graceMillis: 5_000,
        state: "fresh",
        failed: false
      })
      expect(info.size).toBeGreaterThan(0)
      expect(HashSet.size(HashSet.fromIterable(yield* cache.keys({ prefix: "k" })))).toBe(1)
    }).pipe(Effect.provide(live())))
})

describe("Cache metrics", () => {
  it.effect("Effect metrics follow the cache's tallies, tagged with its namespace", () =>
    Effect.gen(function*() {
      const cache = yield* Cache.Cache
      const { lookup } = yield* counted
      for (let i = 0; i < 3; i++) yield* cache.getOrFetch("k", lookup)
      yield* cache.invalidate("users/1")
      const stats = yield* cache.stats
      const value = (counter: Metric.Metric.Counter<number>) =>
        Effect.map(Metric.value(Metric.tagged(counter, "namespace", cache.prefix)), (state) => state.count)
      expect(stats).toMatchObject({ hits: 2, misses: 1, fetches: 1, invalidations: 1 })
      expect(yield* value(CacheMetrics.hits)).toBe(2)
      expect(yield* value(CacheMetrics.misses)).toBe(1)
      expect(yield* value(CacheMetrics.fetches)).toBe(1)
      expect(yield* value(CacheMetrics.invalidations)).toBe(1)
      yield* cache.getOrFetch("k", lookup)
      yield* cache.stats
      expect(yield* value(CacheMetrics.hits)).toBe(3)
    }).pipe(Effect.provide(live({ namespace: "metrics-test" }))))
})

describe("Cache tracing", () => {
  it.effect("a fetch runs in a cachet.fetch span when a tracer is installed", () =>
    Effect.gen(function*() {
      const names: Array<string> = []
      const native = yield* Effect.tracer
      const recording = Tracer.make({
        span: (name, parent, context, links, startTime, kind, options) => {
          names.push(name)
          return native.span(name, parent, context, links, startTime, kind, options)
        },
        context: (f) => f()
      })
      yield* Effect.gen(function*() {
        const cache = yield* Cache.Cache
        yield* cache.getOrFetch("traced", Effect.succeed(1))
        yield* cache.getOrFetch("traced", Effect.succeed(2))
      }).pipe(Effect.provide(live()), Effect.withTracer(recording))
      expect(names).toEqual(["cachet.fetch"])
    }))
})

describe("getOrFetch's onServed", () => {
  it.effect("tells how each read was served: miss, hit, stale (ttl or soft expiry), with the entry's age", () =>
    Effect.gen(function*() {
      const cache = yield* Cache.Cache
      const seen: Array<Cache.Served> = []
      const read = cache.getOrFetch("k", Effect.succeed("v"), {
        ttl: "10 seconds",
        grace: "1 minute",
        tags: ["t"],
        onServed: (served) => seen.push(served)
      })
      yield* read
      yield* TestClock.adjust("3 seconds")
      yield* read
      // A hit on the hit path (an entry already judged), in a generator too.
      yield* TestClock.adjust("1 second")
      yield* Effect.gen(function*() {
        return yield* read
      })
      yield* TestClock.adjust("7 seconds")
      yield* read
      yield* Effect.yieldNow()
      yield* cache.expire("t")
      yield* read
      expect(seen.map((s) => s.outcome)).toEqual(["miss", "hit", "hit", "stale", "stale"])
      expect(seen[1]).toMatchObject({ key: "k", ageMillis: 3000 })
      expect(seen[2]).toMatchObject({ key: "k", ageMillis: 4000 })
      expect(seen[3]!.ageMillis).toBe(11_000)
      // Reads without onServed are not reported.
      yield* cache.getOrFetch("k", Effect.succeed("v"))
      expect(seen.length).toBe(5)
    }).pipe(Effect.provide(live())))
})

describe("Cache.withRequestMemo", () => {
  it.effect("inside the region a key is read from the store once; writes and invalidations forget", () =>
    Effect.gen(function*() {
      const cache = yield* Cache.Cache
      const faults = yield* FaultyStore.FaultControl
      yield* cache.set("k", "one", { tags: ["t"] })
      const storeReads = () => faults.calls.get("get") ?? 0
      const read = cache.getOrFetch("k", Effect.succeed("fetched"), { tags: ["t"] })
      yield* Cache.withRequestMemo(Effect.gen(function*() {
        const before = storeReads()
        expect(yield* read).toBe("one")
        expect(yield* read).toBe("one")
        expect(yield* read).toBe("one")
        expect(storeReads() - before).toBe(1)
        yield* cache.invalidate("t")
        expect(yield* read).toBe("fetched")
        expect(storeReads() - before).toBe(2)
        yield* cache.set("k", "two")
        expect(yield* read).toBe("two")
      }))
      // Outside a region every read goes to the store.
      const before = storeReads()
      yield* read
      yield* read
      expect(storeReads() - before).toBe(2)
    }).pipe(Effect.provide(faulty())))
})

describe("Cache batched writes", () => {
  it.effect("setMany writes every entry with its own ttl and tags in one store call", () =>
    Effect.gen(function*() {
      const cache = yield* Cache.Cache
      const faults = yield* FaultyStore.FaultControl
      faults.calls.clear()
      yield* cache.setMany([
        { key: ["a"], value: 1, ttl: "1 minute", tags: ["t/a"] },
        { key: ["b"], value: 2, ttl: "10 minutes" }
      ])
      expect([faults.calls.get("setMany"), faults.calls.get("set")]).toEqual([1, undefined])
      expect(yield* cache.getMany<number>([["a"], ["b"]])).toEqual([Option.some(1), Option.some(2)])
      yield* TestClock.adjust("2 minutes")
      expect(yield* cache.getMany<number>([["a"], ["b"]])).toEqual([Option.none(), Option.some(2)])
      yield* cache.setMany([{ key: ["c"], value: 3, tags: ["t/c"] }])
      yield* cache.invalidate("t")
      expect(yield* cache.get<number>(["c"])).toEqual(Option.none())
    }).pipe(Effect.provide(faulty())))

  it.effect("a stamp read before a computation makes an invalidation during it win over the write", () =>
    Effect.gen(function*() {
      const cache = yield* Cache.Cache
      const stamp = yield* cache.stamp
      yield* cache.invalidate("users/1")
      yield* cache.setMany([{ key: ["old"], value: "computed before", tags: ["users/1/profile"] }], { stamp })
      expect(yield* cache.get(["old"])).toEqual(Option.none())
      yield* cache.setMany([{ key: ["new"], value: "computed after", tags: ["users/1/profile"] }], {
        stamp: yield* cache.stamp
      })
      expect(yield* cache.get(["new"])).toEqual(Option.some("computed after"))
    }).pipe(Effect.provide(live())))
})
