/**
 * Tag invalidations on a real memcached (started on a free loopback port): 16 writers bump tags
 * concurrently through `Cache.invalidate` while 4 readers run `Cache.getOrFetch` on the tagged
 * entries, with the cache's default 500 ms store timeout. Bounded in count and time.
 */

import { Cache } from "@cachet/core"
import * as Servers from "@cachet/core/testing/Servers"
import { MemcachedStore } from "@cachet/memcached"
import { Clock, Deferred, Effect, Exit, Layer, Logger, LogLevel, Option } from "effect"

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

/** Runs the load once; `undefined` when memcached is not installed. */
export const run = async (): Promise<Figures | undefined> => {
  if (Option.isNone(Servers.findBinary("memcached"))) return undefined
  const program = Effect.scoped(
    Effect.flatMap(Servers.memcached, (server) =>
      load.pipe(
        Effect.provide(
          Cache.layer({ namespace: "bench", ttl: "1 hour" }).pipe(
            Layer.provide(MemcachedStore.layer({ servers: server.url }))
          )
        )
      ))
  )
  // Failed bumps are counted; their warnings would drown the report.
  return Effect.runPromise(Logger.withMinimumLogLevel(program, LogLevel.None))
}
