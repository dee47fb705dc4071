import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Scope } from "effect"

import { RedisCluster, Servers } from "@cachet/core/testing"
import { createCache, type PromiseCache } from "@cachet/promise"

import { gate } from "./helpers.js"

/** Starts a server for the file's lifetime (stopped in `afterAll`). */
const serverFor = (kind: Servers.Kind) => {
  const scope = Effect.runSync(Scope.make())
  let server: Servers.Server | undefined
  beforeAll(async () => {
    server = await Effect.runPromise(Scope.extend(Servers.start(kind), scope))
  })
  afterAll(() => Effect.runPromise(Scope.close(scope, Exit.void)))
  return () => server!
}

/** What every store must do behind the Promise API; `spec` names the running server. */
const behaviours = (spec: () => string) => {
  it("getOrSet, get, set, delete and clear", async () => {
    const cache = createCache({ store: spec(), namespace: "basics" })
    let calls = 0
    const load = () => {
      calls++
      return { id: "1" }
    }
    expect(await cache.getOrSet(["users", "1"], load, { tags: ["users/1"] })).toEqual({ id: "1" })
    expect(await cache.getOrSet(["users", "1"], load, { tags: ["users/1"] })).toEqual({ id: "1" })
    expect(calls).toBe(1)
    await cache.set("k", [1, 2, 3], { ttl: "1 minute" })
    expect(await cache.get("k")).toEqual([1, 2, 3])
    expect(await cache.delete("k")).toBe(true)
    expect(await cache.get("k")).toBeUndefined()
    expect(await cache.clear()).toBeGreaterThanOrEqual(0)
    expect(await cache.get(["users", "1"])).toBeUndefined()
    const stats = await cache.stats()
    expect(stats.storeErrors).toBe(0)
    await cache.close()
  })

  it("single-flight across concurrent callers", async () => {
    const cache = createCache({ store: spec(), namespace: "flight" })
    const started = gate()
    const release = gate<number>()
    let calls = 0
    const callers = Array.from({ length: 10 }, () =>
      cache.getOrSet("k", () => {
        calls++
        started.resolve()
        return release.promise
      }))
    await started.promise
    release.resolve(42)
    expect(await Promise.all(callers)).toEqual(Array.from({ length: 10 }, () => 42))
    expect(calls).toBe(1)
    await cache.close()
  })

  it("two handles on one store share entries and invalidations", async () => {
    const one = createCache({ store: spec(), namespace: "shared" })
    const two = createCache({ store: spec(), namespace: "shared" })
    await one.set("post", "hello", { tags: ["posts/1"] })
    expect(await two.get("post")).toBe("hello")
    await two.invalidate("posts")
    expect(await one.get("post")).toBeUndefined()
    await Promise.all([one.close(), two.close()])
  })
}

const redisSkip = Servers.skipReason("redis")
describe.skipIf(redisSkip !== undefined)("on a real Redis", () => {
  const server = serverFor("redis")
  behaviours(() => server().url)

  it("tiered: a memory tier in front of Redis", async () => {
    const cache = createCache({ store: server().url, tiered: true, namespace: "tiered" })
    expect(await cache.getOrSet("k", () => "v")).toBe("v")
    expect(await cache.getOrSet("k", () => "w")).toBe("v")
    await cache.close()
  })

  it("a Redis that stops never fails getOrSet, and is used again once back", async () => {
    const cache = createCache({ store: server().url, namespace: "outage", timeout: 200 })
    await cache.set("k", "cached")
    await Effect.runPromise(server().stop)
    try {
      expect(await cache.getOrSet("k", () => "computed")).toBe("computed")
      expect(await cache.get("k")).toBeUndefined()
      await cache.set("k2", "lost")
      await cache.invalidate("t")
      expect((await cache.stats()).storeErrors).toBeGreaterThan(0)
    } finally {
      await Effect.runPromise(server().start)
    }
    await cache.close()
  })
})

const clusterSkip = RedisCluster.skipReason()
describe.skipIf(clusterSkip !== undefined)("on a real Redis Cluster (3 masters)", () => {
  const scope = Effect.runSync(Scope.make())
  let spec = ""
  beforeAll(async () => {
    const cluster = await Effect.runPromise(Scope.extend(RedisCluster.start({ masters: 3, replicas: 0 }), scope))
    spec = `redis+cluster://${cluster.nodes.map((node) => `${node.host}:${node.port}`).join(",")}`
  }, 120_000)
  afterAll(() => Effect.runPromise(Scope.close(scope, Exit.void)))
  behaviours(() => spec)
})

const memcachedSkip = Servers.skipReason("memcached")
describe.skipIf(memcachedSkip !== undefined)("on a real memcached", () => {
  const server = serverFor("memcached")
  behaviours(() => `memcached://${server().url}`)
})

describe("a store that cannot be reached", () => {
  it("getOrSet still resolves with the factory's value, and every other call but clear resolves", async () => {
    const port = await Effect.runPromise(Servers.freePort)
    const cache = createCache({ store: `redis://127.0.0.1:${port}`, timeout: 100 })
    const storeError = new Promise<PromiseCache.ErrorEvent>((resolve) => {
      const stop = cache.on("error", (event) => {
        stop()
        resolve(event)
      })
    })
    expect(await cache.getOrSet("k", () => "computed", { tags: ["t"] })).toBe("computed")
    expect(await cache.get("k")).toBeUndefined()
    await cache.set("k", "v")
    expect(await cache.delete("k")).toBe(false)
    await cache.invalidate("t")
    await cache.expire("t")
    const failure = await cache.clear().then(() => undefined, (error: unknown) => error)
    expect(failure).toBeInstanceOf(Error)
    expect((failure as Error).message).toMatch(/store|breaker/)
    const told = await storeError
    expect(told.source).toBe("store")
    expect(told.error).toBeInstanceOf(Error)
    const stats = await cache.stats()
    expect(stats.storeErrors).toBeGreaterThan(0)
    await cache.close()
  })
})
