/**
 * Invalidations that survive store outages: a bump or delete the store does not take is
 * deferred (the caller's write path does not fail), honoured at once by the cache that made it,
 * and replayed until the store acknowledges it — after which a second cache sharing the store
 * does not serve the old value either.
 */
import { Cache, MemoryStore, Store, TagVersions } from "@cachet/core"
import { FaultyStore } from "@cachet/core/testing"
import { describe, expect, it } from "@effect/vitest"
import { Context, Duration, Effect, Exit, Layer, Logger, LogLevel, Option, Ref, Scope } from "effect"

/** Two caches over one memory store: `writer` through a fault-injecting wrapper, `other` directly. */
const twoCaches = (options: Cache.Options = {}) =>
  Effect.gen(function*() {
    const shared = yield* Layer.build(MemoryStore.layer())
    const store = Context.get(shared, Store.Store)
    const versions = Context.get(shared, TagVersions.TagVersions)
    const faults: FaultyStore.Faults = {
      failing: false,
      failingOperations: new Set(),
      latency: Duration.zero,
      calls: new Map()
    }
    const wrapped = FaultyStore.wrap(faults, store, versions)
    const writer = yield* Cache.make({ breakerThreshold: 3, breakerCooldown: "10 seconds", ...options }).pipe(
      Effect.provideService(Store.Store, wrapped.store),
      Effect.provideService(TagVersions.TagVersions, wrapped.tagVersions)
    )
    const other = yield* Cache.make(options).pipe(Effect.provide(shared))
    return { writer, other, faults }
  })

/** The application's database: one row whose reads count. */
const database = Effect.gen(function*() {
  const row = yield* Ref.make("old")
  const reads = yield* Ref.make(0)
  return { row, reads, load: Effect.zipRight(Ref.update(reads, (n) => n + 1), Ref.get(row)) }
})

const quiet = Logger.minimumLogLevel(LogLevel.None)

describe("Deferred invalidations (FaultyStore)", () => {
  it.scoped("invalidate and expire have no error channel: a store that fails every call defers them", () =>
    Effect.gen(function*() {
      const { faults, writer } = yield* twoCaches()
      faults.failing = true
      // Typed by what can fail: nothing (a `StoreError` channel here would not compile).
      const invalidated: Effect.Effect<void, never> = writer.invalidate("users")
      const expired: Effect.Effect<void, never> = writer.expire("posts")
      expect(Exit.isSuccess(yield* Effect.exit(invalidated))).toBe(true)
      expect(Exit.isSuccess(yield* Effect.exit(expired))).toBe(true)
      expect((yield* writer.stats).deferredInvalidations).toBe(2)
    }).pipe(Effect.provide(quiet)))

  it.scoped("the bump fails while the data write succeeds: no read returns the old value, on the writer nor, after recovery, on a second cache", () =>
    Effect.gen(function*() {
      const { writer, other, faults } = yield* twoCaches()
      const db = yield* database
      const read = (cache: Cache.Service) => cache.getOrFetch("user:1", db.load, { tags: "users/1", ttl: "1 hour" })
      expect(yield* read(writer)).toBe("old")
      expect(yield* read(other)).toBe("old")

      faults.failingOperations!.add("bump")
      yield* Ref.set(db.row, "new")
      // The write path does not fail because the cache could not bump the tag...
      yield* writer.invalidate("users")
      const stats = yield* writer.stats
      expect(stats.deferredInvalidations).toBe(1)
      expect(stats.pendingInvalidations).toBe(1)
      // ...and the writer never serves the old value, nor stores what a pending bump covers.
      expect(yield* read(writer)).toBe("new")
      expect(yield* read(writer)).toBe("new")
      expect(Option.isNone(yield* writer.get("user:1"))).toBe(true)

      faults.failingOperations!.clear()
      yield* writer.awaitPendingInvalidations
      expect((yield* writer.stats).pendingInvalidations).toBe(0)
      expect(yield* read(other)).toBe("new")
      expect(yield* read(writer)).toBe("new")
      // Once acknowledged, the writer caches again.
      const readsBefore = yield* Ref.get(db.reads)
      expect(yield* read(writer)).toBe("new")
      expect(yield* Ref.get(db.reads)).toBe(readsBefore)
    }).pipe(Effect.provide(quiet)))

  it.scoped("the whole store down and the breaker open: invalidate succeeds at once; once the store is back the replay closes the breaker", () =>
    Effect.gen(function*() {
      const { writer, other, faults } = yield* twoCaches()
      const db = yield* database
      const read = (cache: Cache.Service) =>
        cache.getOrFetch("post:9", db.load, { tags: ["users/1/posts/9"], ttl: "1 hour" })
      expect(yield* read(writer)).toBe("old")

      faults.failing = true
      for (let i = 0; i < 3; i++) yield* read(writer)
      expect((yield* writer.stats).breaker).toBe("open")
      yield* Ref.set(db.row, "new")
      yield* writer.invalidate("users/1")
      expect(yield* read(writer)).toBe("new")

      faults.failing = false
      yield* writer.awaitPendingInvalidations
      expect(yield* read(other)).toBe("new")
      // The store answered the relay: the breaker is closed again without waiting for its cool-down.
      expect((yield* writer.stats).breaker).toBe("closed")
      expect((yield* writer.stats).pendingInvalidations).toBe(0)
    }).pipe(Effect.provide(quiet)))

  it.scoped("a soft expiry the store refuses is honoured too: the entry counts as expired (grace applies) here, and everywhere once replayed", () =>
    Effect.gen(function*() {
      const { writer, other, faults } = yield* twoCaches()
      const db = yield* database
      const state = (cache: Cache.Service) => Effect.map(cache.inspect("user:2"), Option.map((info) => info.state))
      yield* writer.getOrFetch("user:2", db.load, { tags: "users/2", ttl: "1 hour" })
      faults.failingOperations!.add("bump")
      yield* writer.expire("users/2")
      expect((yield* writer.stats).pendingInvalidations).toBe(1)
      expect(yield* state(writer)).toEqual(Option.some("stale"))
      expect(yield* state(other)).toEqual(Option.some("fresh"))
      faults.failingOperations!.clear()
      yield* writer.awaitPendingInvalidations
      expect(yield* state(other)).toEqual(Option.some("stale"))
    }).pipe(Effect.provide(quiet)))

  it.scoped("a delete the store refuses is deferred and replayed", () =>
    Effect.gen(function*() {
      const { writer, other, faults } = yield* twoCaches()
      const db = yield* database
      const read = (cache: Cache.Service) => cache.getOrFetch("k", db.load, { ttl: "1 hour" })
      expect(yield* read(writer)).toBe("old")
      faults.failingOperations!.add("delete").add("deleteMany")
      yield* Ref.set(db.row, "new")
      expect(yield* writer.delete("k")).toBe(false)
      expect((yield* writer.stats).pendingInvalidations).toBe(1)
      expect(yield* read(writer)).toBe("new")
      faults.failingOperations!.clear()
      yield* writer.awaitPendingInvalidations
      expect(yield* read(other)).toBe("new")
    }).pipe(Effect.provide(quiet)))

  it.scoped("a backlog of deferred invalidations reaches the store in one call per run of alike ones", () =>
    Effect.gen(function*() {
      const { writer, other, faults } = yield* twoCaches()
      const db = yield* database
      const read = (cache: Cache.Service, i: number) =>
        cache.getOrFetch(`user:${i}`, db.load, { tags: `users/${i}`, ttl: "1 hour" })
      for (let i = 0; i < 50; i++) expect(yield* read(other, i)).toBe("old")

      faults.failingOperations!.add("bump")
      yield* Ref.set(db.row, "new")
      for (let i = 0; i < 50; i++) yield* writer.invalidate(`users/${i}`)
      yield* writer.expire("posts")
      expect((yield* writer.stats).pendingInvalidations).toBe(51)

      faults.failingOperations!.clear()
      const before = faults.calls.get("bump") ?? 0
      yield* writer.awaitPendingInvalidations
      // 50 hard bumps in a row, then a soft one: two store calls, not 51 (one round trip each
      // on a remote store: the recovery after an outage no longer grows with the backlog).
      expect((faults.calls.get("bump") ?? 0) - before).toBe(2)
      for (let i = 0; i < 50; i++) expect(yield* read(other, i)).toBe("new")
    }).pipe(Effect.provide(quiet)))

  it.effect("a cache closed with invalidations still pending makes a last attempt and logs what was lost", () =>
    Effect.gen(function*() {
      const lines: Array<string> = []
      const logger = Logger.replace(
        Logger.defaultLogger,
        Logger.make(({ message }) => {
          lines.push(Array.isArray(message) ? message.join(" ") : String(message))
        })
      )
      yield* Effect.gen(function*() {
        const scope = yield* Scope.make()
        const { writer, faults } = yield* Scope.extend(twoCaches(), scope)
        faults.failing = true
        yield* writer.invalidate("users/3")
        yield* Scope.close(scope, Exit.void)
      }).pipe(Effect.provide(logger))
      expect(lines.some((line) => line.includes("deferred"))).toBe(true)
      expect(lines.some((line) => line.includes("never reached store"))).toBe(true)
    }))
})
