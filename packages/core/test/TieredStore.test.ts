import { Bus, Cache, MemoryStore, Store, TieredStore } from "@cachet/core"
import { describe, expect, it } from "@effect/vitest"
import type { Scope } from "effect"
import { Deferred, Effect, Fiber, Layer, Option, Ref, TestClock } from "effect"

const entry = (value: string, now: number, tags: ReadonlyArray<string> = [], stamp = 1): Store.Entry => ({
  value,
  stamp,
  createdAt: now,
  ttl: 60_000,
  grace: 0,
  tags,
  failed: false
})

/** Two "processes": two tiers over one remote, on one in-process bus (or on a bus that drops everything). */
const twoTiers = (options: { readonly lossy?: boolean } = {}) =>
  Effect.gen(function*() {
    const remote = yield* MemoryStore.make()
    const network = yield* Bus.makeInProcess
    const join = options.lossy === true
      ? Effect.map(network.join, (bus): Bus.Service => ({ ...bus, publish: () => Effect.void }))
      : network.join
    const a = yield* TieredStore.make({ remote, bus: yield* join }, { localTtl: "5 seconds" })
    const b = yield* TieredStore.make({ remote, bus: yield* join }, { localTtl: "5 seconds" })
    return { remote, a, b }
  })

const read = (tiered: Store.Backend, key: string): Effect.Effect<Option.Option<string>, Store.StoreError> =>
  Effect.map(tiered.store.get(key), Option.map((e) => e.value))

/** Waits until a condition holds, re-checking after each scheduler turn of the bus fiber. */
const eventually = <E>(check: Effect.Effect<boolean, E>): Effect.Effect<void, E> =>
  Effect.flatMap(check, (ok) => (ok ? Effect.void : Effect.zipRight(Effect.yieldNow(), eventually(check))))

describe("TieredStore (core)", () => {
  it.scoped("a versions read that overlapped this process's bump of an uncached tag does not cache the older version", () =>
    Effect.gen(function*() {
      const remote = yield* MemoryStore.make()
      const answered = yield* Deferred.make<void>()
      const release = yield* Deferred.make<void>()
      let hold = true
      // The first versions read gets its answer from the remote at once but reaches the tier later.
      const slow = {
        store: remote.store,
        tagVersions: {
          ...remote.tagVersions,
          versions: (paths: ReadonlyArray<string>) =>
            Effect.tap(
              remote.tagVersions.versions(paths),
              () => hold ? Effect.zipRight(Deferred.succeed(answered, undefined), Deferred.await(release)) : Effect.void
            )
        }
      }
      const network = yield* Bus.makeInProcess
      const tier = yield* TieredStore.make({ remote: slow, bus: yield* network.join }, { localTtl: "5 seconds" })
      const before = yield* Effect.fork(tier.tagVersions.versions(["posts"]))
      yield* Deferred.await(answered)
      hold = false
      yield* tier.tagVersions.bump(["posts"], "hard")
      yield* Deferred.succeed(release, undefined)
      yield* Fiber.join(before)
      // Read after the bump returned: the bumped version, not the one read before it.
      const [after] = yield* tier.tagVersions.versions(["posts"])
      expect(after).toEqual((yield* remote.tagVersions.versions(["posts"]))[0])
    }))

  it.scoped("a write in A drops B's local copy once the bus message arrives", () =>
    Effect.gen(function*() {
      const { a, b } = yield* twoTiers()
      yield* a.store.set("k", entry("one", 0))
      expect(yield* read(b, "k")).toEqual(Option.some("one"))
      yield* a.store.set("k", entry("two", 0))
      yield* eventually(Effect.map(read(b, "k"), (v) => Option.getOrNull(v) === "two"))
      expect(yield* read(b, "k")).toEqual(Option.some("two"))
    }))

  it.scoped("the invalidating tier sees its bump at once; the other within the bus delivery", () =>
    Effect.gen(function*() {
      const { a, b } = yield* twoTiers()
      yield* a.store.set("post", entry("v", 0, ["users/1/posts/p1"], 1))
      // B caches the versions of the entry's tag prefixes.
      const before = yield* b.store.getWithVersions!("post")
      expect(Option.map(before, ([, vs]) => vs.map((v) => v.hard))).toEqual(Option.some([0, 0, 0, 0]))
      const counter = yield* a.tagVersions.bump(["users/1"], "hard")
      expect((yield* a.tagVersions.versions(["users/1"]))[0]!.hard).toBe(counter)
      yield* eventually(Effect.map(b.tagVersions.versions(["users/1"]), (vs) => vs[0]!.hard === counter))
      const after = yield* b.store.getWithVersions!("post")
      expect(Option.map(after, ([, vs]) => vs[1]!.hard)).toEqual(Option.some(counter))
    }))

  it.scoped("with every bus message lost, another tier is stale for at most localTtl", () =>
    Effect.gen(function*() {
      const { a, b } = yield* twoTiers({ lossy: true })
      yield* a.store.set("k", entry("one", 0))
      expect(yield* read(b, "k")).toEqual(Option.some("one"))
      yield* b.tagVersions.versions(["t"])
      yield* a.store.set("k", entry("two", 0))
      const counter = yield* a.tagVersions.bump(["t"], "soft")
      // Lost message: B still holds its copies...
      expect(yield* read(b, "k")).toEqual(Option.some("one"))
      expect((yield* b.tagVersions.versions(["t"]))[0]!.soft).toBe(0)
      // ...until localTtl has passed.
      yield* TestClock.adjust("5 seconds")
      expect(yield* read(b, "k")).toEqual(Option.some("two"))
      expect((yield* b.tagVersions.versions(["t"]))[0]!.soft).toBe(counter)
    }))

  it.scoped("Reset on the bus drops every local copy and cached version", () =>
    Effect.gen(function*() {
      const remote = yield* MemoryStore.make()
      const network = yield* Bus.makeInProcess
      const other = yield* network.join
      const tier = yield* TieredStore.make({ remote, bus: yield* network.join }, { localTtl: "1 hour" })
      yield* tier.store.set("k", entry("one", 0))
      // Changed behind the tier's back, with no message: the local copy wins...
      yield* remote.store.set("k", entry("two", 0))
      expect(yield* read(tier, "k")).toEqual(Option.some("one"))
      // ...until the bus says messages may have been lost.
      yield* other.publish({ _tag: "Reset" })
      yield* eventually(Effect.map(read(tier, "k"), (v) => Option.getOrNull(v) === "two"))
    }))

  it.scoped("clear in A empties B's local tier under the prefix", () =>
    Effect.gen(function*() {
      const { a, b } = yield* twoTiers()
      yield* a.store.setMany([["ns:1", entry("x", 0)], ["other:1", entry("y", 0)]])
      expect(yield* read(b, "ns:1")).toEqual(Option.some("x"))
      expect(yield* a.store.clear("ns:")).toBe(1)
      yield* eventually(Effect.map(read(b, "ns:1"), Option.isNone))
      expect(yield* read(b, "other:1")).toEqual(Option.some("y"))
    }))

  it.scoped("a Cache on two tiers: once invalidate returns in A, A never serves the old value", () =>
    Effect.gen(function*() {
      const { a, b } = yield* twoTiers()
      const fetches = yield* Ref.make(0)
      const cacheOn = (tiered: Store.Backend): Effect.Effect<Cache.Service, never, Scope.Scope> =>
        Effect.map(
          Layer.build(
            Cache.layer({ namespace: "t" }).pipe(Layer.provide(Layer.succeedContext(Store.context(tiered))))
          ),
          (context) => context.unsafeMap.get(Cache.Cache.key) as Cache.Service
        )
      const [ca, cb] = [yield* cacheOn(a), yield* cacheOn(b)]
      const fetch = Ref.updateAndGet(fetches, (n) => n + 1)
      expect(yield* ca.getOrFetch("k", fetch, { tags: ["users/1"] })).toBe(1)
      expect(yield* cb.getOrFetch("k", fetch, { tags: ["users/1"] })).toBe(1)
      yield* ca.invalidate(["users"])
      expect(yield* ca.getOrFetch("k", fetch, { tags: ["users/1"] })).toBe(2)
    }))

  it.scoped("while no bump happens, one counter read per half life keeps every cached version (no re-reads)", () =>
    Effect.gen(function*() {
      const remote = yield* MemoryStore.make()
      const versionReads = yield* Ref.make(0)
      const counted = {
        store: remote.store,
        tagVersions: {
          ...remote.tagVersions,
          versions: (paths: ReadonlyArray<string>) =>
            Effect.zipRight(Ref.update(versionReads, (n) => n + 1), remote.tagVersions.versions(paths))
        }
      }
      const network = yield* Bus.makeInProcess
      const tier = yield* TieredStore.make({ remote: counted, bus: yield* network.join }, { localTtl: "2 seconds" })
      yield* TestClock.adjust("1 second")
      yield* tier.tagVersions.versions(["a", "b"])
      yield* TestClock.adjust("10 seconds")
      yield* tier.tagVersions.versions(["a", "b"])
      expect(yield* Ref.get(versionReads)).toBe(1)
      // A bump anywhere stops the revalidation: the versions are re-read once their life is over.
      yield* remote.tagVersions.bump(["other"], "hard")
      yield* TestClock.adjust("3 seconds")
      yield* tier.tagVersions.versions(["a", "b"])
      expect(yield* Ref.get(versionReads)).toBe(2)
    }))
})
