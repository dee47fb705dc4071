/**
 * The read policies on their own (`internal/policies.ts`), over reads, writes and flights built
 * by hand from their parts: each policy, the `enabled` switch, the `context` key part, the
 * served report (`onServed`) and the request memo (`Cache.withRequestMemo`), and
 * stale-while-revalidate.
 */
import { Cache, Key, Store } from "@cachet/core"
import { describe, expect, it } from "@effect/vitest"
import {
  Chunk,
  Context,
  Deferred,
  Effect,
  Exit,
  Logger,
  LogLevel,
  Option,
  Queue,
  Schema,
  Stream,
  TestClock
} from "effect"

import * as Flight from "../src/internal/flight.js"
import { type AnyFetchOptions, resolver } from "../src/internal/options.js"
import * as Policies from "../src/internal/policies.js"
import * as Reads from "../src/internal/reads.js"
import * as Writes from "../src/internal/writes.js"
import * as StoreParts from "./StoreParts.js"

const quiet = Effect.provide(Logger.minimumLogLevel(LogLevel.None))

const prefix = "test:1:"

/** The policies over a memory store (reached as `path` says), with ttl 100 ms and grace 1 s by default. */
const make = (path: StoreParts.Path = "sync", settings: { readonly enabled?: boolean } = {}) =>
  Effect.gen(function*() {
    const parts = yield* StoreParts.make(path)
    // Every write the store takes, in order: what a test waits on when a write happens in the background.
    const written = yield* Queue.unbounded<string>()
    const store: Store.Service = {
      ...parts.store,
      set: (key, entry) => Effect.zipLeft(parts.store.set(key, entry), Queue.offer(written, key))
    }
    const reads = Reads.make({ ...parts, prefix, store })
    const writes = Writes.make({ ...parts, prefix, store })
    const flights = yield* Flight.make({
      scope: yield* Effect.scope,
      counters: parts.counters,
      reads,
      writes,
      guard: parts.guard,
      lock: Option.none(),
      lockMillis: { ttlMillis: 1_000, waitMillis: 1_000 },
      storeLocal: store.local,
      now: parts.now,
      generation: () => 0
    })
    const storeKeyOf = (input: Key.Input) => Key.bound(prefix + Key.encode(input))
    const policies = Policies.make({
      prefix,
      enabled: settings.enabled ?? true,
      counters: parts.counters,
      reads,
      writes,
      flights,
      resolve: resolver({ ttl: 100, grace: 1_000 }),
      storeKeyOf,
      now: parts.now
    })
    let fetched = 0
    /** A fetch that counts its runs. */
    const fetch = <A>(value: A) => Effect.sync(() => (fetched++, value))
    // The requirements of `options.context` are the caller's to provide (they are not tracked here).
    const read = <R = never>(key: Key.Input, effect: Effect.Effect<unknown, unknown, R>, options?: object) =>
      policies.getOrFetch(key, effect, options as AnyFetchOptions) as Effect.Effect<unknown, unknown, R>
    const stream = <R = never>(key: Key.Input, effect: Effect.Effect<unknown, unknown, R>, options?: object) =>
      Stream.runCollect(
        policies.getOrFetch(key, effect, options as AnyFetchOptions) as Stream.Stream<unknown, unknown, R>
      )
        .pipe(Effect.map(Chunk.toReadonlyArray))
    const valueAt = (key: Key.Input) =>
      Effect.map(parts.stored(storeKeyOf(key)), (entry) => entry && JSON.parse(entry.value))
    return { ...parts, policies, flights, written, storeKeyOf, fetch, fetched: () => fetched, read, stream, valueAt }
  })

class CurrentUser extends Context.Tag("test/CurrentUser")<CurrentUser, string>() {}

class NotFound extends Schema.TaggedError<NotFound>()("NotFound", { id: Schema.Number }) {}

describe("Policies", () => {
  for (const path of ["sync", "get"] as const) {
    it.scoped(`CacheOrNetwork (${path}): a miss fetches and writes, then a hit is served without fetching`, () =>
      Effect.gen(function*() {
        const { counters, faults, fetch, fetched, read, valueAt } = yield* make(path)
        expect(yield* read("k", fetch({ n: 1 }))).toEqual({ n: 1 })
        expect(yield* read("k", fetch({ n: 2 }))).toEqual({ n: 1 })
        expect(fetched()).toBe(1)
        expect(yield* valueAt("k")).toEqual({ n: 1 })
        expect(counters).toMatchObject({ misses: 1, hits: 1, staleHits: 0, fetches: 1, writes: 1 })
        if (path === "get") expect(faults.calls.get("get")).toBe(2)
      }))
  }

  it.scoped("CacheOrNetwork: a stale entry is served at once and refreshed once in the background", () =>
    Effect.gen(function*() {
      const { counters, flights, put, read, storeKeyOf, valueAt, written } = yield* make()
      yield* put(storeKeyOf("k"), "old", { ttl: 100, grace: 1_000 })
      yield* TestClock.adjust(150)
      const release = yield* Deferred.make<void>()
      const refresh = Effect.as(Deferred.await(release), "new")
      // The refresh is blocked, and the stale value still comes back: it did not wait for it.
      expect(yield* read("k", refresh)).toBe("old")
      expect(yield* read("k", refresh)).toBe("old")
      expect(flights.size()).toBe(1)
      expect(counters).toMatchObject({ staleHits: 2, backgroundRefreshes: 1, misses: 0 })
      yield* Deferred.succeed(release, undefined)
      expect(yield* Queue.take(written)).toBe(storeKeyOf("k"))
      expect(yield* valueAt("k")).toBe("new")
      expect(yield* read("k", Effect.die("not called"))).toBe("new")
      expect(counters).toMatchObject({ hits: 1, fetches: 1 })
    }))

  it.scoped("CacheOrNetwork: an entry that does not decode with the schema is dropped, counted, and fetched anew", () =>
    Effect.gen(function*() {
      const { counters, fetch, put, read, storeKeyOf, valueAt } = yield* make()
      yield* put(storeKeyOf("k"), "text")
      expect(yield* read("k", fetch(5), { schema: Schema.Number }).pipe(quiet)).toBe(5)
      expect(yield* valueAt("k")).toBe(5)
      expect(counters).toMatchObject({ decodeFailures: 1, misses: 1, fetches: 1, writes: 1 })
    }))

  it.scoped("CacheOrNetwork: with the store unreachable every read fetches, and nothing is written", () =>
    Effect.gen(function*() {
      const { counters, faults, fetch, fetched, read } = yield* make("get")
      faults.failing = true
      expect(yield* read("k", fetch(1)).pipe(quiet)).toBe(1)
      expect(yield* read("k", fetch(2)).pipe(quiet)).toBe(2)
      expect(fetched()).toBe(2)
      expect(faults.calls.get("set")).toBeUndefined()
      expect(faults.calls.get("counter")).toBeUndefined()
      expect(counters).toMatchObject({ misses: 2, writes: 0 })
    }))

  it.scoped("CacheOrNetwork: a cached failure is served to calls with its failure schema, and not to calls without", () =>
    Effect.gen(function*() {
      const { counters, read } = yield* make()
      const failures = { failures: { schema: NotFound } }
      expect(yield* Effect.flip(read("k", Effect.fail(new NotFound({ id: 1 })), failures))).toEqual(
        new NotFound({ id: 1 })
      )
      expect(yield* Effect.flip(read("k", Effect.die("not called"), failures))).toEqual(new NotFound({ id: 1 }))
      expect(counters).toMatchObject({ fetches: 1, hits: 1 })
      // A call that does not cache failures does not take one for an answer: it fetches.
      expect(yield* read("k", Effect.succeed("value"))).toBe("value")
      expect(counters).toMatchObject({ fetches: 2 })
    }))

  it.scoped("CacheAndNetwork: a stream of the cached value then the fresh one, which is written", () =>
    Effect.gen(function*() {
      const { counters, fetch, put, stream, storeKeyOf, valueAt } = yield* make()
      yield* put(storeKeyOf("k"), "old")
      expect(yield* stream("k", fetch("new"), { policy: "CacheAndNetwork" })).toEqual(["old", "new"])
      expect(yield* valueAt("k")).toBe("new")
      expect(counters).toMatchObject({ hits: 1, fetches: 1, writes: 1 })
      // Nothing cached: only the fresh value.
      expect(yield* stream("other", fetch("fresh"), { policy: "CacheAndNetwork" })).toEqual(["fresh"])
      expect(counters).toMatchObject({ misses: 1, fetches: 2 })
    }))

  it.scoped("NetworkOnly: fetches and writes even over a fresh entry; serves the cached value if the fetch fails", () =>
    Effect.gen(function*() {
      const { counters, fetch, fetched, put, read, storeKeyOf, valueAt } = yield* make()
      yield* put(storeKeyOf("k"), "old")
      expect(yield* read("k", fetch("new"), { policy: "NetworkOnly" })).toBe("new")
      expect(fetched()).toBe(1)
      expect(yield* valueAt("k")).toBe("new")
      expect(yield* read("k", Effect.fail("down"), { policy: "NetworkOnly" }).pipe(quiet)).toBe("new")
      expect(counters).toMatchObject({ fetches: 2, fetchFailures: 1, staleIfError: 1, writes: 1 })
      expect(yield* Effect.flip(read("absent", Effect.fail("down"), { policy: "NetworkOnly" }))).toBe("down")
    }))

  it.scoped("NetworkOnly with the store unreachable fetches and does not try to write", () =>
    Effect.gen(function*() {
      const { counters, faults, fetch, read } = yield* make("get")
      faults.failing = true
      expect(yield* read("k", fetch("v"), { policy: "NetworkOnly" }).pipe(quiet)).toBe("v")
      expect(faults.calls.get("set")).toBeUndefined()
      expect(faults.calls.get("counter")).toBeUndefined()
      expect(counters).toMatchObject({ fetches: 1, writes: 0, storeErrors: 1 })
    }))

  it.scoped("CacheOnly: the value if fresh or in grace, None otherwise; never fetches", () =>
    Effect.gen(function*() {
      const { counters, put, read, storeKeyOf } = yield* make()
      const never = Effect.die("not called")
      expect(yield* read("k", never, { policy: "CacheOnly" })).toEqual(Option.none())
      yield* put(storeKeyOf("k"), "v", { ttl: 100, grace: 50 })
      expect(yield* read("k", never, { policy: "CacheOnly" })).toEqual(Option.some("v"))
      yield* TestClock.adjust(120)
      expect(yield* read("k", never, { policy: "CacheOnly" })).toEqual(Option.some("v"))
      yield* TestClock.adjust(30)
      expect(yield* read("k", never, { policy: "CacheOnly" })).toEqual(Option.none())
      expect(counters).toMatchObject({ misses: 2, hits: 1, staleHits: 1, fetches: 0, backgroundRefreshes: 0 })
    }))

  it.scoped("NoCache: fetches every time, never writes, ignores what is cached", () =>
    Effect.gen(function*() {
      const { counters, fetch, fetched, put, read, storeKeyOf, valueAt } = yield* make()
      yield* put(storeKeyOf("k"), "cached")
      expect(yield* read("k", fetch("a"), { policy: "NoCache" })).toBe("a")
      expect(yield* read("other", fetch("b"), { policy: "NoCache" })).toBe("b")
      expect(fetched()).toBe(2)
      expect(yield* valueAt("k")).toBe("cached")
      expect(yield* valueAt("other")).toBeUndefined()
      expect(counters).toMatchObject({ fetches: 2, writes: 0, hits: 0, misses: 0 })
    }))

  it.scoped("enabled: false: every policy fetches, nothing is read or written, CacheOnly finds nothing", () =>
    Effect.gen(function*() {
      const { counters, faults, fetch, fetched, put, read, storeKeyOf, stream } = yield* make("get", { enabled: false })
      yield* put(storeKeyOf("k"), "cached")
      expect(yield* read("k", fetch(1))).toBe(1)
      expect(yield* read("k", fetch(2), { policy: "NetworkOnly" })).toBe(2)
      expect(yield* read("k", fetch(3), { policy: "NoCache" })).toBe(3)
      expect(yield* stream("k", fetch(4), { policy: "CacheAndNetwork" })).toEqual([4])
      expect(yield* read("k", fetch(5), { policy: "CacheOnly" })).toEqual(Option.none())
      expect(fetched()).toBe(4)
      expect(Object.fromEntries(faults.calls)).toEqual({})
      expect(counters).toMatchObject({ fetches: 4, writes: 0, hits: 0, misses: 0 })
    }))

  it.scoped("context: a part taken from the context goes into the key, so each user has an entry", () =>
    Effect.gen(function*() {
      const { read, stream, storeKeyOf, valueAt } = yield* make()
      const perUser = { context: CurrentUser }
      const asUser = (user: string) => Effect.provideService(CurrentUser, user)
      let calls = 0
      const whoami = Effect.flatMap(CurrentUser, (user) => Effect.sync(() => (calls++, `profile of ${user}`)))
      const profile = Effect.suspend(() => read("profile", whoami, perUser))
      expect(yield* asUser("alice")(profile)).toBe("profile of alice")
      expect(yield* asUser("bob")(profile)).toBe("profile of bob")
      expect(yield* asUser("alice")(read("profile", Effect.die("not called"), perUser))).toBe("profile of alice")
      expect(yield* valueAt([Key.encode("profile"), "alice"])).toBe("profile of alice")
      expect(yield* valueAt([Key.encode("profile"), "bob"])).toBe("profile of bob")
      expect(yield* valueAt("profile")).toBeUndefined()
      expect(storeKeyOf([Key.encode("profile"), "alice"])).not.toBe(storeKeyOf([Key.encode("profile"), "bob"]))
      // The stream policy takes the context too.
      expect(yield* asUser("carol")(stream("profile", whoami, { ...perUser, policy: "CacheAndNetwork" }))).toEqual([
        "profile of carol"
      ])
      expect(yield* valueAt([Key.encode("profile"), "carol"])).toBe("profile of carol")
      expect(calls).toBe(3)
    }))

  it.scoped("onServed tells how a CacheOrNetwork read was served, with the entry's age; reads without it are not told", () =>
    Effect.gen(function*() {
      const { read } = yield* make()
      const served: Array<Cache.Served> = []
      const onServed = (s: Cache.Served) => served.push(s)
      yield* TestClock.adjust(1_000)
      yield* read("k", Effect.succeed("v"), { onServed })
      yield* TestClock.adjust(30)
      yield* read("k", Effect.die("not called"), { onServed })
      yield* read("k", Effect.die("not called"))
      yield* read("k", Effect.succeed("network"), { policy: "NetworkOnly", onServed })
      yield* TestClock.adjust(100)
      yield* read("k", Effect.succeed("refreshed"), { onServed })
      expect(served).toEqual([
        { outcome: "miss", key: "k", createdAt: 1_000, ageMillis: 0 },
        { outcome: "hit", key: "k", createdAt: 1_000, ageMillis: 30 },
        { outcome: "stale", key: "k", createdAt: 1_030, ageMillis: 100 }
      ])
    }))

  it.scoped("withRequestMemo: inside a region a key is read from the store once, and later reads return the remembered value", () =>
    Effect.gen(function*() {
      const { faults, fetch, fetched, put, read, storeKeyOf } = yield* make("get")
      yield* put(storeKeyOf("k"), "first")
      const twice = Effect.gen(function*() {
        const a = yield* read("k", fetch("fetched"))
        // Changed in the store behind the region's back: the region keeps what it read.
        yield* put(storeKeyOf("k"), "second")
        const b = yield* read("k", fetch("fetched"))
        return [a, b]
      })
      faults.calls.clear()
      expect(yield* Cache.withRequestMemo(twice)).toEqual(["first", "first"])
      expect(faults.calls.get("get")).toBe(1)
      // A new region reads afresh; outside a region every read goes to the store.
      faults.calls.clear()
      expect(yield* Cache.withRequestMemo(read("k", fetch("fetched")))).toBe("second")
      expect(yield* read("k", fetch("fetched"))).toBe("second")
      expect(faults.calls.get("get")).toBe(2)
      // A fetched value is remembered too.
      expect(yield* Cache.withRequestMemo(Effect.zip(read("m", fetch("m1")), read("m", fetch("m2"))))).toEqual([
        "m1",
        "m1"
      ])
      expect(fetched()).toBe(1)
    }))

  it.scoped("cacheOnly on a store key: the value, counted as a read", () =>
    Effect.gen(function*() {
      const { counters, policies, put } = yield* make()
      yield* put("raw-key", 42)
      const resolved = resolver({ ttl: 100, grace: 0 })(undefined, false)
      expect(yield* policies.cacheOnly("raw-key", resolved)).toEqual(Option.some(42))
      expect(yield* policies.cacheOnly("absent", resolved)).toEqual(Option.none())
      expect(counters).toMatchObject({ hits: 1, misses: 1 })
    }))

  it.scoped("a failing fetch on a miss fails with its own error, is not written, and the next read fetches again", () =>
    Effect.gen(function*() {
      const { counters, read, valueAt } = yield* make()
      expect(yield* Effect.exit(read("k", Effect.fail("boom")))).toEqual(Exit.fail("boom"))
      expect(yield* valueAt("k")).toBeUndefined()
      expect(yield* read("k", Effect.succeed("ok"))).toBe("ok")
      expect(counters).toMatchObject({ misses: 2, fetches: 2, fetchFailures: 1, writes: 1 })
    }))
})
