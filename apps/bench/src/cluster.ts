/**
 * The `cluster` section: cache hits per second from 4 client processes against one Redis node
 * and against a 3-master Redis Cluster, the same keys and tags; the commands each master served
 * (`INFO commandstats`), hit latency, and the Redis CPU per hit for the projection to one core
 * per shard. `node dist/cluster.js --client` is one client process.
 */
import { execFile, spawn } from "node:child_process"
import * as Readline from "node:readline"
import { fileURLToPath } from "node:url"

import { Cache } from "@cachet/core"
import * as RedisCluster from "@cachet/core/testing/RedisCluster"
import * as Servers from "@cachet/core/testing/Servers"
import { RedisStore } from "@cachet/redis"
import type { Scope } from "effect"
import { Effect, Layer } from "effect"

const clients = 4
const keys = 2_000
const concurrency = 16
const durationMillis = 3_000

type Target = { readonly url: string } | {
  readonly cluster: ReadonlyArray<{ readonly host: string; readonly port: number }>
}

interface ClientResult {
  readonly hits: number
  readonly misses: number
  readonly latenciesMicros: ReadonlyArray<number>
}

/** One client process: warms every key, says ready, then on "go" reads random keys for the duration. */
const client = async (target: Target): Promise<void> => {
  const program = Effect.gen(function*() {
    const cache = yield* Cache.Cache
    let fetches = 0
    const read = (i: number) =>
      cache.getOrFetch(`item-${i}`, Effect.sync(() => (fetches++, i)), {
        tags: [`items/${i % 10}/item/${i}`],
        ttl: "10 minutes"
      })
    // Warm up to the steady state: every key written, then read again once the tag versions read
    // during the writes have passed their life, so the measured reads find them revalidated.
    yield* Effect.forEach(Array.from({ length: keys }, (_, i) => i), read, { concurrency: 4, discard: true })
    yield* Effect.sleep("1500 millis")
    yield* Effect.forEach(Array.from({ length: keys }, (_, i) => i), read, { concurrency: 4, discard: true })
    yield* Effect.sleep("1500 millis")
    process.stdout.write("ready\n")
    yield* Effect.async<void>((resume) => {
      process.stdin.once("data", () => resume(Effect.void))
    })
    const before = fetches
    const latencies: Array<number> = []
    let calls = 0
    const until = performance.now() + durationMillis
    yield* Effect.forEach(Array.from({ length: concurrency }), () =>
      Effect.whileLoop({
        while: () => performance.now() < until,
        body: () => {
          const started = performance.now()
          return Effect.tap(read(Math.floor(Math.random() * keys)), () => {
            calls++
            if (calls % 8 === 0) latencies.push(Math.round((performance.now() - started) * 1000))
          })
        },
        step: () => {}
      }), { concurrency: "unbounded", discard: true })
    const result: ClientResult = {
      hits: calls - (fetches - before),
      misses: fetches - before,
      latenciesMicros: latencies
    }
    process.stdout.write(`@@${JSON.stringify(result)}\n`)
  })
  const store = "url" in target ? RedisStore.layer({ url: target.url }) : RedisStore.layer({ cluster: target.cluster })
  // Store timeouts and the breaker are set out of reach: the figures are round trips, not fail-open.
  const cache = Cache.layer({ namespace: "bench-cluster", storeTimeout: "30 seconds", breakerThreshold: 1_000_000 })
  await Effect.runPromise(program.pipe(Effect.provide(cache.pipe(Layer.provide(store)))))
  process.exit(0)
}

const cli = (port: number, ...args: ReadonlyArray<string>): Promise<string> =>
  new Promise((resolve, reject) =>
    execFile(
      "redis-cli",
      ["-h", "127.0.0.1", "-p", String(port), ...args],
      (error, stdout) => (error === null ? resolve(stdout) : reject(error))
    )
  )

const infoField = (info: string, field: string): number =>
  Number(new RegExp(`^${field}:([0-9.]+)`, "m").exec(info)?.[1] ?? 0)

/** Commands a node served since the last `CONFIG RESETSTAT`, and its CPU seconds so far. */
const nodeStats = async (port: number) => {
  const stats = await cli(port, "INFO", "commandstats")
  const commands = [...stats.matchAll(/^cmdstat_(\w+):calls=(\d+)/gm)]
    .filter(([, name]) => !["info", "config", "cluster", "ping", "command"].includes(name!))
    .reduce((sum, [, , calls]) => sum + Number(calls), 0)
  const cpu = await cli(port, "INFO", "cpu")
  return { commands, cpu: infoField(cpu, "used_cpu_user") + infoField(cpu, "used_cpu_sys") }
}

interface Figures {
  readonly name: string
  readonly hitsPerSecond: number
  readonly p50Micros: number
  readonly p99Micros: number
  readonly perNode: ReadonlyArray<number>
  readonly redisCpuMicrosPerHit: number
}

const median = (values: Array<number>, q = 0.5): number =>
  values.sort((a, b) => a - b)[Math.floor(values.length * q)] ?? 0

/** Runs the 4 clients against a target; nodes are the ports whose stats count. */
const measure = async (name: string, target: Target, ports: ReadonlyArray<number>): Promise<Figures> => {
  const self = fileURLToPath(import.meta.url)
  const children = Array.from(
    { length: clients },
    () =>
      spawn(process.execPath, [...process.execArgv, self, "--client", JSON.stringify(target)], {
        stdio: ["pipe", "pipe", "inherit"]
      })
  )
  const lines = children.map((child) => Readline.createInterface({ input: child.stdout }))
  const next = (i: number, prefix: string) =>
    new Promise<string>((resolve) => {
      const on = (line: string) => {
        if (!line.startsWith(prefix)) return
        lines[i]!.off("line", on)
        resolve(line)
      }
      lines[i]!.on("line", on)
    })
  await Promise.all(children.map((_, i) => next(i, "ready")))
  await Promise.all(ports.map((port) => cli(port, "CONFIG", "RESETSTAT")))
  const cpuBefore = await Promise.all(ports.map(async (port) => (await nodeStats(port)).cpu))
  const results = children.map((_, i) => next(i, "@@"))
  const started = performance.now()
  children.forEach((child) => child.stdin.write("go\n"))
  const done = (await Promise.all(results)).map((line) => JSON.parse(line.slice(2)) as ClientResult)
  const elapsed = (performance.now() - started) / 1000
  const after = await Promise.all(ports.map(nodeStats))
  const hits = done.reduce((sum, r) => sum + r.hits, 0)
  const cpu = after.reduce((sum, s, i) => sum + s.cpu - cpuBefore[i]!, 0)
  const latencies = done.flatMap((r) => [...r.latenciesMicros])
  return {
    name,
    hitsPerSecond: hits / Math.min(elapsed, durationMillis / 1000 + 0.5),
    p50Micros: median(latencies),
    p99Micros: median(latencies, 0.99),
    perNode: after.map((s) => s.commands),
    redisCpuMicrosPerHit: (cpu / hits) * 1e6
  }
}

const withScope = <A, E>(effect: Effect.Effect<A, E, Scope.Scope>): Promise<A> =>
  Effect.runPromise(Effect.scoped(effect))

/** The section's markdown lines. */
export const run = async (): Promise<Array<string>> => {
  if (RedisCluster.skipReason() !== undefined) {
    return ["## Redis Cluster", "", "skipped: redis-server or redis-cli not found", ""]
  }
  const single = await withScope(
    Effect.flatMap(
      Servers.redis,
      (server) => Effect.promise(() => measure("1 node", { url: server.url }, [server.port]))
    )
  )
  const cluster = await withScope(
    Effect.flatMap(
      RedisCluster.start({ masters: 3, replicas: 0 }),
      (c) => Effect.promise(() => measure("3-master cluster", { cluster: c.nodes }, c.nodes.map((n) => n.port)))
    )
  )
  const spread = (nodes: ReadonlyArray<number>) => {
    const mean = nodes.reduce((a, b) => a + b, 0) / nodes.length
    return Math.max(...nodes.map((n) => Math.abs(n - mean) / mean))
  }
  const row = (f: Figures) =>
    `| ${f.name} | ${Math.round(f.hitsPerSecond).toLocaleString("en-US")} | ${f.p50Micros} µs | ${f.p99Micros} µs | ${
      f.perNode.map((n) => n.toLocaleString("en-US")).join(" / ")
    } | ${f.redisCpuMicrosPerHit.toFixed(1)} µs |`
  const perCore = (f: Figures) => 1e6 / f.redisCpuMicrosPerHit
  return [
    `## Redis Cluster: hits from ${clients} client processes (${
      keys.toLocaleString("en-US")
    } keys, one tag each, ${concurrency} concurrent reads per process, ${durationMillis / 1000} s)`,
    "",
    "| target | hits/s | p50 | p99 | commands per master | Redis CPU per hit |",
    "| --- | ---: | ---: | ---: | ---: | ---: |",
    row(single),
    row(cluster),
    "",
    `- cluster / 1 node: ${(cluster.hitsPerSecond / single.hitsPerSecond).toFixed(2)}× the hits per second, p50 ${
      (cluster.p50Micros / single.p50Micros).toFixed(2)
    }×`,
    `- commands per master: largest deviation from the mean ${(spread(cluster.perNode) * 100).toFixed(1)}%`,
    `- projection, one core per shard: 1 node ≈ ${
      Math.round(perCore(single)).toLocaleString("en-US")
    } hits/s of Redis CPU; 3 shards ≈ ${
      Math.round(3 * perCore(cluster)).toLocaleString("en-US")
    } hits/s (Redis CPU per hit measured above, clients not counted)`,
    "- What limits the total here: the client processes (Cache + ioredis) and the Redis servers share two cores; " +
    "each hit is one round trip (the node: one Lua script reading entry and versions; the cluster: one GET to the " +
    "entry's shard, tag versions cached per process and kept by the bus). The cluster runs without replicas in " +
    "this section.",
    ""
  ]
}

if (process.argv[2] === "--client") void client(JSON.parse(process.argv[3]!) as Target)
