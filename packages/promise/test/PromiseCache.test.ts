import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"

import { describe, expect, it } from "@effect/vitest"

import { createCache, PromiseCache } from "@cachet/promise"

import { gate } from "./helpers.js"

describe("createCache on the memory store", () => {
  it("getOrSet runs the factory on a miss and serves the stored value after", async () => {
    const cache = createCache({ namespace: "basic" })
    let calls = 0
    const load = async () => {
      calls++
      return { id: "1", name: "Ada" }
    }
    const first = await cache.getOrSet(["users", "1"], load, { tags: ["users/1"] })
    const second = await cache.getOrSet(["users", "1"], load, { tags: ["users/1"] })
    expect(first).toEqual({ id: "1", name: "Ada" })
    expect(second).toEqual(first)
    expect(calls).toBe(1)
    // Array keys are canonical: they never collide with a string key of the same text.
    expect(await cache.get("users:1")).toBeUndefined()
    const stats = await cache.stats()
    expect(stats.hits).toBe(1)
    expect(stats.fetches).toBe(1)
    await cache.close()
  })

  it("a synchronous factory works, and a miss returns what a later hit returns", async () => {
    const cache = createCache()
    const value = await cache.getOrSet("plain", () => ({ list: [1, 2, 3] }))
    expect(value).toEqual({ list: [1, 2, 3] })
    expect(Object.isFrozen(value)).toBe(true)
    expect(await cache.get("plain")).toEqual({ list: [1, 2, 3] })
    await cache.close()
  })

  it("concurrent callers of one key share one factory call", async () => {
    const cache = createCache()
    const started = gate()
    const release = gate<string>()
    let calls = 0
    const factory = () => {
      calls++
      started.resolve()
      return release.promise
    }
    const callers = Array.from({ length: 20 }, () => cache.getOrSet("shared", factory))
    await started.promise
    release.resolve("computed once")
    expect(await Promise.all(callers)).toEqual(Array.from({ length: 20 }, () => "computed once"))
    expect(calls).toBe(1)
    await cache.close()
  })

  it("a factory that throws rejects with that same error, and nothing is stored", async () => {
    const cache = createCache()
    const boom = new RangeError("no such user")
    await expect(cache.getOrSet("failing", () => Promise.reject(boom))).rejects.toBe(boom)
    const thrown = new TypeError("thrown synchronously")
    await expect(cache.getOrSet("failing", () => {
      throw thrown
    })).rejects.toBe(thrown)
    expect(await cache.get("failing")).toBeUndefined()
    expect(await cache.getOrSet("failing", () => "recovered")).toBe("recovered")
    await cache.close()
  })

  it("set, get and delete", async () => {
    const cache = createCache()
    expect(await cache.get("k")).toBeUndefined()
    await cache.set("k", { n: 1 }, { ttl: "1 minute", tags: "things" })
    expect(await cache.get("k")).toEqual({ n: 1 })
    expect(await cache.getOrSet("k", () => ({ n: 2 }))).toEqual({ n: 1 })
    expect(await cache.delete("k")).toBe(true)
    expect(await cache.delete("k")).toBe(false)
    expect(await cache.get("k")).toBeUndefined()
    await cache.close()
  })

  it("invalidate removes every entry under a tag, and only those", async () => {
    const cache = createCache()
    await cache.set("a", 1, { tags: ["users/1"] })
    await cache.set("b", 2, { tags: ["users/2"] })
    await cache.set("c", 3, { tags: ["posts/1"] })
    await cache.invalidate("users/1")
    expect(await cache.get("a")).toBeUndefined()
    expect(await cache.get("b")).toBe(2)
    // Tags are hierarchical: "users" covers "users/2".
    await cache.invalidate(["users"])
    expect(await cache.get("b")).toBeUndefined()
    expect(await cache.get("c")).toBe(3)
    expect(await cache.getOrSet("a", () => 10, { tags: ["users/1"] })).toBe(10)
    await cache.close()
  })

  it("namespaces and versions keep caches on one store apart", async () => {
    const cache = createCache({ namespace: "one", version: 1 })
    await cache.set("k", "v")
    expect((await cache.stats()).namespace).toBe("one:1:")
    await cache.close()
  })

  it("rejects calls after close with CacheClosedError, and closing twice is fine", async () => {
    const cache = createCache()
    await cache.set("k", 1)
    await cache.close()
    await cache.close()
    await expect(cache.get("k")).rejects.toBeInstanceOf(PromiseCache.CacheClosedError)
    await expect(cache.getOrSet("k", () => 2)).rejects.toThrow("cachet: the cache is closed")
  })

  it("bad options throw a TypeError at once", () => {
    expect(() => createCache({ store: "postgres://nope" })).toThrow(TypeError)
    expect(() => createCache({ ttl: "5 fortnights" as PromiseCache.DurationInput })).toThrow(/option ttl/)
    expect(() => createCache({ serialize: String })).toThrow(/serialize and deserialize/)
  })
})

describe("createCache on a SQLite file", () => {
  it("keeps entries and invalidations across handles, as after a restart", async () => {
    const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "cachet-promise-"))
    try {
      const store = `sqlite:${Path.join(dir, "nested", "cache.db")}`
      const first = createCache({ store, namespace: "app" })
      await first.set("kept", { n: 1 }, { tags: ["group"] })
      await first.set("dropped", { n: 2 }, { tags: ["gone"] })
      await first.invalidate("gone")
      await first.close()
      const second = createCache({ store, namespace: "app" })
      expect(await second.get("kept")).toEqual({ n: 1 })
      expect(await second.get("dropped")).toBeUndefined()
      expect((await second.stats()).store).toMatch(/sqlite/i)
      await second.close()
    } finally {
      Fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})
