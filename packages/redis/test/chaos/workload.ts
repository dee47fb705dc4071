/**
 * The chaos workload: three caches (each a memory tier over Redis, kept coherent by the Redis
 * bus, on connections of its own) reach one real Redis through a fault-injecting proxy. Workers
 * read, write and invalidate keys while a schedule injects faults; every operation is recorded
 * (start, end, version seen), and a checker verifies the consistency table against the history.
 *
 * The model: a database row per key holds a version; a write bumps it, then invalidates the
 * key's tag in the writing process. A read returns the version its fetch saw. The checker asks:
 * - in the process that invalidated, no read that started after the invalidation returned sees
 *   an older version (exact);
 * - in the other processes, none that started later than the documented bound: `localTtl` after
 *   the invalidation returned, counted from the end of the fault in force then (the relay's
 *   replay reaches Redis within `invalidationRetry` of it answering again), plus the store timeout;
 * - once faults are healed and the bound has passed, every process reads every key's last
 *   version (no acknowledged write lost).
 */
import { Cache } from "@cachet/core"
import { ChaosProxy } from "@cachet/core/testing"
import type { Scope } from "effect"
import { Context, Duration, Effect, Layer, Logger, LogLevel } from "effect"

import { tiered } from "../fixtures/tiered.js"

/** Settings of one run. */
export interface Options {
  /** The real Redis. */
  readonly redis: { readonly host: string; readonly port: number }
  /** How long the workload runs under faults. */
  readonly durationMillis: number
  readonly processes?: number
  readonly workersPerProcess?: number
  readonly keys?: number
}

/** One fault of the schedule. */
interface Fault {
  readonly name: string
  readonly millis: number
  readonly start: (proxy: ChaosProxy.ChaosProxy) => Effect.Effect<void>
}

const faults: ReadonlyArray<Fault> = [
  {
    name: "latency 20 ms + jitter 40 ms",
    millis: 1_500,
    start: (proxy) =>
      Effect.sync(() => {
        proxy.faults.latencyMillis = 20
        proxy.faults.jitterMillis = 40
      })
  },
  { name: "reset every connection", millis: 1_000, start: (proxy) => proxy.reset },
  {
    name: "drop connections (1% of chunks)",
    millis: 1_500,
    start: (proxy) => Effect.sync(() => proxy.faults.dropRate = 0.01)
  },
  { name: "blackhole (partition)", millis: 1_500, start: (proxy) => Effect.sync(() => proxy.faults.blackhole = true) },
  { name: "slow close (500 ms)", millis: 1_000, start: (proxy) => proxy.slowClose(500) }
]

const localTtlMillis = 2_000
const invalidationRetryMillis = 1_000
const storeTimeoutMillis = 300
/** How long after an invalidation (or the end of the fault in force) other processes may lag. */
export const boundMillis = localTtlMillis + invalidationRetryMillis + storeTimeoutMillis + 500

interface Read {
  readonly proc: number
  readonly key: number
  readonly start: number
  readonly end: number
  readonly seen: number
  readonly fetch: number
  readonly duringFault: boolean
}

interface Invalidation {
  readonly proc: number
  readonly key: number
  readonly version: number
  readonly start: number
  readonly end: number
}

/** What a run did and found. */
export interface Report {
  readonly seconds: number
  readonly processes: number
  readonly reads: number
  readonly invalidations: number
  readonly faults: Record<string, number>
  readonly proxy: { readonly connections: number; readonly resets: number; readonly drops: number }
  readonly staleSameProcess: number
  readonly readsBeyondBound: number
  readonly lostWrites: number
  readonly errors: number
  readonly p99Millis: { readonly duringFaults: number; readonly healthy: number }
  readonly heapGrowthMb: number
  /** Heap used (MB) at the start, at the middle of the run and at its end. */
  readonly heapMb: { readonly start: number; readonly middle: number; readonly end: number }
  readonly boundMillis: number
  readonly examples: ReadonlyArray<string>
}

const mb = (bytes: number) => Math.round(bytes / 1024 / 1024 * 10) / 10

const percentile = (values: Array<number>, p: number) => {
  if (values.length === 0) return 0
  values.sort((a, b) => a - b)
  return Math.round(values[Math.min(values.length - 1, Math.floor(values.length * p))]! * 10) / 10
}

/** Runs the workload and checks its history. */
export const run = (options: Options): Effect.Effect<Report, never, Scope.Scope> =>
  Effect.gen(function*() {
    const processes = options.processes ?? 3
    const workers = options.workersPerProcess ?? 4
    const keyCount = options.keys ?? 12
    const proxy = yield* ChaosProxy.make(options.redis)
    const url = `redis://127.0.0.1:${proxy.port}`
    const caches: Array<Cache.Service> = []
    for (let p = 0; p < processes; p++) {
      const context = yield* Layer.build(
        Cache.layer({
          namespace: "chaos",
          ttl: "1 minute",
          storeTimeout: Duration.millis(storeTimeoutMillis),
          invalidationRetry: Duration.millis(invalidationRetryMillis)
        }).pipe(Layer.provide(tiered({ url, localTtl: Duration.millis(localTtlMillis) })))
      )
      caches.push(Context.get(context, Cache.Cache))
    }

    const database = new Array<number>(keyCount).fill(0)
    const reads: Array<Read> = []
    const invalidations: Array<Invalidation> = []
    const faultWindows: Array<{ start: number; end: number }> = []
    const injected: Record<string, number> = {}
    let errors = 0
    let inFault = false
    const heapBefore = process.memoryUsage().heapUsed
    const started = Date.now()
    const started0 = performance.now()
    const deadline = started + options.durationMillis

    // Each fetch is an id: what it read, when and where (to explain a violation).
    const fetches: Array<
      { readonly version: number; readonly at: number; readonly proc: number; readonly key: number }
    > = []
    const fetchOf = (proc: number, key: number) =>
      Effect.sync(() => fetches.push({ version: database[key]!, at: performance.now(), proc, key }) - 1)
    const read = (proc: number, key: number) =>
      Effect.gen(function*() {
        const start = performance.now()
        const duringFault = inFault
        const id = yield* caches[proc]!.getOrFetch(`k${key}`, fetchOf(proc, key), { tags: [`keys/${key}`] })
        reads.push({ proc, key, start, end: performance.now(), seen: fetches[id]!.version, fetch: id, duringFault })
      })

    const write = (proc: number, key: number) =>
      Effect.gen(function*() {
        const version = ++database[key]!
        const start = performance.now()
        yield* caches[proc]!.invalidate(`keys/${key}`)
        invalidations.push({ proc, key, version, start, end: performance.now() })
      })

    const worker = (proc: number) =>
      Effect.gen(function*() {
        while (Date.now() < deadline) {
          const key = Math.floor(Math.random() * keyCount)
          yield* (Math.random() < 0.15 ? write(proc, key) : read(proc, key)).pipe(
            Effect.catchAllCause(() => Effect.sync(() => errors++))
          )
          yield* Effect.sleep(Duration.millis(2 + Math.random() * 8))
        }
      })

    const schedule = Effect.gen(function*() {
      let i = 0
      while (Date.now() + 3_000 < deadline) {
        const fault = faults[i++ % faults.length]!
        yield* Effect.sleep("1 second")
        const start = performance.now()
        inFault = true
        injected[fault.name] = (injected[fault.name] ?? 0) + 1
        yield* fault.start(proxy)
        yield* Effect.sleep(Duration.millis(fault.millis))
        yield* proxy.heal
        inFault = false
        faultWindows.push({ start, end: performance.now() })
      }
    })

    // Heap samples: growth over the run should level off (bounded), not climb with the ops.
    const heapSamples: Array<number> = []
    const sampleHeap = Effect.gen(function*() {
      while (Date.now() < deadline) {
        heapSamples.push(process.memoryUsage().heapUsed)
        yield* Effect.sleep("5 seconds")
      }
    })

    yield* Effect.all([
      schedule,
      sampleHeap,
      ...caches.flatMap((_, proc) => Array.from({ length: workers }, () => worker(proc)))
    ], { concurrency: "unbounded", discard: true })

    // Quiescence: healed; after the bound, every process must read every key's last version.
    yield* proxy.heal
    yield* Effect.sleep(Duration.millis(boundMillis))
    let lostWrites = 0
    const examples: Array<string> = []
    for (let proc = 0; proc < processes; proc++) {
      for (let key = 0; key < keyCount; key++) {
        const id = yield* caches[proc]!.getOrFetch(`k${key}`, fetchOf(proc, key), { tags: [`keys/${key}`] })
        const seen = fetches[id]!.version
        if (seen < database[key]!) {
          lostWrites++
          if (examples.length < 5) {
            examples.push(`final read: process ${proc} key ${key} saw ${seen} < ${database[key]}`)
          }
        }
      }
    }

    // The checker. An invalidation binds its own process from its end, the others from the
    // bound after its end or after the end of the fault in force then, whichever is later.
    const faultEndAfter = (time: number) => {
      let end = time
      for (const window of faultWindows) {
        if (window.start <= time + boundMillis && window.end >= time) end = Math.max(end, window.end)
      }
      return end
    }
    let staleSameProcess = 0
    let readsBeyondBound = 0
    for (let key = 0; key < keyCount; key++) {
      const ofKey = invalidations.filter((i) => i.key === key)
      for (let proc = 0; proc < processes; proc++) {
        // (time from which a read must see at least version) sorted by time, as a running max.
        const thresholds = ofKey.map((i) =>
          [i.proc === proc ? i.end : faultEndAfter(i.end) + boundMillis, i.version, i.proc === proc, i.end] as const
        ).sort((a, b) => a[0] - b[0])
        const maxes: Array<{ at: number; version: number; same: boolean; end: number }> = []
        let best = 0
        let same = false
        let bestEnd = 0
        for (const [at, version, own, end] of thresholds) {
          if (version > best) {
            best = version
            same = own
            bestEnd = end
          }
          maxes.push({ at, version: best, same, end: bestEnd })
        }
        for (const r of reads) {
          if (r.key !== key || r.proc !== proc) continue
          // The last threshold strictly before the read started.
          let lo = 0
          let hi = maxes.length
          while (lo < hi) {
            const mid = (lo + hi) >> 1
            if (maxes[mid]!.at < r.start) lo = mid + 1
            else hi = mid
          }
          if (lo === 0) continue
          const required = maxes[lo - 1]!
          if (r.seen < required.version) {
            if (required.same) staleSameProcess++
            else readsBeyondBound++
            if (examples.length < 5) {
              examples.push(
                `process ${proc} key ${key} read at ${Math.round(r.start - started0)} saw ${r.seen} < ` +
                  `${required.version} (${required.same ? "same process" : "other process"}, invalidated at ` +
                  `${Math.round(required.end - started0)}; the value was fetched by process ` +
                  `${fetches[r.fetch]!.proc} at ${Math.round(fetches[r.fetch]!.at - started0)} for key ` +
                  `${fetches[r.fetch]!.key})`
              )
            }
          }
        }
      }
    }

    const duringFaults = reads.filter((r) => r.duringFault).map((r) => r.end - r.start)
    const healthy = reads.filter((r) => !r.duringFault).map((r) => r.end - r.start)
    const counts = proxy.counts()
    return {
      seconds: Math.round((Date.now() - started) / 100) / 10,
      processes,
      reads: reads.length,
      invalidations: invalidations.length,
      faults: injected,
      proxy: { connections: counts.connections, resets: counts.resets, drops: counts.drops },
      staleSameProcess,
      readsBeyondBound,
      lostWrites,
      errors,
      p99Millis: { duringFaults: percentile(duringFaults, 0.99), healthy: percentile(healthy, 0.99) },
      heapGrowthMb: Math.round((process.memoryUsage().heapUsed - heapBefore) / 1024 / 1024 * 10) / 10,
      heapMb: {
        start: mb(heapBefore),
        middle: mb(heapSamples[Math.floor(heapSamples.length / 2)] ?? heapBefore),
        end: mb(process.memoryUsage().heapUsed)
      },
      boundMillis,
      examples
    }
  }).pipe(
    // The warnings of a run under faults (deferred invalidations, connection errors) are expected;
    // the report says what matters. Set before the caches are built so their fibers inherit it.
    Logger.withMinimumLogLevel(LogLevel.Error)
  )
