import { spawn } from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"

import { RedisCluster, Servers } from "@cachet/core/testing"
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "@effect/vitest"
import { Effect, Exit, Schedule, Scope } from "effect"

import { at, CachetAdapter, createPrimitives, QueryCache, wild } from "../src/index.js"

/** A server of the test file's own, started before its suite and stopped after it. */
const serve = (kind: Servers.Kind) => {
  const scope = Effect.runSync(Scope.make())
  let server: Servers.Server | undefined
  beforeAll(async () => {
    server = await Effect.runPromise(Scope.extend(Servers.start(kind), scope))
  })
  afterAll(() => Effect.runPromise(Scope.close(scope, Exit.void)))
  return () => server!
}

let namespaces = 0
/** Adapters made by a test, closed after it; each has a namespace of its own. */
const open: Array<CachetAdapter> = []
const adapter = (store: string, options: Partial<ConstructorParameters<typeof CachetAdapter>[0]> = {}) => {
  const made = new CachetAdapter({ store, namespace: `test${process.pid}-${namespaces++}:`, ...options })
  open.push(made)
  return made
}
afterEach(async () => {
  vi.useRealTimers()
  await Promise.all(open.splice(0).map((a) => a.close()))
})

/** Time moves only when a test says so; it starts at the real time, which servers expire by. */
const freezeTime = () => vi.useFakeTimers({ toFake: ["Date"], now: Date.now() })
const advance = (ms: number) => vi.setSystemTime(Date.now() + ms)

const behaviours = (name: string, store: () => string, skip: string | undefined) =>
  describe.skipIf(skip !== undefined)(`CachetAdapter on ${name}`, () => {
    it("caches queries, tells hits from misses, invalidates by prefix and exactly", async () => {
      let calls = 0
      const cache = QueryCache({
        schema: at("posts", () => wild(() => at("comments"))),
        adapter: adapter(store()),
        queries: (tags) => ({
          post: (id: string) => ({ tags: [tags.posts(id)], fn: async () => ({ id, call: ++calls }) }),
          comments: (id: string) => ({ tags: [tags.posts(id).comments], fn: async () => [id, ++calls] })
        })
      })
      const miss = await cache.post("p/1:x").entries
      expect(miss.before).toBeNull()
      expect(miss.after.value).toEqual({ id: "p/1:x", call: 1 })
      const hit = await cache.post("p/1:x").entries
      expect(hit.after).toBe(hit.before)
      expect(hit.after).toEqual(miss.after)
      expect(await cache.comments("p/1:x")).toEqual(["p/1:x", 2])
      await cache.invalidate(cache.tags.posts("p/1:x"), true)
      expect(await cache.comments("p/1:x")).toEqual(["p/1:x", 2])
      expect(await cache.post("p/1:x")).toEqual({ id: "p/1:x", call: 3 })
      await cache.invalidate(cache.tags.posts)
      expect(await cache.comments("p/1:x")).toEqual(["p/1:x", 4])
    })

    it("expires by TTL, serves in grace, and keeps an expired entry for .entries", async () => {
      freezeTime()
      const cache = createPrimitives({ adapter: adapter(store()), defaultTtl: "1s" })
      await cache.set("graced", "g", { tags: [["t"]], ttl: "1s", grace: "30s" })
      let calls = 0
      const fn = async () => ++calls
      await cache.query({ key: "q", tags: [["t"]], fn })
      advance(1_000)
      expect(await cache.get("graced")).toBe("g")
      const { after, before } = await cache.queryWithEntries({ key: "q", tags: [["t"]], fn })
      expect([before?.value, after.value]).toEqual([1, 2])
      advance(30_000)
      expect(await cache.get("graced")).toBeNull()
    })

    it("keeps namespaces apart; clear empties only its own", async () => {
      const one = createPrimitives({ adapter: adapter(store(), { namespace: `ns1-${process.pid}:` }) })
      const twoAdapter = adapter(store(), { namespace: `ns2-${process.pid}:` })
      const two = createPrimitives({ adapter: twoAdapter })
      await one.set("k", 1, { tags: [["shared"]], ttl: "1m" })
      await two.set("k", 2, { tags: [["shared"]], ttl: "1m" })
      await two.invalidate([["shared"]])
      expect([await one.get("k"), await two.get("k")]).toEqual([1, null])
      await two.set("k", 2, { tags: [], ttl: "1m" })
      await one.clear()
      expect([await one.get("k"), await two.get("k")]).toEqual([null, 2])
      await one.set("k", 1, { tags: [], ttl: "1m" })
      await one.del("k")
      expect(await one.get("k")).toBeNull()
    })

    it("after close, reads are misses, writes are dropped, invalidations reject; close is idempotent", async () => {
      const made = adapter(store())
      const cache = createPrimitives({ adapter: made })
      await cache.set("k", "v", { tags: [], ttl: "1m" })
      await made.close()
      await made.disconnect()
      expect(await cache.get("k")).toBeNull()
      await cache.set("k", "v", { tags: [], ttl: "1m" })
      expect(await cache.query({ key: "q", tags: [], fn: async () => "ran" })).toBe("ran")
      await expect(cache.invalidate([["t"]])).rejects.toThrow(/disconnected/)
    })
  })

const tmp = Fs.mkdtempSync(Path.join(Os.tmpdir(), "cachet-t87s-"))
afterAll(() => Fs.rmSync(tmp, { recursive: true, force: true }))

behaviours("memory", () => "memory", undefined)
behaviours("sqlite", () => `sqlite:${Path.join(tmp, "cache.db")}`, undefined)

const redisSkip = Servers.skipReason("redis")
describe.skipIf(redisSkip !== undefined)("redis", () => {
  const server = serve("redis")
  behaviours("redis", () => server().url, undefined)

  it("a hung server costs a read its timeout, not more: the query runs its function", async () => {
    const errors: Array<unknown> = []
    const cache = createPrimitives({
      adapter: adapter(server().url, { timeout: 200, onError: (e) => errors.push(e) })
    })
    await cache.set("k", "cached", { tags: [], ttl: "1m" })
    await Effect.runPromise(server().pause)
    try {
      const started = performance.now()
      expect(await cache.query({ key: "k", tags: [], fn: async () => "fetched" })).toBe("fetched")
      // get, then set: each gives up after its 200 ms timeout
      expect(performance.now() - started).toBeLessThan(5_000)
      expect(errors.map((e) => (e as { _tag?: string })._tag)).toContain("StoreTimeout")
    } finally {
      await Effect.runPromise(server().resume)
    }
    expect(await cache.get("k")).not.toBeNull()
  })

  it("fails open while the server is down, and works again when it is back", async () => {
    const errors: Array<unknown> = []
    const cache = createPrimitives({
      adapter: adapter(server().url, { timeout: 300, onError: (e) => errors.push(e) })
    })
    await cache.set("k", "v", { tags: [], ttl: "1m" })
    await Effect.runPromise(server().stop)
    let calls = 0
    expect(await cache.query({ key: "k", tags: [], fn: async () => `fetched ${++calls}` })).toBe("fetched 1")
    expect(errors.length).toBeGreaterThan(0)
    await Effect.runPromise(server().start)
    // the client reconnects with backoff: retry until a write is read back (as core's fault tests do)
    const back = Effect.tryPromise(async () => {
      await cache.set("k", "back", { tags: [], ttl: "1m" })
      if ((await cache.get("k")) !== "back") throw new Error("not reconnected yet")
    }).pipe(Effect.retry(Schedule.spaced("100 millis").pipe(Schedule.upTo("10 seconds"))), Effect.either)
    expect((await Effect.runPromise(back))._tag).toBe("Right")
  })
})

/** Runs the fixture in a node process; resolves with its exit code and output, or "hung" after `limit` ms. */
const runFixture = (store: string, limit: number) =>
  new Promise<{ code: number | "hung"; out: string }>((resolve) => {
    const fixture = Path.join(import.meta.dirname, "fixtures", "closeThenExit.ts")
    const child = spawn(process.execPath, ["--conditions=@cachet/source", "--import", "tsx", fixture, store], {
      stdio: ["ignore", "pipe", "inherit"]
    })
    let out = ""
    child.stdout.on("data", (chunk) => (out += String(chunk)))
    const watchdog = setTimeout(() => {
      child.kill("SIGKILL")
      resolve({ code: "hung", out })
    }, limit)
    child.on("exit", (code) => {
      clearTimeout(watchdog)
      resolve({ code: code ?? -1, out })
    })
  })

describe.skipIf(redisSkip !== undefined)("close", () => {
  const server = serve("redis")
  it("releases the Redis connections: the process exits by itself", async () => {
    expect(await runFixture(server().url, 45_000)).toEqual({ code: 0, out: "fetched\n" })
  }, 60_000)
})

const clusterSkip = RedisCluster.skipReason()
describe.skipIf(clusterSkip !== undefined)("redis cluster", () => {
  const scope = Effect.runSync(Scope.make())
  let spec = ""
  beforeAll(async () => {
    const cluster = await Effect.runPromise(Scope.extend(RedisCluster.start({ masters: 3, replicas: 0 }), scope))
    spec = `redis+cluster://${cluster.nodes.map((node) => `${node.host}:${node.port}`).join(",")}`
  }, 60_000)
  afterAll(() => Effect.runPromise(Scope.close(scope, Exit.void)))
  behaviours("redis cluster", () => spec, undefined)
})

const memcachedSkip = Servers.skipReason("memcached")
describe.skipIf(memcachedSkip !== undefined)("memcached", () => {
  const server = serve("memcached")
  behaviours("memcached", () => `memcached://${server().url}`, undefined)
})

describe("CachetAdapter options", () => {
  it("rejects a store specification it cannot read", () => {
    expect(() => new CachetAdapter({ store: "nosuch://x" })).toThrow(/CachetAdapter: .*expected/)
  })
})
