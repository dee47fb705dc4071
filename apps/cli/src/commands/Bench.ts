/**
 * `cachet bench`: drives the chosen store through the core's `Cache` and reports ops/s and
 * p50/p99 latencies of the hit, miss and invalidate paths.
 *
 * @since 0.1.0
 */
import type { Cache } from "@cachet/core"
import { Command } from "@effect/cli"
import { Console, Effect } from "effect"

import * as CliError from "../CliError.js"
import * as Flags from "../Flags.js"
import * as Output from "../Output.js"
import * as Settings from "../Settings.js"
import * as StoreSpec from "../StoreSpec.js"
import * as Target from "../Target.js"

/**
 * The measures of one path.
 *
 * @since 0.1.0
 * @category models
 */
export interface PathResult {
  readonly path: "hit" | "miss" | "invalidate"
  readonly ops: number
  readonly opsPerSecond: number
  readonly p50Millis: number
  readonly p99Millis: number
  /** Fetches the path ran: 0 for hits, one per operation for misses and invalidations. */
  readonly fetches: number
}

/**
 * The percentile `p` (0..1) of sorted samples.
 *
 * @since 0.1.0
 * @category utils
 */
export const percentile = (sorted: ReadonlyArray<number>, p: number): number =>
  sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!

const now = Effect.sync(() => performance.now())

/** A progress bar on stderr, drawn (at most every 80 ms) only on a terminal. */
const progress = (total: number) => {
  let done = 0
  let label = ""
  let drawnAt = 0
  const tty = process.stderr.isTTY === true
  const draw = () => {
    drawnAt = performance.now()
    const width = 30
    const filled = Math.round((done / total) * width)
    process.stderr.write(
      `\r[${"#".repeat(filled)}${".".repeat(width - filled)}] ${Math.floor((done / total) * 100)}% ${label}`.padEnd(60)
    )
  }
  return {
    step: (path: string) => {
      label = path
    },
    tick: () => {
      done++
      if (tty && performance.now() - drawnAt > 80) draw()
    },
    run: <A, E, R>(body: Effect.Effect<A, E, R>) =>
      tty
        ? body.pipe(Effect.ensuring(Effect.sync(() => {
          draw()
          process.stderr.write("\n")
        })))
        : body
  }
}

/**
 * Runs the benchmark on a cache (the caller gives it a namespace of its own).
 *
 * @since 0.1.0
 * @category running
 */
export const runOn = (
  cache: Cache.Service,
  options: {
    readonly ops: number
    readonly concurrency: number
    readonly onOp?: () => void
    readonly onPath?: (path: string) => void
  }
): Effect.Effect<ReadonlyArray<PathResult>, CliError.CliError> =>
  Effect.gen(function*() {
    const { concurrency, ops } = options
    const keys = Math.min(ops, 1_000)
    const run = Math.random().toString(36).slice(2, 8)
    const tagOf = (i: number) => `cachet-bench/${run}/${i % keys}`
    const value = (i: number) => ({ id: i, name: `user ${i}`, tags: ["a", "b"], at: 1_700_000_000_000 + i })
    let fetches = 0
    const fetch = (i: number) => Effect.sync(() => (fetches++, value(i)))
    const measure = (path: PathResult["path"], op: (i: number) => Effect.Effect<unknown, CliError.CliError>) =>
      Effect.gen(function*() {
        options.onPath?.(path)
        fetches = 0
        const samples = new Array<number>(ops)
        const started = yield* now
        yield* Effect.forEach(
          Array.from({ length: ops }, (_, i) => i),
          (i) =>
            Effect.gen(function*() {
              const t0 = yield* now
              yield* op(i)
              samples[i] = (yield* now) - t0
              options.onOp?.()
            }),
          { concurrency, discard: true }
        )
        const elapsed = (yield* now) - started
        samples.sort((a, b) => a - b)
        return {
          path,
          ops,
          opsPerSecond: Math.round((ops / elapsed) * 1000),
          p50Millis: percentile(samples, 0.5),
          p99Millis: percentile(samples, 0.99),
          fetches
        } satisfies PathResult
      })
    const read = (key: string, i: number) => cache.getOrFetch(key, fetch(i), { tags: [tagOf(i)], ttl: "1 hour" })
    // Seed the keys the hit path reads (not measured).
    yield* Effect.forEach(
      Array.from({ length: keys }, (_, i) => i),
      (i) => read(`hot/${i}`, i),
      { concurrency, discard: true }
    )
    const hit = yield* measure("hit", (i) => read(`hot/${i % keys}`, i % keys))
    const miss = yield* measure("miss", (i) => read(`cold/${run}/${i}`, i))
    const invalidate = yield* measure("invalidate", (i) =>
      Effect.zipRight(cache.invalidate([tagOf(i)]), read(`hot/${i % keys}`, i % keys)))
    yield* Effect.ignore(cache.clear)
    return [hit, miss, invalidate]
  })

/**
 * `cachet bench [--ops n] [--concurrency c]`.
 *
 * @since 0.1.0
 * @category commands
 */
export const bench = Command.make(
  "bench",
  {
    ...Settings.shared,
    ops: Flags.positive("ops", 2_000, "Operations per path (default 2000)."),
    concurrency: Flags.positive("concurrency", 8, "Operations in flight at once (default 8).")
  },
  (config) =>
    Effect.gen(function*() {
      const settings = yield* Settings.resolve(config)
      const mode = settings.mode
      if (mode._tag !== "Local") {
        return yield* CliError.usage("bench drives a store through the core in this process: use --store, not --remote")
      }
      const where = StoreSpec.format(mode.store)
      const bar = progress(config.ops * 3)
      const results = yield* Effect.scoped(
        Effect.flatMap(
          Target.localCache(mode.store, Target.cacheOptions(`${settings.namespace}-bench`)),
          ({ cache }) =>
            bar.run(
              runOn(cache, { ops: config.ops, concurrency: config.concurrency, onOp: bar.tick, onPath: bar.step })
            )
        )
      )
      if (settings.json) {
        return yield* Output.json({ store: where, ops: config.ops, concurrency: config.concurrency, results })
      }
      yield* Console.log(`store ${where}, ${config.ops} ops per path, concurrency ${config.concurrency}\n`)
      yield* Output.printTable(
        [
          ["path", "ops/s", "p50", "p99"],
          ...results.map((
            r
          ) => [
            r.path,
            r.opsPerSecond.toLocaleString("en-US"),
            Output.latency(r.p50Millis),
            Output.latency(r.p99Millis)
          ])
        ],
        { header: true }
      )
      yield* Console.log(
        "\nhit: read of a cached key; miss: read of a new key (fetch + write); invalidate: tag invalidation, then " +
          "the read that refetches"
      )
    })
).pipe(
  Command.withDescription(
    "Measure ops/s and p50/p99 latency of the hit, miss and invalidate paths on the chosen store."
  )
)
