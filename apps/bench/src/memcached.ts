/**
 * Tag invalidations on a real memcached (started on a free loopback port): 16 writers bump tags
 * concurrently through `Cache.invalidate` while 4 readers run `Cache.getOrFetch` on the tagged
 * entries, with the cache's default 500 ms store timeout. Bounded in count and time.
 */
import { spawn, spawnSync } from "node:child_process"
import * as Net from "node:net"

import { Cache } from "@cachet/core"
import { MemcachedStore } from "@cachet/memcached"
import { Clock, Deferred, Effect, Exit, Layer, Logger, LogLevel } from "effect"

const WRITERS = 16
const READERS = 4
const BUMPS_PER_WRITER = 300
const USERS = 64
const TIME_LIMIT = "20 seconds"

/** What one run measured. */
export interface Figures {
  readonly bumps: number
  readonly bumpsPerSecond: number
  readonly readsPerSecond: number
  readonly failedBumps: number
  readonly storeErrors: number
  readonly p50BumpMs: number
  readonly p99BumpMs: number
}

const percentile = (sorted: ReadonlyArray<number>, p: number): number =>
  sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!

const load = Effect.gen(function*() {
  const cache = yield* Cache.Cache
  const latencies: Array<number> = []
  let failedBumps = 0
  let reads = 0
  const writersDone = yield* Deferred.make<void>()
  const tagsOf = (user: number) => [`users/${user}`, `teams/${user % 4}`]

  const writer = (w: number) =>
    Effect.forEach(
      Array.from({ length: BUMPS_PER_WRITER }, (_, i) => (w * 7 + i) % USERS),
      (user) =>
        Effect.gen(function*() {
          const start = yield* Clock.currentTimeNanos
          const exit = yield* Effect.exit(cache.invalidate(tagsOf(user)))
          if (Exit.isFailure(exit)) failedBumps++
          latencies.push(Number((yield* Clock.currentTimeNanos) - start) / 1e6)
        }),
      { discard: true }
    )

  const reader = (r: number) =>
    Effect.gen(function*() {
      for (let n = r; !(yield* Deferred.isDone(writersDone)); n++) {
        const user = n % USERS
        yield* cache.getOrFetch(`user:${user}`, Effect.succeed({ id: user }), { tags: tagsOf(user) })
        reads++
      }
    })

  const readers = yield* Effect.fork(
    Effect.all(Array.from({ length: READERS }, (_, r) => reader(r)), { concurrency: "unbounded" })
  )
  const start = yield* Clock.currentTimeMillis
  yield* Effect.all(Array.from({ length: WRITERS }, (_, w) => writer(w)), { concurrency: "unbounded", discard: true })
    .pipe(
      Effect.timeoutOption(TIME_LIMIT)
    )
  const seconds = ((yield* Clock.currentTimeMillis) - start) / 1000
  yield* Deferred.succeed(writersDone, undefined)
  yield* readers.await
  const stats = yield* cache.stats
  const sorted = [...latencies].sort((a, b) => a - b)
  return {
    bumps: latencies.length,
    bumpsPerSecond: (latencies.length - failedBumps) / seconds,
    readsPerSecond: reads / seconds,
    failedBumps,
    storeErrors: stats.storeErrors,
    p50BumpMs: percentile(sorted, 0.5),
    p99BumpMs: percentile(sorted, 0.99)
  } satisfies Figures
})

const freePort = Effect.async<number>((resume) => {
  const server = Net.createServer().listen(0, "127.0.0.1", () => {
    const address = server.address()
    server.close(() => resume(Effect.succeed(typeof address === "object" && address !== null ? address.port : 0)))
  })
})

const accepts = (port: number) =>
  Effect.async<boolean>((resume) => {
    const socket = Net.connect({ host: "127.0.0.1", port })
    const done = (ok: boolean) => {
      socket.destroy()
      resume(Effect.succeed(ok))
    }
    socket.once("connect", () => done(true)).once("error", () => done(false))
  })

/** memcached on a free loopback port (64 MB, as the tests run it), killed with the scope. */
const memcached = Effect.gen(function*() {
  const port = yield* freePort
  const args = [
    "-l",
    "127.0.0.1",
    "-p",
    String(port),
    "-U",
    "0",
    "-m",
    "64",
    ...(process.getuid?.() === 0 ? ["-u", "root"] : [])
  ]
  const child = yield* Effect.acquireRelease(
    Effect.sync(() => spawn("memcached", args, { stdio: "ignore" })),
    (child) => Effect.sync(() => child.kill("SIGKILL"))
  )
  for (let attempt = 0; !(yield* accepts(port)); attempt++) {
    if (attempt > 250 || child.exitCode !== null) {
      return yield* Effect.die(new Error(`memcached did not start on port ${port}`))
    }
    yield* Effect.sleep("20 millis")
  }
  return `127.0.0.1:${port}`
})

/** Runs the load once; `undefined` when memcached is not installed. */
export const run = async (): Promise<Figures | undefined> => {
  if (spawnSync("memcached", ["-h"], { stdio: "ignore" }).error !== undefined) return undefined
  const program = Effect.scoped(
    Effect.flatMap(memcached, (servers) =>
      load.pipe(
        Effect.provide(
          Cache.layer({ namespace: "bench", ttl: "1 hour" }).pipe(
            Layer.provide(MemcachedStore.layer({ servers }))
          )
        )
      ))
  )
  // Failed bumps are counted; their warnings would drown the report.
  return Effect.runPromise(Logger.withMinimumLogLevel(program, LogLevel.None))
}
