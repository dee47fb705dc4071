import { describe, expect, it } from "@effect/vitest"

import { CachetClient, CacheTimeoutError, createCache, formatCacheKey, InMemoryClient } from "../src/index.js"

/** A logger that keeps what it is told. */
const recorder = () => {
  const lines: Array<string> = []
  return {
    lines,
    logger: { debug: (m: string) => lines.push(`debug ${m}`), error: (m: unknown) => lines.push(`error ${String(m)}`) }
  }
}

describe("formatCacheKey", () => {
  it("joins parts with - and puts the prefix in front once", () => {
    expect(formatCacheKey(["post", 7, 1700000000000])).toBe("post-7-1700000000000")
    expect(formatCacheKey("post-7", "v2")).toBe("v2-post-7")
    expect(formatCacheKey("v2-post-7", "v2")).toBe("v2-post-7")
    expect(formatCacheKey("v2post", "v2")).toBe("v2-v2post")
  })
})

describe("cache on an InMemoryClient", () => {
  it("stores a miss as JSON and answers later calls from the cache", async () => {
    const client = new InMemoryClient()
    const { cache } = createCache(client)
    let runs = 0
    const load = () => {
      runs++
      return { when: new Date(0), n: 1 }
    }
    // what comes back is what JSON gives back, on a miss as on a hit
    expect(await cache("thing", load)).toEqual({ when: "1970-01-01T00:00:00.000Z", n: 1 })
    expect(await cache("thing", load)).toEqual({ when: "1970-01-01T00:00:00.000Z", n: 1 })
    expect(runs).toBe(1)
    expect(client.contents).toEqual([{ when: "1970-01-01T00:00:00.000Z", n: 1 }])
    expect(client.isCached({ when: "1970-01-01T00:00:00.000Z", n: 1 })).toBe(true)
  })

  it("prefixes every key", async () => {
    const client = new InMemoryClient()
    const { cache, deleteCacheKey } = createCache(client, { prefix: "alpha" })
    await cache(["posts", 123], () => "list")
    expect(Object.keys(client.storage)).toEqual(["alpha-posts-123"])
    expect(client.cacheKeyForValue("list")).toBe("alpha-posts-123")
    expect(await deleteCacheKey("posts-123")).toBe(true)
    expect(client.storage).toEqual({})
  })

  it("expires entries after `expires` seconds; an expired entry is a miss and is dropped", async () => {
    const client = new InMemoryClient({ old: { expires: Date.now() - 1, value: JSON.stringify("stale") } })
    const { cache } = createCache(client)
    expect(await cache("old", () => "fresh", { expires: 60 })).toBe("fresh")
    const entry = client.storage.old!
    expect(entry.value).toBe(JSON.stringify("fresh"))
    expect(entry.expires - Date.now()).toBeGreaterThan(55_000)
    expect(entry.expires - Date.now()).toBeLessThanOrEqual(60_000)
    // no expires: kept for about ten years
    await cache("forever", () => 1)
    expect(client.storage.forever!.expires - Date.now()).toBeGreaterThan(9 * 365 * 24 * 3600 * 1000)
  })

  it("a falsy cached value counts as a miss, as in RedwoodJS", async () => {
    const client = new InMemoryClient({ zero: { expires: Date.now() + 60_000, value: "0" } })
    const { cache } = createCache(client)
    expect(await cache("zero", () => 5)).toBe(5)
  })

  it("a get that times out disconnects the client and returns the function's value", async () => {
    class Hanging extends InMemoryClient {
      disconnects = 0
      override get(): Promise<unknown> {
        return new Promise(() => {})
      }
      override async disconnect() {
        this.disconnects++
      }
    }
    const client = new Hanging()
    const { lines, logger } = recorder()
    const { cache } = createCache(client, { timeout: 50, logger })
    expect(await cache("k", () => ({ ok: true }))).toEqual({ ok: true })
    expect(client.disconnects).toBe(1)
    expect(lines).toContain("error [Cache] Error GET 'k': Timed out waiting for response from the cache server")
    expect(new CacheTimeoutError().message).toBe("Timed out waiting for response from the cache server")
  })

  it("a failing set still returns the value; a failing delete answers false", async () => {
    class Broken extends InMemoryClient {
      override async set(): Promise<true> {
        throw new Error("disk full")
      }
      override async del(): Promise<boolean> {
        throw new Error("gone")
      }
    }
    const { lines, logger } = recorder()
    const { cache, deleteCacheKey } = createCache(new Broken(), { logger })
    expect(await cache("k", () => [1, 2])).toEqual([1, 2])
    expect(await deleteCacheKey("k")).toBe(false)
    expect(lines).toEqual(["error [Cache] Error SET 'k': disk full", "error [Cache] Error DEL 'k': gone"])
  })

  it("logs hits and misses at debug level", async () => {
    const { lines, logger } = recorder()
    const { cache } = createCache(new InMemoryClient(), { logger })
    await cache("k", () => "v")
    await cache("k", () => "v")
    expect(lines).toEqual(["debug [Cache] MISS 'k', SET 3 bytes", "debug [Cache] HIT key 'k'"])
  })
})

describe("cacheFindMany", () => {
  interface Post {
    readonly post_id: number
    readonly updated_at: Date
    readonly title: string
  }
  const model = (posts: Array<Post>) => {
    const calls: Array<unknown> = []
    return {
      calls,
      findFirst: async (args: unknown) => {
        calls.push(["findFirst", args])
        return [...posts].sort((a, b) => b.updated_at.getTime() - a.updated_at.getTime())[0] ?? null
      },
      findMany: async (args?: unknown) => {
        calls.push(["findMany", args])
        return posts
      }
    }
  }

  it("keys the result by the latest record's id and update time, with the fields named", async () => {
    const posts: Array<Post> = [{ post_id: 4, updated_at: new Date(1000), title: "a" }]
    const posts$ = model(posts)
    const client = new InMemoryClient()
    const { cacheFindMany } = createCache(client, { fields: { id: "post_id", updatedAt: "updated_at" } })
    const conditions = { where: { title: "a" } }
    expect(await cacheFindMany("posts", posts$, { conditions, expires: 30 })).toEqual([
      { post_id: 4, updated_at: new Date(1000).toJSON(), title: "a" }
    ])
    expect(Object.keys(client.storage)).toEqual(["posts-4-1000"])
    expect(posts$.calls).toEqual([
      ["findFirst", {
        where: { title: "a" },
        orderBy: { updated_at: "desc" },
        select: { post_id: true, updated_at: true }
      }],
      ["findMany", conditions]
    ])
    // an update makes a new key; the old entry stays
    posts.push({ post_id: 5, updated_at: new Date(2000), title: "a" })
    await cacheFindMany("posts", posts$, { conditions })
    expect(Object.keys(client.storage)).toEqual(["posts-4-1000", "posts-5-2000"])
  })

  it("with no record, runs findMany uncached", async () => {
    const client = new InMemoryClient()
    const { cacheFindMany } = createCache(client)
    expect(await cacheFindMany("posts", model([]))).toEqual([])
    expect(client.storage).toEqual({})
  })

  it("a findFirst that fails (e.g. missing fields) falls back to findMany, logged", async () => {
    const { lines, logger } = recorder()
    const failing = {
      findFirst: async () => {
        throw Object.assign(new Error("Unknown field"), { name: "PrismaClientValidationError" })
      },
      findMany: async () => ["x"]
    }
    const { cacheFindMany } = createCache(new InMemoryClient(), { logger })
    expect(await cacheFindMany("k", failing)).toEqual(["x"])
    expect(lines).toEqual(["error [Cache] cacheFindMany error: model does not contain `id` or `updatedAt` fields"])
  })
})

describe("CachetClient in memory", () => {
  it("reads through Cachet: one run for concurrent misses, tags invalidate, values come back as JSON", async () => {
    const client = new CachetClient({ store: "memory" })
    try {
      const { cache, cacheClient, deleteCacheKey } = createCache(client, { prefix: "v1" })
      let runs = 0
      let release!: () => void
      const gate = new Promise<void>((resolve) => release = resolve)
      const load = async () => {
        runs++
        await gate
        return { at: new Date(0), runs }
      }
      await client.connect()
      const both = Promise.all([
        cache("post-1", load, { tags: ["post:1"] }),
        cache("post-1", load, { tags: ["post:1"] })
      ])
      // one turn of the event loop: both callers are waiting, the first run is parked on the gate
      await new Promise((resolve) => setImmediate(resolve))
      expect(runs).toBe(1)
      release()
      const [a, b] = await both
      expect(runs).toBe(1)
      expect(a).toEqual({ at: "1970-01-01T00:00:00.000Z", runs: 1 })
      expect(b).toEqual(a)
      expect(await cacheClient.get("v1-post-1")).toEqual(a)

      await client.invalidate("post:1")
      expect(await cache("post-1", load, { tags: ["post:1"] })).toEqual({ at: "1970-01-01T00:00:00.000Z", runs: 2 })
      expect(await deleteCacheKey("post-1")).toBe(true)
      expect(await deleteCacheKey("post-1")).toBe(false)
    } finally {
      await client.close()
    }
  })

  it("caches falsy values like any other", async () => {
    const client = new CachetClient()
    try {
      const { cache } = createCache(client)
      let runs = 0
      expect(await cache("zero", () => (runs++, 0))).toBe(0)
      expect(await cache("zero", () => (runs++, 0))).toBe(0)
      expect(runs).toBe(1)
    } finally {
      await client.close()
    }
  })

  it("a rejecting function rejects the call; a bad store specification rejects with the syntax expected", async () => {
    const client = new CachetClient()
    try {
      const { cache } = createCache(client)
      await expect(cache("k", () => Promise.reject(new Error("db down")))).rejects.toThrow("db down")
    } finally {
      await client.close()
    }
    await expect(new CachetClient({ store: "nope://x" }).get("k")).rejects.toThrow(/CachetClient: .*expected/)
    await expect(client.get("k")).rejects.toThrow("CachetClient is closed")
  })
})
