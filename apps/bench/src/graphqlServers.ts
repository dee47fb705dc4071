/**
 * The `graphql-servers` section: GraphQL Yoga and Apollo Server side by side, bare, with their own
 * response caches, and with Cachet's fragment cache (`useCachet`, `ApolloServerPluginCachet`), on
 * one schema and one data set (graphqlServersArms.ts: every database access waits 2 ms and is
 * counted; a post's title shows its version). Each arm is its own process on loopback, loaded by
 * autocannon (20 connections) in rounds that alternate the arms. Quick by default: 1 s of warm-up
 * and 2 s measured per arm and round, 2 rounds (`GRAPHQL_SERVERS_SECONDS`, `GRAPHQL_SERVERS_ROUNDS`).
 * Scenario 6 then puts the four cache arms, one after the other, on a Redis node and on a 3-master
 * Redis Cluster started here: twice `GRAPHQL_SERVERS_REDIS_OPS` operations (default 100,000) of the
 * mixed workload each, with `INFO commandstats` / `errorstats` / `memory` and `DBSIZE` of every
 * master after each; `GRAPHQL_SERVERS_REDIS=0` skips it.
 */
import { type ChildProcess, fork } from "node:child_process"
import * as Http from "node:http"
import * as Net from "node:net"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"

import * as RedisCluster from "@cachet/core/testing/RedisCluster"
import * as Servers from "@cachet/core/testing/Servers"
import autocannon from "autocannon"
import type { Scope } from "effect"
import { Effect } from "effect"
import { Redis } from "ioredis"

import { type Arm, arms, COMMENTS_PER_POST, POSTS, type Store, USERS } from "./graphqlServersArms.js"

const here = Path.dirname(fileURLToPath(import.meta.url))
const seconds = Number(process.env["GRAPHQL_SERVERS_SECONDS"] ?? "2")
const rounds = Number(process.env["GRAPHQL_SERVERS_ROUNDS"] ?? "2")
const connections = 20

const labels: Record<Arm, string> = {
  "yoga": "Yoga bare",
  "yoga-rc": "Yoga + useResponseCache",
  "yoga-cachet": "Yoga + useCachet",
  "apollo-rc": "Apollo + responseCachePlugin",
  "apollo-cachet": "Apollo + ApolloServerPluginCachet"
}

interface Stats {
  readonly db: number
  readonly roots: Record<string, number>
  readonly clientErrors: number
  readonly firstClientError?: string
}

interface Server {
  readonly arm: Arm
  readonly port: number
  readonly child: ChildProcess
  /** What the test knows was committed: each post's least version, the comments added to it. */
  readonly truth: { readonly version: Map<string, number>; readonly comments: Map<string, Set<string>> }
  /** The end of what the process wrote on stderr (its last words if it crashed). */
  readonly stderr: { tail: string }
}

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const probe = Net.createServer()
    probe.once("error", reject)
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address()
      probe.close(() => resolve(typeof address === "object" && address !== null ? address.port : 0))
    })
  })

const start = async (arm: Arm, store: Store = { kind: "memory" }): Promise<Server> => {
  const port = await freePort()
  const child = fork(Path.join(here, "graphqlServersArms.js"), [arm], {
    env: { ...process.env, PORT: String(port), NODE_ENV: "production", GRAPHQL_SERVERS_STORE: JSON.stringify(store) },
    stdio: ["ignore", "ignore", "pipe", "ipc"]
  })
  const stderr = { tail: "" }
  child.stderr?.on("data", (chunk: Buffer) => {
    process.stderr.write(chunk)
    stderr.tail = (stderr.tail + chunk.toString("utf8")).slice(-4_000)
  })
  // A message sent as the process dies fails on the channel: `statsOf` reports the exit instead.
  child.on("error", () => {})
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${arm} did not start within 120 s`)), 120_000)
    child.once("exit", (code) => reject(new Error(`${arm} exited with ${code}`)))
    child.on("message", (message: { type: string }) => {
      if (message.type === "ready") {
        clearTimeout(timer)
        resolve()
      }
    })
  })
  return { arm, port, child, truth: { version: new Map(), comments: new Map() }, stderr }
}

const stop = (server: Server): Promise<void> =>
  new Promise((resolve) => {
    if (server.child.exitCode !== null || server.child.signalCode !== null) return resolve()
    server.child.once("exit", () => resolve())
    server.child.kill("SIGTERM")
  })

/** Why a server process is gone: its exit and the first error line it printed. */
const exitReason = (server: Server) => {
  const error = /^\w*Error[^\n]*$/m.exec(server.stderr.tail)?.[0]
  const code = server.child.exitCode ?? server.child.signalCode
  return `the server process exited (${code})${error === undefined ? "" : `: ${error}`}`
}

const statsOf = (server: Server): Promise<Stats> =>
  new Promise((resolve, reject) => {
    if (!server.child.connected) return reject(new Error(exitReason(server)))
    const gone = () => {
      server.child.off("message", listener)
      reject(new Error(exitReason(server)))
    }
    const listener = (message: { type: string; stats: Stats }) => {
      if (message.type !== "stats") return
      server.child.off("message", listener)
      server.child.off("exit", gone)
      resolve(message.stats)
    }
    server.child.on("message", listener)
    server.child.once("exit", gone)
    server.child.send({ type: "stats" })
  })

const rootsOf = (stats: Pick<Stats, "roots">, name: string) => stats.roots[name] ?? 0

/** `GET /graphql` of a query (Apollo's CSRF check wants a non-simple header: sent to every arm). */
const getPath = (query: string) => `/graphql?query=${encodeURIComponent(query)}`
const headers = { "apollo-require-preflight": "true", "accept": "application/json" }

/** Zipf (s = 1) over 1..n: the CDF once, then a binary search per draw. */
const zipf = (n: number) => {
  const cdf = new Float64Array(n)
  let sum = 0
  for (let i = 0; i < n; i++) cdf[i] = sum += 1 / (i + 1)
  for (let i = 0; i < n; i++) cdf[i]! /= sum
  return () => {
    const u = Math.random()
    let lo = 0
    let hi = n - 1
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (cdf[mid]! < u) lo = mid + 1
      else hi = mid
    }
    return lo + 1
  }
}
const zipfPost = zipf(POSTS)

const shapes = [
  (id: number) => `{ post(id: "${id}") { id title } }`,
  (id: number) => `{ post(id: "${id}") { id title author { id name } } }`,
  (id: number) => `{ post(id: "${id}") { id title comments { id text author { name } } } }`
]

type Context = Record<string, unknown>
interface Request {
  readonly method?: "GET" | "POST"
  readonly path?: string
  readonly headers?: Record<string, string>
  readonly body?: string | undefined
  readonly setupRequest?: (request: Request, context: Context) => Request
  readonly onResponse?: (status: number, body: string, context: Context) => void
}

interface Load {
  readonly rps: number
  readonly requests: number
  readonly bad: number
  readonly db: number
  readonly roots: Stats["roots"]
}

/** How long a load runs: seconds, or a number of requests. */
type Limit = number | { readonly amount: number }

const load = async (server: Server, limit: Limit, request: Request): Promise<Load> => {
  const before = await statsOf(server)
  const started = performance.now()
  const result = await autocannon({
    url: `http://127.0.0.1:${server.port}`,
    connections,
    // A request count stops early only when the server stops answering (1,000 socket errors).
    ...(typeof limit === "number" ? { duration: limit } : { amount: limit.amount, bailout: 1_000 }),
    headers,
    requests: [request as unknown as autocannon.Request]
  })
  const elapsed = (performance.now() - started) / 1000
  const after = await statsOf(server)
  const roots: Record<string, number> = {}
  for (const name of Object.keys(after.roots)) roots[name] = rootsOf(after, name) - rootsOf(before, name)
  return {
    // A fixed count of requests: what it took from the first to the last (per-second samples are coarse).
    rps: typeof limit === "number" ? result.requests.average : result.requests.total / elapsed,
    requests: result.requests.total,
    bad: result.non2xx + result.errors + result.timeouts,
    db: after.db - before.db,
    roots
  }
}

/** The scenario's figures for one arm and round. */
type Figures = Record<string, number>

interface Scenario {
  readonly name: string
  /** A fresh request (and the checks that go with it) for a run on `server`; `figures` derives the result. */
  readonly run: (server: Server, duration: number) => Promise<Figures>
}

const throughput = (request: () => Request): Scenario["run"] => async (server, duration) => {
  const result = await load(server, duration, request())
  return { rps: result.rps, dbPerRequest: result.db / Math.max(result.requests, 1), bad: result.bad }
}

const hot: Scenario = {
  name: "hot",
  run: throughput(() => ({ method: "GET", path: getPath(shapes[1]!(1)) }))
}

const zipfReads: Scenario = {
  name: "zipf",
  run: throughput(() => ({
    method: "GET",
    setupRequest: (request) => ({
      ...request,
      path: getPath(shapes[Math.floor(Math.random() * shapes.length)]!(zipfPost()))
    })
  }))
}

const sessionsQuery = "{ me { name } posts(first: 10) { title author { name } } }"
const sessions: Scenario = {
  name: "sessions",
  run: throughput(() => ({
    method: "GET",
    path: getPath(sessionsQuery),
    setupRequest: (request) => ({
      ...request,
      headers: { ...headers, authorization: String(1 + Math.floor(Math.random() * USERS)) }
    })
  }))
}

const unmarked: Scenario = {
  name: "unmarked",
  run: throughput(() => ({ method: "GET", path: getPath("{ postCount }") }))
}

interface PostView {
  readonly title?: string
  readonly comments?: ReadonlyArray<{ readonly id: string }>
}

/** Whether a post's response shows less than what was committed before the read was sent. */
const isStale = (view: PostView | null | undefined, version: number, committed: ReadonlyArray<string>): boolean => {
  if (view === null || view === undefined) return true
  const shown = Number(/v(\d+)$/.exec(view.title ?? "")?.[1] ?? "0")
  if (shown < version) return true
  if (view.comments === undefined) return false
  const ids = new Set(view.comments.map((comment) => comment.id))
  return committed.some((id) => !ids.has(id))
}

/**
 * The mixed workload (scenario 4, and scenario 6 on Redis): 95 % reads of the Zipf posts, 5 %
 * writes; reads checked against the writes answered before they were sent. `failed` counts the
 * non-2xx answers, socket errors and `200`s carrying GraphQL `errors`; `firstError` keeps the first.
 */
const mixedRun = async (server: Server, limit: Limit): Promise<{ figures: Figures; firstError?: string }> => {
  const { version, comments } = server.truth
  let reads = 0
  let sent = 0
  let stale = 0
  let writes = 0
  let graphqlErrors = 0
  let firstError: string | undefined
  const result = await load(server, limit, {
    method: "GET",
    setupRequest: (request, context) => {
      const id = zipfPost()
      const key = String(id)
      context["id"] = key
      if (Math.random() < 0.05) {
        const rename = Math.random() < 0.5
        context["kind"] = rename ? "rename" : "comment"
        const query = rename
          ? `mutation { renamePost(id: "${id}") { id version } }`
          : `mutation { addComment(postId: "${id}", text: "c") { id post { id } } }`
        return {
          ...request,
          method: "POST",
          path: "/graphql",
          headers: { ...headers, "content-type": "application/json" },
          body: JSON.stringify({ query })
        }
      }
      const shape = Math.floor(Math.random() * shapes.length)
      sent++
      context["kind"] = shape === 2 ? "read-comments" : "read"
      context["version"] = version.get(key) ?? 1
      context["committed"] = shape === 2 ? [...(comments.get(key) ?? [])] : []
      return { ...request, method: "GET", path: getPath(shapes[shape]!(id)), body: undefined }
    },
    onResponse: (status, body, context) => {
      if (status !== 200) {
        firstError ??= `HTTP ${status}: ${body.slice(0, 200)}`
        return
      }
      const key = context["id"] as string
      const parsed = JSON.parse(body) as { data?: Record<string, unknown>; errors?: Array<{ message?: string }> }
      if (parsed.errors !== undefined && parsed.errors.length > 0) {
        graphqlErrors++
        firstError ??= parsed.errors[0]?.message ?? "GraphQL error"
      }
      const data = parsed.data
      if (context["kind"] === "rename") {
        writes++
        const shown = (data?.["renamePost"] as { version: number } | undefined)?.version ?? 0
        version.set(key, Math.max(version.get(key) ?? 1, shown))
      } else if (context["kind"] === "comment") {
        writes++
        const added = (data?.["addComment"] as { id: string } | undefined)?.id
        if (added !== undefined) comments.set(key, (comments.get(key) ?? new Set()).add(added))
      } else {
        reads++
        const view = data?.["post"] as PostView | null | undefined
        if (isStale(view, context["version"] as number, context["committed"] as Array<string>)) stale++
      }
    }
  })
  const figures = {
    rps: result.rps,
    reads,
    writes,
    stale,
    // Over the reads sent: those still in flight when the run stopped ran their resolvers too.
    hitRatio: Math.max(0, 1 - rootsOf(result, "post") / Math.max(sent, 1)),
    bad: result.bad,
    failed: result.bad + graphqlErrors
  }
  return firstError === undefined ? { figures } : { figures, firstError }
}

const mixed: Scenario = {
  name: "mixed",
  run: async (server, duration) => {
    return (await mixedRun(server, duration)).figures
  }
}

/** One GET, over a fresh connection unless an agent is given. */
const get = (port: number, query: string, extra: Record<string, string> = {}, agent: Http.Agent | false = false) =>
  new Promise<{ status: number; body: string; etag: string | undefined }>((resolve, reject) => {
    const request = Http.request({
      host: "127.0.0.1",
      port,
      path: getPath(query),
      agent,
      headers: { ...headers, ...extra }
    }, (response) => {
      const chunks: Array<Buffer> = []
      response.on("data", (chunk: Buffer) => chunks.push(chunk))
      response.on("end", () => {
        const etag = response.headers.etag
        resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8"), etag })
      })
    })
    request.on("error", reject)
    request.end()
  })

const post = (port: number, query: string) =>
  fetch(`http://127.0.0.1:${port}/graphql`, {
    method: "POST",
    headers: { ...headers, "content-type": "application/json" },
    body: JSON.stringify({ query })
  }).then((response) => response.json() as Promise<{ data?: Record<string, unknown> }>)

/**
 * Scenario 5: 200 identical concurrent cold requests (a query this arm has not seen) on 200 open
 * connections: how often the root resolver ran, and how many distinct bodies came back.
 */
let coldSeq = 0
const cold = async (server: Server): Promise<Figures> => {
  const first = 11 + (coldSeq++ % 80)
  const query = `{ posts(first: ${first}) { id title author { name } } }`
  // 200 connections opened first (by a query of no field), so the 200 cold requests leave at once.
  const agent = new Http.Agent({ keepAlive: true, maxSockets: 200 })
  await Promise.all(Array.from({ length: 200 }, () => get(server.port, "{ __typename }", {}, agent)))
  const before = await statsOf(server)
  const answers = await Promise.all(Array.from({ length: 200 }, () => get(server.port, query, {}, agent)))
  const after = await statsOf(server)
  agent.destroy()
  const bodies = new Set(answers.map((answer) => answer.status === 200 ? answer.body : `status ${answer.status}`))
  return { executions: rootsOf(after, "posts") - rootsOf(before, "posts"), distinct: bodies.size }
}

/**
 * Scenario 7: a client kept the ETag of a post; the post is renamed and read again (the cache
 * refilled); the client then sends only `If-None-Match` with its old ETag. Right: 200 and the new body.
 */
const conditional = async (server: Server): Promise<string> => {
  const id = 4_242
  const query = `{ post(id: "${id}") { id title } }`
  const first = await get(server.port, query)
  await get(server.port, query)
  const renamed = await post(server.port, `mutation { renamePost(id: "${id}") { id version } }`)
  const version = (renamed.data?.["renamePost"] as { version: number } | undefined)?.version ?? 0
  server.truth.version.set(String(id), version)
  const refill = await get(server.port, query)
  const refillFresh = refill.body.includes(`v${version}"`)
  const again = await get(server.port, query, { "if-none-match": first.etag ?? "\"none\"" })
  const fresh = again.body.includes(`v${version}"`)
  const outcome = again.status === 304
    ? "304 (old body kept: stale)"
    : again.status === 200
    ? (fresh ? "200, new body" : "200, old body (stale)")
    : `${again.status}`
  return (first.etag === undefined ? "no ETag; " : "") + outcome + (refillFresh ? "" : "; refill stale")
}

/** Scenario 6's settings: operations per half (the issue's 100,000), and the switch to skip it. */
const redisOps = Number(process.env["GRAPHQL_SERVERS_REDIS_OPS"] ?? "100000")
const redisSkipped = process.env["GRAPHQL_SERVERS_REDIS"] === "0"
/** The arms with a cache, the ones scenario 6 puts on Redis. */
const cacheArms = arms.filter((arm) => arm !== "yoga")

/** What every master of a store says, summed: commands since `CONFIG RESETSTAT`, memory, keys. */
interface RedisState {
  readonly keys: number
  readonly scan: number
  readonly usedMemory: number
  readonly dbsize: number
  /** The error replies by kind (`errorstat_CROSSSLOT:count=3` gives `["CROSSSLOT", 3]`). */
  readonly errorKinds: ReadonlyArray<readonly [string, number]>
}

const field = (info: string, pattern: RegExp): number => Number(pattern.exec(info)?.[1] ?? 0)

const redisState = async (masters: ReadonlyArray<Redis>): Promise<RedisState> => {
  const each = await Promise.all(masters.map(async (client) => {
    const commands = await client.info("commandstats")
    const errors = await client.info("errorstats")
    const memory = await client.info("memory")
    return {
      keys: field(commands, /^cmdstat_keys:calls=(\d+)/m),
      scan: field(commands, /^cmdstat_scan:calls=(\d+)/m),
      errorKinds: [...errors.matchAll(/^errorstat_(\w+):count=(\d+)/gm)].map((m) => [m[1]!, Number(m[2])] as const),
      usedMemory: field(memory, /^used_memory:(\d+)/m),
      dbsize: await client.dbsize()
    }
  }))
  const sum = (get: (state: RedisState) => number) => each.reduce((n, state) => n + get(state), 0)
  return {
    keys: sum((state) => state.keys),
    scan: sum((state) => state.scan),
    usedMemory: sum((state) => state.usedMemory),
    dbsize: sum((state) => state.dbsize),
    errorKinds: [
      ...each.flatMap((state) => state.errorKinds).reduce(
        (kinds, [kind, n]) => kinds.set(kind, (kinds.get(kind) ?? 0) + n),
        new Map<string, number>()
      )
    ]
  }
}

/** One arm on one store: two halves of the mixed workload, the store's state after each. */
type RedisRun =
  | {
    readonly ok: true
    readonly halves: readonly [Figures, Figures]
    readonly states: readonly [RedisState, RedisState]
    readonly firstError: string | undefined
    readonly clientErrors: number
    readonly firstClientError: string | undefined
  }
  | { readonly ok: false; readonly reason: string }

const redisRun = async (arm: Arm, store: Store, masters: ReadonlyArray<Redis>): Promise<RedisRun> => {
  await Promise.all(masters.map((client) => client.flushall()))
  await Promise.all(masters.map((client) => client.config("RESETSTAT")))
  let server: Server | undefined
  try {
    server = await start(arm, store)
    const first = await mixedRun(server, { amount: redisOps })
    const afterFirst = await redisState(masters)
    const rps = Math.round(first.figures["rps"]!)
    process.stderr.write(
      `[graphql-servers] ${new Date().toISOString()} ${store.kind} ${arm}: ${redisOps} ops, ${rps} req/s\n`
    )
    const second = await mixedRun(server, { amount: redisOps })
    const afterSecond = await redisState(masters)
    const stats = await statsOf(server)
    return {
      ok: true,
      halves: [first.figures, second.figures],
      states: [afterFirst, afterSecond],
      firstError: first.firstError ?? second.firstError,
      clientErrors: stats.clientErrors,
      firstClientError: stats.firstClientError
    }
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) }
  } finally {
    if (server !== undefined) await stop(server)
  }
}

/** Runs the four cache arms on the masters given (`admin` connections for the stats) and closes those. */
const onStore = async (
  store: Store,
  nodes: ReadonlyArray<{ readonly host: string; readonly port: number }>
): Promise<Map<Arm, RedisRun>> => {
  const masters = nodes.map((node) => new Redis({ host: node.host, port: node.port }))
  try {
    const runs = new Map<Arm, RedisRun>()
    for (const arm of cacheArms) runs.set(arm, await redisRun(arm, store, masters))
    return runs
  } finally {
    await Promise.all(masters.map((client) => client.quit()))
  }
}

const withScope = <A, E>(effect: Effect.Effect<A, E, Scope.Scope>): Promise<A> =>
  Effect.runPromise(Effect.scoped(effect))

/** Scenario 6: the cache arms on one Redis node, then on a 3-master Redis Cluster (no replicas). */
const onRedis = async (): Promise<
  { readonly skipped: string } | { readonly node: Map<Arm, RedisRun>; readonly cluster: Map<Arm, RedisRun> }
> => {
  if (redisSkipped) return { skipped: "skipped (GRAPHQL_SERVERS_REDIS=0)" }
  const reason = RedisCluster.skipReason()
  if (reason !== undefined) return { skipped: `skipped: ${reason}` }
  const node = await withScope(Effect.flatMap(
    Servers.redis,
    (server) => Effect.promise(() => onStore({ kind: "redis", url: server.url }, [server]))
  ))
  const cluster = await withScope(Effect.flatMap(
    RedisCluster.start({ masters: 3, replicas: 0 }),
    (started) => Effect.promise(() => onStore({ kind: "cluster", nodes: started.nodes }, started.nodes))
  ))
  return { node, cluster }
}

const median = (values: ReadonlyArray<number>): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

/** Runs every scenario on every arm, alternating the arms within each round; medians of the rounds. */
export const run = async () => {
  const servers: Array<Server> = []
  try {
    for (const arm of arms) servers.push(await start(arm))
    const loaded = [hot, zipfReads, sessions, mixed, unmarked]
    const results = new Map<string, Map<Arm, Array<Figures>>>()
    for (const scenario of loaded) results.set(scenario.name, new Map(arms.map((arm) => [arm, []])))
    const colds = new Map<Arm, Array<Figures>>(arms.map((arm) => [arm, []]))
    for (let round = 0; round < rounds; round++) {
      // Rotate who goes first, so no arm always runs right after the same neighbour.
      const order = servers.map((_, i) => servers[(i + round) % servers.length]!)
      for (const server of order) colds.get(server.arm)!.push(await cold(server))
      for (const scenario of loaded) {
        for (const server of order) {
          await scenario.run(server, 1)
          results.get(scenario.name)!.get(server.arm)!.push(await scenario.run(server, seconds))
        }
      }
    }
    const conditionals = new Map<Arm, string>()
    for (const server of servers) conditionals.set(server.arm, await conditional(server))
    const pick = (name: string, arm: Arm, field: string) =>
      median((results.get(name)!.get(arm) ?? []).map((figures) => figures[field] ?? Number.NaN))
    return { pick, colds, conditionals }
  } finally {
    await Promise.all(servers.map(stop))
  }
}

const fixed = (digits: number) => (value: number) => value.toFixed(digits)
const count = (value: number) => Math.round(value).toLocaleString("en-US")
const megabytes = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`

/** Scenario 6's rows (and notes) for one store, one cell per arm (Yoga bare has no cache). */
const redisRows = (name: string, runs: Map<Arm, RedisRun>) => {
  const cell = (render: (run: Extract<RedisRun, { ok: true }>) => string, first = false) => (arm: Arm) => {
    const run = runs.get(arm)
    if (run === undefined) return "no cache"
    if (run.ok) return render(run)
    return first ? `failed: ${run.reason.replaceAll("|", "/")}` : "—"
  }
  const ops = count(redisOps)
  const rows: Array<readonly [string, (arm: Arm) => string]> = [
    [
      `6. ${name}: req/s (1st / 2nd ${ops} ops), failed requests`,
      cell(
        ({ halves }) =>
          `${count(halves[0]["rps"]!)} / ${count(halves[1]["rps"]!)}, ${
            count(halves[0]["failed"]! + halves[1]["failed"]!)
          } failed`,
        true
      )
    ],
    [
      `6. ${name}: \`KEYS\` / \`SCAN\` calls; error replies by kind`,
      cell(({ states }) =>
        `${count(states[1].keys)} / ${count(states[1].scan)}; ${
          states[1].errorKinds.map(([kind, n]) => `${kind} ${count(n)}`).join(", ") || "none"
        }`
      )
    ],
    [
      `6. ${name}: \`used_memory\` (\`DBSIZE\`) after ${ops} → ${count(2 * redisOps)} ops`,
      cell(({ states }) =>
        `${megabytes(states[0].usedMemory)} (${count(states[0].dbsize)}) → ${megabytes(states[1].usedMemory)} (${
          count(states[1].dbsize)
        })`
      )
    ],
    [
      `6. ${name}: stale reads (of reads), hit ratio (2nd ${ops})`,
      cell(({ halves }) =>
        `${count(halves[0]["stale"]! + halves[1]["stale"]!)} of ${count(halves[0]["reads"]! + halves[1]["reads"]!)}, ${
          halves[1]["hitRatio"]!.toFixed(2)
        }`
      )
    ]
  ]
  const notes = cacheArms.flatMap((arm) => {
    const run = runs.get(arm)
    if (run === undefined || !run.ok) return []
    const parts = [
      ...(run.firstError === undefined ? [] : [`first failed request: ${run.firstError}`]),
      ...(run.clientErrors === 0
        ? []
        : [`${count(run.clientErrors)} client error events, first: ${run.firstClientError}`])
    ]
    return parts.length === 0 ? [] : [`${labels[arm]} on ${name}: ${parts.join("; ").replaceAll("\n", " ")}`]
  })
  return { rows, notes }
}

/** The markdown of the section. */
export const section = async (): Promise<Array<string>> => {
  const { colds, conditionals, pick } = await run()
  const redis = await onRedis()
  const stores = "skipped" in redis
    ? { rows: [["6. Redis / Redis Cluster", () => redis.skipped] as const], notes: [] }
    : (() => {
      const node = redisRows("Redis", redis.node)
      const cluster = redisRows("Redis Cluster (3 masters)", redis.cluster)
      return { rows: [...node.rows, ...cluster.rows], notes: [...node.notes, ...cluster.notes] }
    })()
  const row = (label: string, cell: (arm: Arm) => string) => `| ${label} | ${arms.map(cell).join(" | ")} |`
  const num = (name: string, field: string, format: (value: number) => string) => (arm: Arm) =>
    format(pick(name, arm, field))
  const sum = (arm: Arm, field: string) => (colds.get(arm) ?? []).map((figures) => figures[field] ?? 0)
  const ratio = (name: string, field: string, a: Arm, b: Arm) => (pick(name, a, field) / pick(name, b, field))
  const stale = (arm: Arm) => `${pick("mixed", arm, "stale").toFixed(0)} of ${pick("mixed", arm, "reads").toFixed(0)}`
  const bad = arms.flatMap((arm) =>
    ["hot", "zipf", "sessions", "mixed", "unmarked"].filter((name) => pick(name, arm, "bad") > 0).map((name) =>
      `${labels[arm]} ${name}: ${pick(name, arm, "bad").toFixed(0)} non-2xx or errors`
    )
  )
  const lines = [
    `| scenario | ${arms.map((arm) => labels[arm]).join(" | ")} |`,
    `| --- | ${arms.map(() => "---:").join(" | ")} |`,
    row("1. one hot query, req/s", num("hot", "rps", fixed(0))),
    row("2. Zipf reads (10,000 posts × 3 shapes), req/s", num("zipf", "rps", fixed(0))),
    row("2. Zipf reads, database calls per request", num("zipf", "dbPerRequest", fixed(2))),
    row("3. 1,000 sessions, req/s", num("sessions", "rps", fixed(0))),
    row("3. 1,000 sessions, database calls per request", num("sessions", "dbPerRequest", fixed(2))),
    row("4. 95 % reads / 5 % writes, req/s", num("mixed", "rps", fixed(0))),
    row("4. stale reads (of reads)", stale),
    row("4. hit ratio (reads that ran no root resolver)", num("mixed", "hitRatio", fixed(2))),
    row(
      "5. 200 identical concurrent cold requests: root resolver executions (each round)",
      (arm) =>
        sum(arm, "executions").join(", ") +
        (Math.max(...sum(arm, "distinct")) > 1 ? ` (up to ${Math.max(...sum(arm, "distinct"))} distinct bodies)` : "")
    ),
    ...stores.rows.map(([label, cell]) => row(label, cell)),
    row("7. `If-None-Match` alone after an invalidation and refill", (arm) => conditionals.get(arm) ?? ""),
    row("8. no marked field (`{ postCount }`), req/s", num("unmarked", "rps", fixed(0))),
    row("8. ratio to Yoga bare", (arm) => `${ratio("unmarked", "rps", arm, "yoga").toFixed(2)}×`)
  ]
  const vs = (name: string, field: string) =>
    `Yoga ${ratio(name, field, "yoga-cachet", "yoga-rc").toFixed(2)}×, Apollo ${
      ratio(name, field, "apollo-cachet", "apollo-rc").toFixed(2)
    }×`
  return [
    `## GraphQL servers side by side (${POSTS.toLocaleString("en")} posts, ${USERS.toLocaleString("en")} users, ` +
    `${COMMENTS_PER_POST} comments per post; every database access 2 ms)`,
    "",
    lines.join("\n"),
    "",
    `- Cachet over the server's own response cache, same run: req/s hot ${vs("hot", "rps")}; Zipf ${
      vs("zipf", "rps")
    }; sessions ${vs("sessions", "rps")}; database calls per request Zipf ${vs("zipf", "dbPerRequest")}, ` +
    `sessions ${vs("sessions", "dbPerRequest")}.`,
    `- Each arm in its own process on loopback, autocannon 9 with ${connections} connections, reads as \`GET\`, ` +
    `writes as \`POST\`; ${rounds} rounds alternating the arms, 1 s warm-up and ${seconds} s measured per arm ` +
    "and round, medians. A read is stale when it shows a post version older, or misses a comment, than a " +
    "write answered before the read was sent. The machine was shared with other jobs: compare arms within " +
    "this run only.",
    ...(bad.length > 0 ? [`- Failures: ${bad.join("; ")}.`] : []),
    ...("skipped" in redis ? [] : [
      `- 6: the four cache arms one after the other on one Redis node, then on a 3-master Redis Cluster without ` +
      `replicas (redis-server on loopback, flushed before each arm), each given ${count(redisOps)} operations of ` +
      `scenario 4's mix through HTTP twice (\`GRAPHQL_SERVERS_REDIS_OPS\`); \`KEYS\`, \`SCAN\` and error ` +
      "replies summed over the masters from `INFO commandstats` / `errorstats` after both halves; `used_memory` " +
      "and `DBSIZE` summed over the masters. A failed request is a non-2xx answer, a socket error or a `200` " +
      "carrying GraphQL `errors`.",
      ...stores.notes.map((note) => `- ${note}`)
    ]),
    ""
  ]
}
