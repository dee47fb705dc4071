/**
 * The Store conformance suite: the same cases over any `Store` + `TagVersions` layer, so every
 * adapter (memory, SQLite, Redis, tiered, Memcached, third-party) is held to one contract.
 *
 * @since 0.1.0
 */
import { describe, expect, layer } from "@effect/vitest"
import { Clock, Duration, Effect, Layer, Option } from "effect"

import * as Cache from "../Cache.js"
import * as Store from "../Store.js"
import * as TagVersions from "../TagVersions.js"
import * as FaultyStore from "./FaultyStore.js"

/**
 * How an adapter deviates from the defaults of the suite.
 *
 * @since 0.1.0
 * @category models
 */
export interface SuiteOptions {
  /** Milliseconds of grace to give an entry in the expiry case (stores with second precision need ≥ 1000). */
  readonly expiryGraceMillis?: number
  /** Skip the whole suite, printing this reason (e.g. a server binary is missing). */
  readonly skip?: string
  /** Timeout for each case in milliseconds (default 20 s). */
  readonly timeout?: number
}

let unique = 0
const freshPrefix = (): string => `suite${Date.now().toString(36)}${(unique++).toString(36)}:`

const entry = (value: string, now: number, overrides: Partial<Store.Entry> = {}): Store.Entry => ({
  value,
  stamp: 1,
  createdAt: now,
  ttl: 60_000,
  grace: 60_000,
  tags: [],
  failed: false,
  ...overrides
})

/**
 * Registers the conformance cases for a store layer under `describe(name)`.
 *
 * @since 0.1.0
 * @category suites
 */
export const storeSuite = <E>(
  name: string,
  storeLayer: Layer.Layer<Store.Store | TagVersions.TagVersions, E>,
  options: SuiteOptions = {}
): void => {
  if (options.skip !== undefined) {
    describe.skip(`${name} (skipped: ${options.skip})`, () => {})
    return
  }
  const timeout = options.timeout ?? 20_000
  const grace = options.expiryGraceMillis ?? 300
  layer(storeLayer, { timeout: 60_000, excludeTestServices: true })(name, (it) => {
    it.effect("a missing key reads as None", () =>
      Effect.gen(function*() {
        const store = yield* Store.Store
        const p = freshPrefix()
        expect(Option.isNone(yield* store.get(`${p}missing`))).toBe(true)
        expect((yield* store.getMany([`${p}a`, `${p}b`])).every(Option.isNone)).toBe(true)
      }), timeout)

    it.effect("set then get returns every field of the entry", () =>
      Effect.gen(function*() {
        const store = yield* Store.Store
        const p = freshPrefix()
        const now = yield* Clock.currentTimeMillis
        const written = entry(JSON.stringify({ a: [1, "ü", null] }), now, {
          stamp: 42,
          tags: ["users/1", "users/1/posts/p%2F1"],
          failed: true,
          ttl: 1234,
          grace: Infinity
        })
        yield* store.set(`${p}k`, written)
        expect(yield* store.get(`${p}k`)).toEqual(Option.some(written))
        const forever = entry("\"x\"", now, { ttl: Infinity, grace: 0 })
        yield* store.set(`${p}forever`, forever)
        expect(yield* store.get(`${p}forever`)).toEqual(Option.some(forever))
      }), timeout)

    it.effect("set replaces an existing entry", () =>
      Effect.gen(function*() {
        const store = yield* Store.Store
        const p = freshPrefix()
        const now = yield* Clock.currentTimeMillis
        yield* store.set(`${p}k`, entry("1", now))
        yield* store.set(`${p}k`, entry("2", now))
        expect(Option.map(yield* store.get(`${p}k`), (e) => e.value)).toEqual(Option.some("2"))
      }), timeout)

    it.effect("getMany and setMany keep the order of the keys", () =>
      Effect.gen(function*() {
        const store = yield* Store.Store
        const p = freshPrefix()
        const now = yield* Clock.currentTimeMillis
        yield* store.setMany([[`${p}a`, entry("1", now)], [`${p}c`, entry("3", now)]])
        const read = yield* store.getMany([`${p}a`, `${p}b`, `${p}c`])
        expect(read.map((o) => Option.map(o, (e) => e.value))).toEqual([
          Option.some("1"),
          Option.none(),
          Option.some("3")
        ])
        expect(yield* store.getMany([])).toEqual([])
      }), timeout)

    it.effect(
      "keys with spaces, colons, slashes and non-ASCII text are distinct and usable",
      () =>
        Effect.gen(function*() {
          const store = yield* Store.Store
          const p = freshPrefix()
          const now = yield* Clock.currentTimeMillis
          const keys = [`${p}a b`, `${p}a:b`, `${p}a/b`, `${p}ä€😀`, `${p}${"long".repeat(80)}`]
          yield* Effect.forEach(keys, (key, i) => store.set(key, entry(String(i), now)))
          const read = yield* store.getMany(keys)
          expect(read.map((o) => Option.map(o, (e) => e.value))).toEqual(keys.map((_, i) => Option.some(String(i))))
        }),
      timeout
    )

    it.effect("a 100 KB value round-trips", () =>
      Effect.gen(function*() {
        const store = yield* Store.Store
        const p = freshPrefix()
        const now = yield* Clock.currentTimeMillis
        const big = JSON.stringify("x".repeat(100_000))
        yield* store.set(`${p}big`, entry(big, now))
        expect(Option.map(yield* store.get(`${p}big`), (e) => e.value.length)).toEqual(Option.some(big.length))
      }), timeout)

    it.effect("delete and deleteMany report what existed", () =>
      Effect.gen(function*() {
        const store = yield* Store.Store
        const p = freshPrefix()
        const now = yield* Clock.currentTimeMillis
        yield* store.setMany([[`${p}a`, entry("1", now)], [`${p}b`, entry("2", now)], [`${p}c`, entry("3", now)]])
        expect(yield* store.delete(`${p}a`)).toBe(true)
        expect(yield* store.delete(`${p}a`)).toBe(false)
        expect(yield* store.deleteMany([`${p}b`, `${p}c`, `${p}zz`])).toBe(2)
        expect((yield* store.getMany([`${p}a`, `${p}b`, `${p}c`])).every(Option.isNone)).toBe(true)
      }), timeout)

    it.effect("clear removes exactly the keys under a prefix, and keys lists them", () =>
      Effect.gen(function*() {
        const store = yield* Store.Store
        const p = freshPrefix()
        const now = yield* Clock.currentTimeMillis
        yield* store.setMany([
          [`${p}ns1:a`, entry("1", now)],
          [`${p}ns1:b`, entry("2", now)],
          [`${p}ns2:a`, entry("3", now)]
        ])
        expect([...(yield* store.keys({ prefix: `${p}ns1:`, limit: 10 }))].sort()).toEqual([`${p}ns1:a`, `${p}ns1:b`])
        expect((yield* store.keys({ prefix: `${p}`, limit: 2 })).length).toBe(2)
        expect(yield* store.clear(`${p}ns1:`)).toBe(2)
        expect(yield* store.keys({ prefix: `${p}ns1:`, limit: 10 })).toEqual([])
        expect(Option.isSome(yield* store.get(`${p}ns2:a`))).toBe(true)
      }), timeout)

    it.effect(
      "listEntries, where offered, reads what keys and getMany read; a tag keeps its carriers",
      () =>
        Effect.gen(function*() {
          const store = yield* Store.Store
          const listEntries = store.listEntries
          if (listEntries === undefined) return
          const p = freshPrefix()
          const now = yield* Clock.currentTimeMillis
          const written: ReadonlyArray<readonly [string, Store.Entry]> = [
            [`${p}a:1`, entry("1", now, { tags: ["users/1/profile"] })],
            [`${p}a:2`, entry("2", now, { tags: ["users/10"] })],
            // The value holds the tag's text, but the entry does not carry it.
            [`${p}a:3`, entry(JSON.stringify("\"users/1"), now, { tags: ["posts/1"] })],
            [`${p}a:*[4]`, entry("4", now, { tags: ["users/1", "q\"uote/ü"] })],
            [`${p}a:5`, entry("5", now)],
            [`${p}b:1`, entry("6", now, { tags: ["users/1"] })]
          ]
          yield* store.setMany(written)
          const sorted = (listed: Store.Listed) => ({
            scanned: listed.scanned,
            entries: [...listed.entries].sort(([a], [b]) => (a < b ? -1 : 1))
          })
          const under = written.slice(0, 5)
          const keys = yield* store.keys({ prefix: `${p}a:`, limit: 10 })
          const read = yield* store.getMany(keys)
          expect(sorted(yield* listEntries({ prefix: `${p}a:`, limit: 10 }))).toEqual(sorted({
            scanned: keys.length,
            entries: keys.map((key, i) => [key, Option.getOrThrow(read[i]!)] as const)
          }))
          expect(sorted(yield* listEntries({ prefix: `${p}a:`, limit: 10 }))).toEqual(
            sorted({ scanned: 5, entries: under })
          )
          expect(sorted(yield* listEntries({ prefix: `${p}a:`, limit: 10, tag: "users/1" }))).toEqual({
            scanned: 5,
            entries: [written[3], written[0]].sort(([a], [b]) => (a < b ? -1 : 1))
          })
          expect(sorted(yield* listEntries({ prefix: `${p}a:`, limit: 10, tag: "q\"uote" }))).toEqual({
            scanned: 5,
            entries: [written[3]]
          })
          expect(sorted(yield* listEntries({ prefix: `${p}`, limit: 10, tag: "users" })).entries.map(([key]) => key))
            .toEqual([`${p}a:*[4]`, `${p}a:1`, `${p}a:2`, `${p}b:1`])
          const limited = yield* listEntries({ prefix: `${p}a:`, limit: 2 })
          expect(limited.scanned).toBe(2)
          expect(limited.entries.length).toBe(2)
          expect(yield* listEntries({ prefix: `${p}none:`, limit: 10 })).toEqual({ scanned: 0, entries: [] })
        }),
      timeout
    )

    it.effect(
      "Cache.inspectListing, where listEntries is offered, reads in one call what keys + inspectMany read",
      () =>
        Effect.gen(function*() {
          const base = yield* Store.Store
          if (base.listEntries === undefined) return
          // Counts the store calls the cache makes; nothing fails.
          const faults: FaultyStore.Faults = { failing: false, latency: Duration.zero, calls: new Map() }
          const backend = FaultyStore.wrap(faults, base, yield* TagVersions.TagVersions)
          const cache = yield* Cache.make({ namespace: freshPrefix().slice(0, -1) }).pipe(
            Effect.provide(Store.context(backend))
          )
          yield* cache.setMany(
            Array.from({ length: 2_500 }, (_, i) => ({ key: `post:${i}`, value: { id: i }, tags: [`posts/${i % 50}`] }))
          )
          yield* cache.expire("posts/7")
          yield* cache.invalidate("posts/8")
          faults.calls.clear()
          const listed = Option.getOrThrow(yield* cache.inspectListing({ limit: 5_000 }))
          const byTag = Option.getOrThrow(
            yield* cache.inspectListing({ prefix: "post:1", limit: 5_000, tag: "posts/7" })
          )
          const few = Option.getOrThrow(yield* cache.inspectListing({ limit: 1_200 }))
          expect(faults.calls.get("listEntries")).toBe(3)
          expect(faults.calls.get("getMany") ?? 0).toBe(0)
          expect(faults.calls.get("keys") ?? 0).toBe(0)

          const keys = yield* cache.keys({ limit: 5_000 })
          const many = (yield* cache.inspectMany(keys)).flatMap((info) => Option.isSome(info) ? [info.value] : [])
          const comparable = (infos: ReadonlyArray<Cache.EntryInfo>) =>
            infos.map(({ ageMillis: _, ...rest }) => rest).sort((a, b) => (a.key < b.key ? -1 : 1))
          expect(listed.scanned).toBe(2_500)
          expect(comparable(listed.entries)).toEqual(comparable(many))
          const states = new Map<string, number>()
          for (const info of listed.entries) states.set(info.state, (states.get(info.state) ?? 0) + 1)
          expect(Object.fromEntries(states)).toEqual({ fresh: 2_400, stale: 50, invalidated: 50 })
          // post:1, post:10..19, post:100..199, post:1000..1999; 22 of them carry posts/7
          expect(byTag.scanned).toBe(1_111)
          expect(comparable(byTag.entries)).toEqual(
            comparable(many.filter((info) => info.key.startsWith("post:1") && info.tags[0] === "posts/7"))
          )
          expect(byTag.entries.map((info) => info.state)).toEqual(Array.from({ length: 22 }, () => "stale"))
          expect([few.scanned, few.entries.length]).toEqual([1_200, 1_200])
        }).pipe(Effect.scoped),
      timeout
    )

    it.effect("an entry past its ttl and grace is gone", () =>
      Effect.gen(function*() {
        const store = yield* Store.Store
        const p = freshPrefix()
        const now = yield* Clock.currentTimeMillis
        yield* store.set(`${p}short`, entry("1", now, { ttl: 0, grace }))
        yield* store.set(`${p}long`, entry("2", now, { ttl: 60_000, grace: 0 }))
        expect(Option.isSome(yield* store.get(`${p}short`))).toBe(true)
        yield* Effect.sleep(grace * 2 + 200)
        expect(Option.isNone(yield* store.get(`${p}short`))).toBe(true)
        expect(Option.isSome(yield* store.get(`${p}long`))).toBe(true)
      }), timeout + grace * 2)

    it.effect("getWithVersions, where offered, agrees with get and versions", () =>
      Effect.gen(function*() {
        const store = yield* Store.Store
        const versions = yield* TagVersions.TagVersions
        if (store.getWithVersions === undefined) return
        const p = freshPrefix()
        const now = yield* Clock.currentTimeMillis
        const tag = `${p.slice(0, -1)}/u1/posts`
        yield* versions.bump([`${p.slice(0, -1)}/u1`], "hard")
        yield* store.set(`${p}k`, entry("1", now, { tags: [tag] }))
        const both = yield* store.getWithVersions(`${p}k`)
        expect(Option.isSome(both)).toBe(true)
        const [read, vs] = Option.getOrThrow(both)
        expect(read.value).toBe("1")
        const prefixes = [p.slice(0, -1), `${p.slice(0, -1)}/u1`, tag]
        expect(vs).toEqual(yield* versions.versions(prefixes))
        expect(Option.isNone(yield* store.getWithVersions(`${p}missing`))).toBe(true)
      }), timeout)

    it.effect("tag versions: unknown paths are zero, bumps set one new counter value", () =>
      Effect.gen(function*() {
        const versions = yield* TagVersions.TagVersions
        const p = freshPrefix()
        expect(yield* versions.versions([`${p}never`])).toEqual([TagVersions.initial])
        const before = yield* versions.counter
        const hard = yield* versions.bump([`${p}a`, `${p}b`], "hard")
        expect(hard).toBeGreaterThan(before)
        expect(yield* versions.counter).toBeGreaterThanOrEqual(hard)
        const soft = yield* versions.bump([`${p}a`], "soft")
        expect(soft).toBeGreaterThan(hard)
        expect(yield* versions.versions([`${p}a`, `${p}b`, `${p}c`])).toEqual([
          { hard, soft },
          { hard, soft: 0 },
          TagVersions.initial
        ])
      }), timeout)

    it.effect("concurrent bumps get distinct counter values", () =>
      Effect.gen(function*() {
        const versions = yield* TagVersions.TagVersions
        const p = freshPrefix()
        const results = yield* Effect.forEach(
          Array.from({ length: 50 }, (_, i) => i),
          (i) => versions.bump([`${p}${i % 5}`], i % 2 === 0 ? "hard" : "soft"),
          { concurrency: "unbounded" }
        )
        expect(new Set(results).size).toBe(50)
      }), timeout)
  })
}
