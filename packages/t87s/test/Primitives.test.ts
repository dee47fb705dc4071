import { afterEach, beforeEach, describe, expect, it, vi } from "@effect/vitest"

import type { CacheEntry, RefreshResult } from "../src/index.js"
import { createPrimitives, MemoryAdapter, parseDuration } from "../src/index.js"

/** A promise with its resolver, to wait on an event instead of a sleep. */
const signal = <A>() => {
  let resolve!: (a: A) => void
  const promise = new Promise<A>((r) => (resolve = r))
  return { promise, resolve }
}

/** Time moves only when a test says so (timers stay real). */
beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"], now: 1_000_000 })
})
afterEach(() => {
  vi.useRealTimers()
})
const advance = (ms: number) => vi.setSystemTime(Date.now() + ms)

describe("durations", () => {
  it("reads milliseconds and s/m/h/d texts, and rejects anything else", () => {
    expect([1, "30s", "1m", "5m", "1h", "1d"].map(parseDuration)).toEqual([
      1,
      30_000,
      60_000,
      300_000,
      3_600_000,
      86_400_000
    ])
    for (const bad of ["", "1.5m", "10ms", "m", " 1m", "-1s"]) {
      expect(() => parseDuration(bad)).toThrow(/Invalid duration/)
    }
  })
})

describe("get and set", () => {
  it("returns values until their TTL, then null; grace keeps them readable", async () => {
    const cache = createPrimitives({ adapter: new MemoryAdapter() })
    await cache.set("plain", "p", { tags: [], ttl: "1s" })
    await cache.set("graced", "g", { tags: [], ttl: "1s", grace: "1m" })
    await cache.set("nograce", "n", { tags: [], ttl: 1000, grace: false })
    advance(999)
    expect([await cache.get("plain"), await cache.get("graced"), await cache.get("nograce")]).toEqual(["p", "g", "n"])
    advance(1)
    expect([await cache.get("plain"), await cache.get("graced"), await cache.get("nograce")]).toEqual([null, "g", null])
    advance(60_000)
    expect(await cache.get("graced")).toBeNull()
    expect(await cache.get("never-set")).toBeNull()
  })

  it("invalidates by path prefix, exactly, by any one tag, and in the same millisecond as the set", async () => {
    const cache = createPrimitives({ adapter: new MemoryAdapter() })
    const put = (key: string, ...tags: Array<Array<string>>) => cache.set(key, key, { tags, ttl: "1h" })
    await put("deep", ["a", "1", "b", "2"])
    await put("mid", ["a", "1"])
    await put("two", ["x", "1"], ["y", "1"])
    await put("other", ["c"])
    await cache.invalidate([["a", "1"]], true)
    expect([await cache.get("deep"), await cache.get("mid")]).toEqual(["deep", null])
    await cache.invalidate([["a"], ["y", "1"]])
    expect([await cache.get("deep"), await cache.get("two"), await cache.get("other")]).toEqual([null, null, "other"])
  })

  it("a prefix isolates caches over one adapter; del, clear and disconnect drop values", async () => {
    const adapter = new MemoryAdapter()
    const one = createPrimitives({ adapter, prefix: "one" })
    const two = createPrimitives({ adapter, prefix: "two" })
    await one.set("k", 1, { tags: [["t"]], ttl: "1m" })
    await two.set("k", 2, { tags: [["t"]], ttl: "1m" })
    expect([await one.get("k"), await two.get("k")]).toEqual([1, 2])
    await one.del("k")
    expect([await one.get("k"), await two.get("k")]).toEqual([null, 2])
    await one.set("k", 1, { tags: [], ttl: "1m" })
    await two.clear()
    expect(await one.get("k")).toBeNull()
    await one.set("k", 1, { tags: [], ttl: "1m" })
    await one.disconnect()
    expect(await one.get("k")).toBeNull()
  })
})

describe("query", () => {
  it("runs one fetch for concurrent callers", async () => {
    const cache = createPrimitives({ adapter: new MemoryAdapter() })
    const gate = signal<void>()
    let calls = 0
    const fn = async () => {
      calls++
      await gate.promise
      return calls
    }
    const all = Promise.all([1, 2, 3].map(() => cache.query({ key: "k", tags: [], fn })))
    gate.resolve()
    expect(await all).toEqual([1, 1, 1])
    expect(calls).toBe(1)
  })

  it("expires after defaultTtl (30 s unless given) and refetches without grace", async () => {
    let calls = 0
    const fn = async () => ++calls
    const cache = createPrimitives({ adapter: new MemoryAdapter() })
    await cache.query({ key: "k", tags: [], fn })
    advance(29_999)
    expect(await cache.query({ key: "k", tags: [], fn })).toBe(1)
    advance(1)
    const { after, before } = await cache.queryWithEntries({ key: "k", tags: [], fn })
    expect([before?.value, after.value]).toEqual([1, 2])
    expect(after.graceUntil).toBeNull()
  })

  it("in grace serves the old value, refreshes once behind it and tells onRefresh", async () => {
    const cache = createPrimitives({ adapter: new MemoryAdapter(), defaultTtl: "1s", defaultGrace: "1m" })
    const gate = signal<void>()
    let calls = 0
    const fn = async () => {
      const n = ++calls
      if (n > 1) await gate.promise
      return { n }
    }
    const refreshed: Array<RefreshResult<{ n: number }>> = []
    const done = signal<void>()
    const onRefresh = (result: RefreshResult<{ n: number }>) => {
      refreshed.push(result)
      if (refreshed.length === 2) done.resolve()
      throw new Error("ignored")
    }
    await cache.query({ key: "k", tags: [], fn, onRefresh })
    expect(refreshed).toEqual([]) // not on a miss
    await cache.query({ key: "k", tags: [], fn, onRefresh })
    expect(refreshed).toEqual([]) // not on a fresh hit
    advance(1_000)
    // two readers in grace while the refresh is held: both served the old entry at once
    const first = await cache.queryWithEntries({ key: "k", tags: [], fn, onRefresh })
    const second = await cache.queryWithEntries({ key: "k", tags: [], fn, onRefresh })
    expect([first.after.value, second.after.value]).toEqual([{ n: 1 }, { n: 1 }])
    expect(first.after).toBe(first.before)
    gate.resolve()
    await done.promise
    expect(calls).toBe(2) // one refresh for both readers
    const change = { old: { n: 1 }, new: { n: 2 }, changed: true }
    expect(refreshed).toEqual([change, change])
    expect(await cache.query({ key: "k", tags: [], fn })).toEqual({ n: 2 })
  })

  it("reports changed: false when the refreshed JSON is equal", async () => {
    const cache = createPrimitives({ adapter: new MemoryAdapter(), defaultTtl: 10, defaultGrace: 1_000 })
    const done = signal<RefreshResult<Array<number>>>()
    const q = { key: "k", tags: [], fn: async () => [1, 2], onRefresh: done.resolve }
    await cache.query(q)
    advance(10)
    await cache.query(q)
    expect(await done.promise).toEqual({ old: [1, 2], new: [1, 2], changed: false })
  })

  it("a failing fetch falls back to a value in grace, and fails past it", async () => {
    const cache = createPrimitives({ adapter: new MemoryAdapter(), defaultTtl: "1s" })
    await cache.set("k", "old", { tags: [], ttl: "1s", grace: "1m" })
    const fail = async (): Promise<string> => {
      throw new Error("down")
    }
    await cache.invalidate([["unrelated"]])
    advance(1_000)
    // in grace: served at once, the failed refresh is absorbed
    expect(await cache.query({ key: "k", tags: [], fn: fail })).toBe("old")
    advance(60_000)
    await expect(cache.query({ key: "k", tags: [], fn: fail })).rejects.toThrow("down")
    // a failed query is not shared with the next caller
    expect(await cache.query({ key: "k", tags: [], fn: async () => "new" })).toBe("new")
  })

  it("grace: false on a query turns off defaultGrace; a tag invalidation in grace is served stale", async () => {
    const cache = createPrimitives({ adapter: new MemoryAdapter(), defaultTtl: "1s", defaultGrace: "1m" })
    let calls = 0
    const fn = async () => ++calls
    await cache.query({ key: "off", tags: [], fn, grace: false })
    advance(1_000)
    expect(await cache.query({ key: "off", tags: [], fn, grace: false })).toBe(2)
    const done = signal<void>()
    await cache.query({ key: "tagged", tags: [["t"]], fn })
    await cache.invalidate([["t"]])
    // t87s's semantics: an invalidated entry inside grace is served while it refreshes
    expect(await cache.query({ key: "tagged", tags: [["t"]], fn, onRefresh: () => done.resolve() })).toBe(3)
    await done.promise
    expect(await cache.query({ key: "tagged", tags: [["t"]], fn })).toBe(4)
  })

  it("checks fresh hits when the adapter takes verification reports", async () => {
    const reports = signal<[string, boolean]>()
    class Reporting extends MemoryAdapter {
      async reportVerification(key: string, isStale: boolean) {
        reports.resolve([key, isStale])
      }
    }
    const cache = createPrimitives({ adapter: new Reporting(), verifyPercent: 1 })
    let n = 0
    const fn = async () => ++n
    await cache.query({ key: "k", tags: [], fn })
    await cache.query({ key: "k", tags: [], fn })
    expect(await reports.promise).toEqual(["t87s:k", true])
    expect(() => createPrimitives({ adapter: new Reporting(), verifyPercent: 2 })).toThrow(/verifyPercent/)
  })
})

describe("MemoryAdapter", () => {
  it("evicts the least recently used entry beyond maxItems", async () => {
    const adapter = new MemoryAdapter({ maxItems: 2 })
    const entry = (value: string): CacheEntry<string> => ({
      value,
      tags: [],
      createdAt: 0,
      expiresAt: 1,
      graceUntil: null
    })
    await adapter.set("a", entry("a"))
    await adapter.set("b", entry("b"))
    await adapter.get("a")
    await adapter.set("c", entry("c"))
    expect([await adapter.get("a"), await adapter.get("b"), await adapter.get("c")].map((e) => e?.value)).toEqual([
      "a",
      undefined,
      "c"
    ])
  })
})
