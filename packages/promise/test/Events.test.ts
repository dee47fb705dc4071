import { describe, expect, it } from "@effect/vitest"

import { createCache, type PromiseCache } from "@cachet/promise"

import { next } from "./helpers.js"

describe("events", () => {
  it("tell how each getOrSet was served, with its key and tags", async () => {
    const cache = createCache()
    const seen: Array<[string, PromiseCache.ServedEvent]> = []
    const stops = (["hit", "miss", "stale"] as const).map((event) =>
      cache.on(event, (served) => seen.push([event, served]))
    )
    await cache.getOrSet(["users", "1"], () => "Ada", { tags: ["users/1"] })
    await cache.getOrSet(["users", "1"], () => "Ada", { tags: ["users/1"] })
    expect(seen.map(([event]) => event)).toEqual(["miss", "hit"])
    expect(seen[1]![1]).toMatchObject({ key: "[\"users\",\"1\"]", tags: ["users/1"] })
    expect(seen[1]![1].ageMillis).toBeGreaterThanOrEqual(0)
    // The hit's entry was written when the miss's fetch started, before the miss was told.
    expect(seen[1]![1].createdAt).toBeLessThanOrEqual(seen[0]![1].createdAt)
    // Unsubscribed listeners hear nothing more.
    for (const stop of stops) stop()
    await cache.getOrSet(["users", "1"], () => "Ada")
    expect(seen).toHaveLength(2)
    await cache.close()
  })

  it("tell a failing factory's error", async () => {
    const cache = createCache()
    const failure = new Error("nope")
    const error = next<PromiseCache.ErrorEvent>((listener) => cache.on("error", listener))
    await expect(cache.getOrSet("k", () => Promise.reject(failure), { tags: "t" })).rejects.toBe(failure)
    expect(await error).toEqual({ source: "factory", key: "k", tags: ["t"], error: failure })
    await cache.close()
  })

  it("tell invalidations and expiries with their tags and mode", async () => {
    const cache = createCache()
    const events: Array<PromiseCache.InvalidateEvent> = []
    const both = new Promise<void>((resolve) =>
      cache.on("invalidate", (event) => {
        events.push(event)
        if (events.length === 2) resolve()
      })
    )
    await cache.invalidate(["users/1", "posts"])
    await cache.expire("feed")
    await both
    expect(events).toEqual([{ tags: ["users/1", "posts"], mode: "hard" }, { tags: ["feed"], mode: "soft" }])
    await cache.close()
  })

  it("a listener that throws does not fail the call", async () => {
    const cache = createCache()
    cache.on("miss", () => {
      throw new Error("listener bug")
    })
    cache.on("hit", () => {
      throw new Error("listener bug")
    })
    expect(await cache.getOrSet("k", () => 1)).toBe(1)
    expect(await cache.getOrSet("k", () => 2)).toBe(1)
    await cache.close()
  })
})
