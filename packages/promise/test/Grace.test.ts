import { describe, expect, it } from "@effect/vitest"

import { createCache, type PromiseCache } from "@cachet/promise"

import { gate, movableClock, next } from "./helpers.js"

/** Waits until no fetch is in flight (each turn is a call through the runtime, never a timer). */
const settled = async (cache: ReturnType<typeof createCache>) => {
  while ((await cache.stats()).inflight !== 0) await new Promise((resolve) => setImmediate(resolve))
}

describe("ttl, grace and expiry (a clock the test moves)", () => {
  it("past its ttl and without grace an entry is a miss", async () => {
    const time = movableClock()
    const cache = createCache({ clock: time.clock, ttl: "1 minute" })
    await cache.set("k", "old")
    time.advance("59 seconds")
    expect(await cache.get("k")).toBe("old")
    time.advance("2 seconds")
    expect(await cache.get("k")).toBeUndefined()
    expect(await cache.getOrSet("k", () => "new")).toBe("new")
    await cache.close()
  })

  it("inside grace the stale value comes at once while one background refresh runs", async () => {
    const time = movableClock()
    const cache = createCache({ clock: time.clock, ttl: "1 minute", grace: "1 hour" })
    await cache.getOrSet("k", () => "v1")
    time.advance("2 minutes")
    const release = gate<string>()
    let calls = 0
    const refresh = () => {
      calls++
      return release.promise
    }
    const stale = next<PromiseCache.ServedEvent>((listener) => cache.on("stale", listener))
    // Both callers get the stale value without waiting for the refresh, which runs once.
    expect(await cache.getOrSet("k", refresh)).toBe("v1")
    expect(await cache.getOrSet("k", refresh)).toBe("v1")
    expect((await stale).key).toBe("k")
    expect(calls).toBe(1)
    release.resolve("v2")
    await settled(cache)
    expect(await cache.getOrSet("k", refresh)).toBe("v2")
    expect(calls).toBe(1)
    const stats = await cache.stats()
    expect(stats.staleHits).toBe(2)
    expect(stats.backgroundRefreshes).toBe(1)
    await cache.close()
  })

  it("a failing refresh keeps the stale value and tells error listeners", async () => {
    const time = movableClock()
    const cache = createCache({ clock: time.clock, ttl: "1 minute", grace: "1 hour" })
    await cache.getOrSet("k", () => "good", { tags: ["t"] })
    time.advance("5 minutes")
    const failure = new Error("database down")
    const error = next<PromiseCache.ErrorEvent>((listener) => cache.on("error", listener))
    expect(await cache.getOrSet("k", () => Promise.reject(failure), { tags: ["t"] })).toBe("good")
    expect(await error).toEqual({ source: "factory", key: "k", tags: ["t"], error: failure })
    await settled(cache)
    expect(await cache.get("k")).toBe("good")
    // Past the grace, the failure reaches the caller.
    time.advance("2 hours")
    await expect(cache.getOrSet("k", () => Promise.reject(failure))).rejects.toBe(failure)
    await cache.close()
  })

  it("expire makes tagged entries stale (served in grace), invalidate makes them gone", async () => {
    const time = movableClock()
    const cache = createCache({ clock: time.clock, ttl: "1 hour", grace: "1 hour" })
    await cache.set("a", "a1", { tags: ["group"] })
    await cache.set("b", "b1", { tags: ["group"] })
    time.advance(1)
    await cache.expire("group")
    const release = gate<string>()
    expect(await cache.getOrSet("a", () => release.promise)).toBe("a1")
    release.resolve("a2")
    await settled(cache)
    expect(await cache.get("a")).toBe("a2")
    await cache.invalidate("group")
    expect(await cache.get("b")).toBeUndefined()
    await cache.close()
  })

  it("a per-call ttl and grace override the cache's", async () => {
    const time = movableClock()
    const cache = createCache({ clock: time.clock, ttl: "1 hour" })
    await cache.getOrSet("short", () => 1, { ttl: 1000 })
    await cache.set("graced", 2, { ttl: "1 second", grace: "1 minute" })
    time.advance("2 seconds")
    expect(await cache.get("short")).toBeUndefined()
    expect(await cache.get("graced")).toBe(2)
    await cache.close()
  })
})
