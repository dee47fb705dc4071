/**
 * Soak: the app on each store (memory, sqlite, redis, memcached) under a bounded mixed load —
 * reads, writes and tag invalidations from 16 concurrent clients — for `SOAK_SECONDS` per
 * store (default 20), with faults on a schedule for the stores that are servers: the store
 * killed (SIGKILL) and restarted on the same port at 30% of the run, then frozen (SIGSTOP) for
 * 3 s at 75%. After the load, once the cache has recovered, every cached read is checked
 * against the database.
 *
 * Reports, per store: requests, errors (5xx and network errors), p99 latency, stale reads
 * after the run, the recovery time after each fault (until a fresh entry is written and read
 * back from the store with the breaker closed), and the heap after a full collection before
 * and after. Run with `npm run soak -w @cachet/server` (node `--expose-gc`); `SOAK_STORES`
 * picks stores (`memory,sqlite,redis,memcached`). `redis-server` and `memcached` are started
 * on free loopback ports; a store whose binary is missing is reported as skipped.
 */
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"

import * as Servers from "@cachet/core/testing/Servers"
import { HttpServer } from "@effect/platform"
import { SqlClient } from "@effect/sql"
import { SqliteClient } from "@effect/sql-sqlite-node"
import { Config, ConfigProvider, Effect, Exit, Layer, Option, Scope } from "effect"

import { baseUrl, listening } from "../src/Http.js"
// The app's tag vocabulary: an admin invalidation must name tags its entries carry.
import { tags } from "../src/Tags.js"

const seconds = Number(process.env.SOAK_SECONDS ?? "20")
const stores = (process.env.SOAK_STORES ?? "memory,sqlite,redis,memcached").split(",").map((s) => s.trim())
const clients = 16
const seed = { users: 50, posts: 200, comments: 500 }
const token = "soak-admin-token-0123456789"
const auth = { authorization: `Bearer ${token}` }

const gc = (globalThis as { gc?: () => void }).gc
const heapMb = async (): Promise<number> => {
  for (let i = 0; i < 3; i++) {
    gc?.()
    await new Promise((resolve) => setImmediate(resolve))
  }
  return process.memoryUsage().heapUsed / 1e6
}

/** A small deterministic PRNG (mulberry32), so runs are comparable. */
const prng = (state: number) => () => {
  state = (state + 0x6d2b79f5) | 0
  let t = Math.imul(state ^ (state >>> 15), 1 | state)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

interface LoadCounters {
  requests: number
  errors: number
  readonly latencies: Array<number>
  readonly errorKinds: Map<string, number>
}

const call = async (
  stats: LoadCounters,
  url: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {}
) => {
  const started = performance.now()
  stats.requests++
  try {
    const response = await fetch(url + path, {
      method,
      headers: body === undefined ? headers : { ...headers, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) })
    })
    const text = await response.text()
    stats.latencies.push(performance.now() - started)
    if (response.status >= 500) {
      stats.errors++
      const kind = `${response.status} ${method} ${path.replace(/\/[0-9]+/g, "/:id").split("?")[0]}`
      stats.errorKinds.set(kind, (stats.errorKinds.get(kind) ?? 0) + 1)
    }
    return { status: response.status, cache: response.headers.get("x-cache"), text }
  } catch (error) {
    stats.latencies.push(performance.now() - started)
    stats.errors++
    const kind = `${(error as { cause?: { code?: string } }).cause?.code ?? "network"} ${method} ${
      path.replace(/\/[0-9]+/g, "/:id").split("?")[0]
    }`
    stats.errorKinds.set(kind, (stats.errorKinds.get(kind) ?? 0) + 1)
    return undefined
  }
}

/** One client: a mix of 70% reads, 22% writes, 8% invalidations until the deadline. */
const client = async (
  url: string,
  stats: LoadCounters,
  deadline: number,
  random: () => number,
  writes: { n: number }
) => {
  const pick = (n: number) => 1 + Math.floor(random() * n)
  while (Date.now() < deadline) {
    const r = random()
    const user = pick(seed.users)
    const post = pick(seed.posts)
    if (r < 0.25) await call(stats, url, "GET", `/users/${user}`)
    else if (r < 0.5) await call(stats, url, "GET", `/posts/${post}`)
    else if (r < 0.62) await call(stats, url, "GET", `/users/${user}/posts`)
    else if (r < 0.7) await call(stats, url, "GET", "/posts?limit=10")
    else if (r < 0.78) await call(stats, url, "PATCH", `/users/${user}`, { name: `Soak User ${++writes.n}` })
    else if (r < 0.86) await call(stats, url, "PATCH", `/posts/${post}`, { title: `Soak title ${++writes.n}` })
    else if (r < 0.92) {
      await call(stats, url, "POST", `/posts/${post}/comments`, { authorId: String(user), body: `soak ${++writes.n}` })
    } else await call(stats, url, "POST", "/cache/invalidate", { tags: [String(tags.User(String(user)))] }, auth)
  }
}

/** Time until a fresh entry is written to and read back from the store, with the breaker closed. */
const recovery = async (url: string, since: number): Promise<number> => {
  const probe: LoadCounters = { requests: 0, errors: 0, latencies: [], errorKinds: new Map() }
  while (Date.now() - since < 60_000) {
    await call(probe, url, "POST", "/cache/invalidate", { tags: [String(tags.User(String(seed.users)))] }, auth)
    await call(probe, url, "GET", `/users/${seed.users}`)
    const again = await call(probe, url, "GET", `/users/${seed.users}`)
    const health = await call(probe, url, "GET", "/health")
    const breaker = health?.status === 200
      ? (JSON.parse(health.text) as { cache?: { breaker?: string } }).cache?.breaker
      : undefined
    if (again?.cache === "HIT" && breaker === "closed") return Date.now() - since
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return Number.NaN
}

interface Truth {
  readonly users: Map<string, { name: string; email: string }>
  readonly posts: Map<string, { title: string; body: string; userId: string; comments: Array<string> }>
}

const truth = (filename: string): Promise<Truth> =>
  Effect.runPromise(
    Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      const users = yield* sql<{ id: number; name: string; email: string }>`SELECT id, name, email FROM users`
      const posts = yield* sql<
        { id: number; title: string; body: string; userId: number }
      >`SELECT id, title, body, userId FROM posts`
      const comments = yield* sql<{ id: number; postId: number }>`SELECT id, postId FROM comments ORDER BY id`
      const byPost = new Map<string, Array<string>>()
      for (const c of comments) byPost.set(String(c.postId), [...(byPost.get(String(c.postId)) ?? []), String(c.id)])
      return {
        users: new Map(users.map((u) => [String(u.id), { name: u.name, email: u.email }])),
        posts: new Map(
          posts.map((
            p
          ) => [String(p.id), {
            title: p.title,
            body: p.body,
            userId: String(p.userId),
            comments: byPost.get(String(p.id)) ?? []
          }])
        )
      }
    }).pipe(Effect.provide(SqliteClient.layer({ filename })), Effect.scoped)
  )

/** Every cached read compared with the database: the paths whose answer differs. */
const staleReads = async (url: string, filename: string): Promise<Array<string>> => {
  const db = await truth(filename)
  const stale: Array<string> = []
  const get = async (path: string) => {
    const response = await fetch(url + path)
    return { cache: response.headers.get("x-cache"), json: (await response.json()) as any }
  }
  for (const [id, user] of db.users) {
    const { cache, json } = await get(`/users/${id}`)
    if (json.name !== user.name || json.email !== user.email) stale.push(`/users/${id} (${cache})`)
    const list = await get(`/users/${id}/posts`)
    for (const item of list.json as Array<{ id: string; title: string }>) {
      if (db.posts.get(item.id)?.title !== item.title) stale.push(`/users/${id}/posts (${list.cache})`)
    }
  }
  for (const [id, post] of db.posts) {
    const { cache, json } = await get(`/posts/${id}`)
    const comments = (json.comments as Array<{ id: string }>).map((c) => c.id).join(",")
    if (
      json.title !== post.title || json.body !== post.body || json.author?.name !== db.users.get(post.userId)?.name ||
      comments !== post.comments.join(",")
    ) stale.push(`/posts/${id} (${cache})`)
  }
  const feed = await get("/posts?limit=20")
  for (const item of feed.json.items as Array<{ id: string; title: string }>) {
    if (db.posts.get(item.id)?.title !== item.title) stale.push(`/posts?limit=20 (${feed.cache})`)
  }
  return stale
}

interface Report {
  readonly store: string
  readonly requests: number
  readonly errors: number
  readonly errorKinds: string
  readonly p99: number
  readonly stale: number
  readonly staleExamples: ReadonlyArray<string>
  readonly recoveries: ReadonlyArray<string>
  readonly heapBefore: number
  readonly heapAfter: number
}

const soak = async (store: string): Promise<Report | string> => {
  const scope = Effect.runSync(Scope.make())
  try {
    const kind = store === "redis" || store === "memcached" ? store : undefined
    let server: Servers.Server | undefined
    if (kind !== undefined) {
      if (Option.isNone(Servers.findBinary(kind === "redis" ? "redis-server" : "memcached"))) {
        return `${store}: skipped (no binary)`
      }
      server = await Effect.runPromise(Scope.extend(Servers.start(kind), scope))
    }
    const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "cachet-soak-"))
    const database = Path.join(dir, "blog.db")
    const spec = kind === "redis"
      ? server!.url
      : kind === "memcached"
      ? `memcached://${server!.url}`
      : store === "sqlite"
      ? `sqlite:${Path.join(dir, "cache.db")}`
      : "memory"
    const env = {
      CACHET_DATABASE_PATH: database,
      CACHET_STORE: spec,
      CACHET_NAMESPACE: `soak-${process.pid}-${store}`,
      CACHET_ADMIN_TOKEN: token,
      CACHET_LOG_LEVEL: "none",
      CACHET_SEED_USERS: String(seed.users),
      CACHET_SEED_POSTS: String(seed.posts),
      CACHET_SEED_COMMENTS: String(seed.comments)
    }
    const layer = listening(Config.succeed({ port: 0, host: "127.0.0.1" })).pipe(
      Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env)))))
    )
    const context = await Effect.runPromise(Layer.buildWithScope(layer, scope))
    const url = baseUrl(Effect.runSync(Effect.provide(HttpServer.HttpServer, context)).address).replace(
      "localhost",
      "127.0.0.1"
    )

    // Warm up: every read once, then measure the heap.
    const warm: LoadCounters = { requests: 0, errors: 0, latencies: [], errorKinds: new Map() }
    for (let id = 1; id <= seed.users; id++) await call(warm, url, "GET", `/users/${id}`)
    for (let id = 1; id <= seed.posts; id++) await call(warm, url, "GET", `/posts/${id}`)
    const heapBefore = await heapMb()

    const stats: LoadCounters = { requests: 0, errors: 0, latencies: [], errorKinds: new Map() }
    const started = Date.now()
    const deadline = started + seconds * 1000
    const writes = { n: 0 }
    const load = Promise.all(
      Array.from({ length: clients }, (_, i) => client(url, stats, deadline, prng(1000 + i), writes))
    )
    const recoveries: Array<string> = []
    if (server !== undefined) {
      const at = (fraction: number) =>
        new Promise((resolve) => setTimeout(resolve, Math.max(0, started + fraction * seconds * 1000 - Date.now())))
      // The kill first: a restart empties the store, which would hide invalidations lost
      // during the freeze; the freeze ends shortly before the load, so few later writes mask them.
      await at(0.3)
      await Effect.runPromise(server.stop)
      await new Promise((resolve) => setTimeout(resolve, 1_000))
      await Effect.runPromise(server.start)
      recoveries.push(`kill -9 + restart: ${await recovery(url, Date.now())} ms`)
      await at(0.75)
      await Effect.runPromise(server.pause)
      await new Promise((resolve) => setTimeout(resolve, 3_000))
      await Effect.runPromise(server.resume)
      recoveries.push(`SIGSTOP 3 s: ${await recovery(url, Date.now())} ms`)
    }
    await load
    if (server !== undefined) recoveries.push(`after the run: ${await recovery(url, Date.now())} ms`)
    const stale = await staleReads(url, database)
    const heapAfter = await heapMb()
    const sorted = [...stats.latencies].sort((a, b) => a - b)
    return {
      store,
      requests: stats.requests,
      errors: stats.errors,
      errorKinds: [...stats.errorKinds].map(([kind, n]) => `${kind}×${n}`).join(" "),
      p99: sorted[Math.floor(sorted.length * 0.99)] ?? 0,
      stale: stale.length,
      staleExamples: stale.slice(0, 5),
      recoveries,
      heapBefore,
      heapAfter
    }
  } finally {
    await Effect.runPromise(Scope.close(scope, Exit.void))
  }
}

const main = async () => {
  if (gc === undefined) process.stderr.write("(run with --expose-gc for heap figures after a full collection)\n")
  process.stdout.write(
    `soak: ${seconds} s per store, ${clients} clients, seed ${seed.users} users / ${seed.posts} posts\n\n`
  )
  process.stdout.write(
    "| store | requests | errors | p99 | stale reads after | recovery after each fault | heap before → after |\n"
  )
  process.stdout.write("| --- | --- | --- | --- | --- | --- | --- |\n")
  for (const store of stores) {
    const report = await soak(store)
    if (typeof report === "string") {
      process.stdout.write(`| ${report} | | | | | | |\n`)
      continue
    }
    process.stdout.write(
      `| ${report.store} | ${report.requests} | ${report.errors}${
        report.errorKinds === "" ? "" : ` (${report.errorKinds})`
      } | ${report.p99.toFixed(0)} ms | ${report.stale} | ${
        report.recoveries.length === 0 ? "no faults (not a server)" : report.recoveries.join("; ")
      } | ${report.heapBefore.toFixed(1)} → ${report.heapAfter.toFixed(1)} MB |\n`
    )
    if (report.stale > 0) process.stderr.write(`  ${report.store}: stale ${report.staleExamples.join(", ")}\n`)
  }
}

main().then(() => process.exit(0), (error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`)
  process.exit(1)
})
