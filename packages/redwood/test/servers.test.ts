/**
 * The clients against real servers: redis-server and memcached started on free loopback ports
 * by core's testing `Servers` (skipped with the reason printed when a binary is missing; failing
 * instead under CACHET_REQUIRE_SERVERS=1).
 */
import * as ChildProcess from "node:child_process"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"

import { Servers } from "@cachet/core/testing"
import { describe, expect, layer } from "@effect/vitest"
import { Context, Effect, Layer } from "effect"
import { Redis } from "ioredis"

import { CachetClient, createCache, MemcachedClient, RedisClient } from "../src/index.js"

class Server extends Context.Tag("test/Server")<Server, Servers.Server>() {}

const redisSkip = Servers.skipReason("redis")
const memcachedSkip = Servers.skipReason("memcached")

/** Runs a Promise-returning test body with the server of the layer. */
const withServer = (body: (server: Servers.Server) => Promise<void>) =>
  Effect.flatMap(Server, (server) => Effect.promise(() => body(server)))

describe.skipIf(redisSkip !== undefined)("on Redis", () => {
  layer(Layer.scoped(Server, Servers.redis), { excludeTestServices: true })((it) => {
    it.effect("RedisClient: JSON values, expires as EX, delete, close and reconnect", () =>
      withServer(async (server) => {
        const client = new RedisClient({ url: server.url })
        const raw = new Redis(server.url)
        try {
          expect(client.client).toBeNull() // connects on first use
          const { cache, deleteCacheKey } = createCache(client, { prefix: "app" })
          expect(await cache("user-1", () => ({ name: "Ada" }), { expires: 60 })).toEqual({ name: "Ada" })
          expect(await raw.get("app-user-1")).toBe(JSON.stringify({ name: "Ada" }))
          const ttl = await raw.ttl("app-user-1")
          expect(ttl).toBeGreaterThan(0)
          expect(ttl).toBeLessThanOrEqual(60)
          expect(await cache("user-1", () => ({ name: "other" }))).toEqual({ name: "Ada" })
          await cache("forever", () => 1)
          expect(await raw.ttl("app-forever")).toBe(-1)

          await client.close()
          expect(client.client).toBeNull()
          expect(await deleteCacheKey("user-1")).toBe(true)
          expect(await deleteCacheKey("user-1")).toBe(false)
        } finally {
          await client.close()
          raw.disconnect()
        }
      }))

    it.effect("RedisClient: a server that stops answering times out; the function runs and the client stays", () =>
      withServer(async (server) => {
        const client = new RedisClient({ url: server.url })
        try {
          const { cache } = createCache(client, { timeout: 200 })
          await cache("warm", () => "up")
          const connection = client.client
          await Effect.runPromise(server.pause)
          try {
            expect(await cache("warm", () => "computed")).toBe("computed")
          } finally {
            await Effect.runPromise(server.resume)
          }
          // RedwoodJS's RedisClient has no disconnect: the connection is kept
          expect(client.client).toBe(connection)
          expect(await cache("warm", () => "again")).toBe("up")
        } finally {
          await client.close()
        }
      }))

    it.effect("CachetClient: tags invalidate across clients sharing the store; expires bounds the entry", () =>
      withServer(async (server) => {
        const store = server.url
        const a = new CachetClient({ store })
        const b = new CachetClient({ store })
        const raw = new Redis(server.url)
        try {
          const { cache } = createCache(a)
          let runs = 0
          const load = () => ({ runs: ++runs })
          expect(await cache("post-1", load, { tags: ["post:1"], expires: 60 })).toEqual({ runs: 1 })
          expect(await createCache(b).cache("post-1", load, { tags: ["post:1"] })).toEqual({ runs: 1 })
          const keys = (await raw.keys("*")).filter((key) => key.includes("post-1"))
          expect(keys.length).toBe(1)
          const pttl = await raw.pttl(keys[0]!)
          expect(pttl).toBeGreaterThan(0)
          expect(pttl).toBeLessThanOrEqual(60_000)

          await b.invalidate(["post:1"])
          expect(await cache("post-1", load, { tags: ["post:1"] })).toEqual({ runs: 2 })
          expect(runs).toBe(2)
        } finally {
          await a.close()
          await b.close()
          raw.disconnect()
        }
      }))
  })
})

describe.skipIf(memcachedSkip !== undefined)("on memcached", () => {
  layer(Layer.scoped(Server, Servers.memcached), { excludeTestServices: true })((it) => {
    it.effect("MemcachedClient: JSON values, delete, and a timeout disconnects, the next call reconnects", () =>
      withServer(async (server) => {
        const client = new MemcachedClient(server.url, { retries: 0, timeout: 5 })
        try {
          const { cache, deleteCacheKey } = createCache(client, { timeout: 300 })
          expect(await cache("list", () => [1, 2, 3], { expires: 60 })).toEqual([1, 2, 3])
          expect(await cache("list", () => [])).toEqual([1, 2, 3])
          await Effect.runPromise(server.pause)
          try {
            expect(await cache("list", () => ["fallback"])).toEqual(["fallback"])
            expect(client.client).toBeNull()
          } finally {
            await Effect.runPromise(server.resume)
          }
          expect(await cache("list", () => [])).toEqual([1, 2, 3])
          expect(await deleteCacheKey("list")).toBe(true)
          expect(await deleteCacheKey("list")).toBe(false)
        } finally {
          await client.close()
        }
      }))

    it.effect("CachetClient on memcached: read-through with tags", () =>
      withServer(async (server) => {
        const client = new CachetClient({ store: `memcached://${server.url}` })
        try {
          const { cache } = createCache(client)
          let runs = 0
          const load = () => ({ runs: ++runs })
          expect(await cache("k", load, { tags: ["t"] })).toEqual({ runs: 1 })
          expect(await cache("k", load, { tags: ["t"] })).toEqual({ runs: 1 })
          await client.invalidate("t")
          expect(await cache("k", load, { tags: ["t"] })).toEqual({ runs: 2 })
        } finally {
          await client.close()
        }
      }))
  })
})

const here = Path.dirname(fileURLToPath(import.meta.url))
const root = Path.resolve(here, "..")

/** A process that uses every client once, closes them, and must then exit by itself. */
const script = `
import { CachetClient, createCache, MemcachedClient, RedisClient } from "./src/index.ts"
const clients = [
  new CachetClient({ store: process.env.REDIS_URL }),
  new RedisClient({ url: process.env.REDIS_URL }),
  new MemcachedClient(process.env.MEMCACHED_SERVERS)
]
for (const client of clients) {
  const { cache } = createCache(client, { timeout: 2000 })
  const value = await cache("exit-test", () => ({ ok: true }), { expires: 60 })
  if (!value.ok) throw new Error("no value")
}
for (const client of clients) await client.close()
console.log("closed")
`

describe.skipIf(redisSkip !== undefined || memcachedSkip !== undefined)("close()", () => {
  layer(
    Layer.merge(
      Layer.scoped(Server, Servers.redis),
      Layer.scoped(Memcached, Servers.memcached)
    ),
    { excludeTestServices: true }
  )((it) => {
    it.effect("releases connections and timers: the process exits on its own", () =>
      Effect.gen(function*() {
        const redis = yield* Server
        const memcached = yield* Memcached
        const result = yield* Effect.async<
          { readonly error: ChildProcess.ExecFileException | null; readonly out: string }
        >(
          (resume) => {
            ChildProcess.execFile(
              process.execPath,
              ["--conditions=@cachet/source", "--import", "tsx", "--input-type=module", "-e", script],
              {
                cwd: root,
                env: { ...process.env, REDIS_URL: redis.url, MEMCACHED_SERVERS: memcached.url },
                timeout: 30_000
              },
              (error, stdout, stderr) => resume(Effect.succeed({ error, out: stdout + stderr }))
            )
          }
        )
        expect(result.out).toContain("closed")
        // killed by the timeout (a handle left open) would be an error with `killed: true`
        expect(result.error).toBeNull()
      }))
  })
})

class Memcached extends Context.Tag("test/Memcached")<Memcached, Servers.Server>() {}
