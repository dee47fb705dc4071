import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"

import { Cache, Store } from "@cachet/core"
import { RedisCluster, Servers } from "@cachet/core/testing"
import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Either, Exit, Layer, Option, Ref } from "effect"

import { StoreSpec } from "../src/index.js"

const redisSkip = Servers.skipReason("redis")
const clusterSkip = RedisCluster.skipReason()

describe("StoreSpec.parse", () => {
  it.each(
    [
      ["memory", { _tag: "Memory" }],
      ["  memory ", { _tag: "Memory" }],
      ["sqlite:./data/cache.db", { _tag: "Sqlite", filename: "./data/cache.db" }],
      ["sqlite:///var/cache/c.db", { _tag: "Sqlite", filename: "/var/cache/c.db" }],
      ["redis://:pw@127.0.0.1:6379/2", { _tag: "Redis", url: "redis://:pw@127.0.0.1:6379/2" }],
      ["rediss://cache.internal:6380", { _tag: "Redis", url: "rediss://cache.internal:6380" }],
      ["memcached://127.0.0.1:11211,10.0.0.2:11211/", { _tag: "Memcached", servers: "127.0.0.1:11211,10.0.0.2:11211" }],
      ["redis+cluster://127.0.0.1:7000,127.0.0.1:7001", {
        _tag: "RedisCluster",
        url: "redis+cluster://127.0.0.1:7000,127.0.0.1:7001",
        nodes: [{ host: "127.0.0.1", port: 7000 }, { host: "127.0.0.1", port: 7001 }]
      }],
      ["redis+cluster://app:s%40cret@10.0.0.1:6379/", {
        _tag: "RedisCluster",
        url: "redis+cluster://app:s%40cret@10.0.0.1:6379/",
        nodes: [{ host: "10.0.0.1", port: 6379 }],
        username: "app",
        password: "s@cret"
      }]
    ] as const
  )("%s", (text, spec) => {
    expect(StoreSpec.parse(text)).toEqual(Either.right(spec))
    // format writes what parse reads back.
    expect(StoreSpec.parse(StoreSpec.format(spec))).toEqual(Either.right(spec))
  })

  it.each([
    "postgres://x",
    "sqlite:",
    "memcached://nohostport",
    "memcached://h:99999",
    "redis://",
    "bogus",
    "redis+cluster://",
    "redis+cluster://a:1,b"
  ])(
    "rejects %s with a one-line reason",
    (text) => {
      const parsed = StoreSpec.parse(text)
      expect(Either.isLeft(parsed)).toBe(true)
      expect(Either.isLeft(parsed) && !parsed.left.includes("\n")).toBe(true)
    }
  )

  it("an empty text is an error unless the app names its default", () => {
    expect(Either.isLeft(StoreSpec.parse(""))).toBe(true)
    expect(StoreSpec.parse(" ", { empty: { _tag: "Memory" } })).toEqual(Either.right({ _tag: "Memory" }))
  })

  it("describe never prints a password and says whether Redis is tiered", () => {
    const spec = { _tag: "Redis", url: "redis://user:hunter2@cache:6379" } as const
    expect(StoreSpec.describe(spec)).not.toContain("hunter2")
    expect(StoreSpec.describe(spec, { tiered: true })).toContain("tiered")
    expect(StoreSpec.describe(spec)).not.toContain("tiered")
    const cluster = StoreSpec.parse("redis+cluster://app:hunter2@127.0.0.1:7000,127.0.0.1:7001")
    expect(Either.map(cluster, (c) => StoreSpec.describe(c))).toEqual(
      Either.right("redis cluster (redis+cluster://app:***@127.0.0.1:7000,127.0.0.1:7001, with the bus)")
    )
  })
})

describe("StoreSpec.config", () => {
  const read = (env: Record<string, string>) =>
    Effect.either(
      Effect.withConfigProvider(
        StoreSpec.config({ _tag: "Memory" }),
        ConfigProvider.fromMap(new Map(Object.entries(env)))
      )
    )

  it.effect("CACHET_STORE, else the fallback; empty counts as unset; the old CACHE_STORE is ignored", () =>
    Effect.gen(function*() {
      expect(yield* read({ CACHET_STORE: "sqlite:a.db", CACHE_STORE: "sqlite:b.db" })).toEqual(
        Either.right({ _tag: "Sqlite", filename: "a.db" })
      )
      expect(yield* read({ CACHE_STORE: "sqlite:b.db" })).toEqual(Either.right({ _tag: "Memory" }))
      expect(yield* read({ CACHET_STORE: "" })).toEqual(Either.right({ _tag: "Memory" }))
      expect(yield* read({ CACHET_STORE: "  " })).toEqual(Either.right({ _tag: "Memory" }))
      expect(yield* read({})).toEqual(Either.right({ _tag: "Memory" }))
      expect(Either.isLeft(yield* read({ CACHET_STORE: "bogus" }))).toBe(true)
    }))
})

const tempDir = () => Fs.mkdtempSync(Path.join(Os.tmpdir(), "cachet-stores-"))

const entry = (value: string): Store.Entry => ({
  value,
  stamp: 1,
  createdAt: Date.now(),
  ttl: 60_000,
  grace: 0,
  tags: [],
  failed: false
})

const withStore = <A, E>(
  spec: StoreSpec.StoreSpec,
  options: StoreSpec.LayerOptions,
  f: (store: Store.Service) => Effect.Effect<A, E>
) =>
  Effect.scoped(
    Effect.flatMap(Layer.build(StoreSpec.layer(spec, options)), (context) =>
      f(context.unsafeMap.get(Store.Store.key) as Store.Service))
  )

describe("StoreSpec.layer", () => {
  it.live("sqlite creates its directories and file when writing", () =>
    Effect.gen(function*() {
      const file = Path.join(tempDir(), "a", "b", "cache.db")
      yield* withStore({ _tag: "Sqlite", filename: file }, {}, (store) => store.set("k", entry("v")))
      expect(Fs.existsSync(file)).toBe(true)
      const found = yield* withStore({ _tag: "Sqlite", filename: file }, { create: false }, (store) => store.get("k"))
      expect(Option.map(found, (e) => e.value)).toEqual(Option.some("v"))
    }))

  it.live("read-only use (create: false) creates no directory and no file, and reads as empty", () =>
    Effect.gen(function*() {
      const dir = Path.join(tempDir(), "missing")
      const file = Path.join(dir, "cache.db")
      const found = yield* withStore(
        { _tag: "Sqlite", filename: file },
        { create: false, check: true },
        (store) => store.get("k")
      )
      expect(found).toEqual(Option.none())
      expect(Fs.existsSync(dir)).toBe(false)
    }))

  it.live("an unopenable SQLite path is a StoreOpenError, not a defect", () =>
    Effect.gen(function*() {
      const blocker = Path.join(tempDir(), "file")
      Fs.writeFileSync(blocker, "")
      const exit = yield* Effect.exit(
        withStore({ _tag: "Sqlite", filename: Path.join(blocker, "cache.db") }, {}, () => Effect.void)
      )
      expect(Exit.isFailure(exit) && Exit.causeOption(exit).pipe(Option.map(String), Option.getOrElse(() => "")))
        .toContain("cannot open store")
    }))

  it.live("check: an unreachable server is a clear StoreOpenError", () =>
    Effect.gen(function*() {
      const port = yield* Servers.freePort
      const error = yield* Effect.flip(
        withStore({ _tag: "Memcached", servers: `127.0.0.1:${port}` }, { check: true }, () => Effect.void)
      )
      expect(error._tag).toBe("StoreOpenError")
      expect(error.reason).toContain(`cannot reach store memcached://127.0.0.1:${port}`)
    }))
})

/**
 * A tiered process (a server) holds an entry; an untiered one (a CLI) invalidates it: only the bus can tell the first.
 */
const announcedInvalidation = (spec: StoreSpec.StoreSpec) =>
  Effect.gen(function*() {
    const cacheOf = (options: StoreSpec.LayerOptions) =>
      Effect.map(
        Layer.build(Cache.layer({ namespace: "spec" }).pipe(Layer.provide(StoreSpec.layer(spec, options)))),
        (context) => context.unsafeMap.get(Cache.Cache.key) as Cache.Service
      )
    const tiered = yield* cacheOf({ tiered: true, localTtl: "1 hour" })
    const cli = yield* cacheOf({ check: true })
    const fetches = yield* Ref.make(0)
    const fetch = Ref.updateAndGet(fetches, (n) => n + 1)
    expect(yield* tiered.getOrFetch("k", fetch, { tags: ["users/1"] })).toBe(1)
    expect(yield* tiered.getOrFetch("k", fetch, { tags: ["users/1"] })).toBe(1)
    expect(yield* cli.getOrFetch("k", fetch, { tags: ["users/1"] })).toBe(1)
    yield* cli.invalidate(["users"])
    // Each read first lets I/O run (the bus message is a socket read), at most 10,000 times.
    const ioTurn = Effect.promise(() => new Promise<void>((resolve) => setImmediate(resolve)))
    let seen = 1
    for (let turn = 0; turn < 10_000 && seen === 1; turn++) {
      yield* ioTurn
      seen = yield* tiered.getOrFetch("k", fetch, { tags: ["users/1"] })
    }
    expect(seen).toBe(2)
  })

describe.skipIf(redisSkip !== undefined)("StoreSpec.layer on Redis", () => {
  it.live(
    "an untiered process (a CLI) announces its invalidations to tiered processes (servers)",
    () =>
      Effect.gen(function*() {
        const server = yield* Servers.redis
        yield* announcedInvalidation({ _tag: "Redis", url: server.url })
      }).pipe(Effect.scoped),
    30_000
  )
})

describe.skipIf(clusterSkip !== undefined)("StoreSpec.layer on a Redis Cluster", () => {
  it.live("redis+cluster:// opens the cluster, tiered or not, with one bus", () =>
    Effect.gen(function*() {
      const cluster = yield* RedisCluster.start()
      const spec = StoreSpec.parse(
        `redis+cluster://${cluster.nodes.slice(0, 2).map((n) => `${n.host}:${n.port}`).join(",")}`
      )
      expect(Either.isRight(spec)).toBe(true)
      if (Either.isRight(spec)) yield* announcedInvalidation(spec.right)
    }).pipe(Effect.scoped), 60_000)
})
