/**
 * Load test: starts the server as a child process (the default seed: 200 users, 2,000 posts,
 * 10,000 comments) and runs autocannon against it for three workloads:
 *
 * - cached read: `GET /posts/:id` over 100 posts, all cached after the first pass;
 * - uncached read: the same reads on a second server with `CACHET_ENABLED=false`;
 * - mixed: 90% cached reads of random posts, 10% new comments on random posts (each one
 *   invalidates that post's entry, so the next read of it is a miss).
 *
 * `LOAD_DURATION` (seconds, default 10), `LOAD_CONNECTIONS` (default 50); `CACHET_STORE` etc.
 * pass through to the server. Prints requests/s and p50/p99 latency of each workload.
 */
import { spawn } from "node:child_process"
import * as Fs from "node:fs"
import * as Net from "node:net"
import * as Os from "node:os"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"

import autocannon from "autocannon"
import { Console, Effect, Schedule } from "effect"

const appDir = Path.resolve(Path.dirname(fileURLToPath(import.meta.url)), "..")
const duration = Number(process.env.LOAD_DURATION ?? "10")
const connections = Number(process.env.LOAD_CONNECTIONS ?? "50")

const freePort = Effect.async<number>((resume) => {
  const probe = Net.createServer()
  probe.listen(0, "127.0.0.1", () => {
    const address = probe.address()
    probe.close(() => resume(Effect.succeed(typeof address === "object" && address !== null ? address.port : 0)))
  })
})

/** The server in a child process (quiet: warnings only), ready once `/health` answers; stopped with the scope. */
const server = (env: Record<string, string>) =>
  Effect.gen(function*() {
    const port = yield* freePort
    const url = `http://127.0.0.1:${port}`
    const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "cachet-load-"))
    const child = yield* Effect.acquireRelease(
      Effect.sync(() =>
        spawn(process.execPath, ["--conditions=@cachet/source", "--import", "tsx", "src/main.ts"], {
          cwd: appDir,
          env: {
            ...process.env,
            CACHET_DATABASE_PATH: Path.join(dir, "blog.db"),
            CACHET_LOG_LEVEL: "warn",
            CACHET_PORT: String(port),
            CACHET_HOST: "127.0.0.1",
            ...env
          },
          stdio: ["ignore", "ignore", "inherit"]
        })
      ),
      (child) =>
        Effect.async<void>((resume) => {
          if (child.exitCode !== null) return resume(Effect.void)
          child.once("exit", () => resume(Effect.void))
          child.kill("SIGTERM")
        })
    )
    yield* Effect.tryPromise(() =>
      fetch(`${url}/health`).then((response) => response.ok || Promise.reject(new Error("not ok")))
    ).pipe(
      Effect.retry(Schedule.spaced("100 millis").pipe(Schedule.upTo("60 seconds")))
    )
    return { child, url }
  })

interface Figures {
  readonly name: string
  readonly rps: number
  readonly p50: number
  readonly p99: number
  readonly non2xx: number
  readonly errors: number
}

const run = (name: string, options: autocannon.Options) =>
  Effect.promise(() => autocannon({ connections, duration, ...options })).pipe(
    Effect.map((result): Figures => ({
      name,
      rps: result.requests.average,
      p50: result.latency.p50,
      p99: result.latency.p99,
      non2xx: result.non2xx,
      errors: result.errors
    }))
  )

const randomPost = (count: number) => `/posts/${1 + Math.floor(Math.random() * count)}`

const warm = (url: string, count: number) =>
  Effect.forEach(
    Array.from({ length: count }, (_, i) => `${url}/posts/${i + 1}`),
    (path) => Effect.promise(() => fetch(path).then((response) => response.arrayBuffer())),
    { concurrency: 10, discard: true }
  )

const program = Effect.gen(function*() {
  yield* Console.log(`autocannon: ${connections} connections, ${duration} s per workload`)
  const cachedServer = yield* server({})
  yield* warm(cachedServer.url, 100)
  const cached = yield* run("cached read", {
    url: cachedServer.url,
    requests: [{ method: "GET", setupRequest: (request) => ({ ...request, path: randomPost(100) }) }]
  })
  const mixed = yield* run("mixed (90% read, 10% write)", {
    url: cachedServer.url,
    requests: [
      ...Array.from({ length: 9 }, () => ({
        method: "GET" as const,
        setupRequest: (request: autocannon.Request) => ({ ...request, path: randomPost(100) })
      })),
      {
        method: "POST" as const,
        headers: { "content-type": "application/json" },
        setupRequest: (request: autocannon.Request) => ({
          ...request,
          path: `${randomPost(100)}/comments`,
          body: JSON.stringify({ authorId: String(1 + Math.floor(Math.random() * 200)), body: "load test comment" })
        })
      }
    ]
  })
  const uncachedServer = yield* server({ CACHET_ENABLED: "false" })
  const uncached = yield* run("uncached read (CACHET_ENABLED=false)", {
    url: uncachedServer.url,
    requests: [{ method: "GET", setupRequest: (request) => ({ ...request, path: randomPost(100) }) }]
  })
  const health = yield* Effect.promise(() =>
    fetch(`${cachedServer.url}/health`).then((r) => r.json() as Promise<{ readonly cache: unknown }>)
  )

  const rows = [cached, uncached, mixed]
  const pad = (text: string, width: number) => text.padEnd(width)
  yield* Console.log("")
  yield* Console.log(`${pad("workload", 38)}${pad("req/s", 10)}${pad("p50 ms", 9)}${pad("p99 ms", 9)}non-2xx/errors`)
  for (const row of rows) {
    yield* Console.log(
      `${pad(row.name, 38)}${pad(row.rps.toFixed(0), 10)}${pad(String(row.p50), 9)}${
        pad(String(row.p99), 9)
      }${row.non2xx}/${row.errors}`
    )
  }
  yield* Console.log(`\ncache: ${JSON.stringify(health.cache)}`)
})

Effect.runPromise(Effect.scoped(program)).catch((error) => {
  process.exitCode = 1
  void Effect.runPromise(Console.error(String(error)))
})
