/**
 * The chaos workload: app processes (each a cache with a memory tier over the store, kept
 * coherent by the Redis bus — see `node.ts`) reach the store through fault-injecting proxies.
 * Workers in the parent read, write and invalidate keys through them while a schedule injects
 * faults; every operation is recorded (start, end, the fetch it returned), and `history.ts`'s
 * checker verifies the consistency table against the history. After the run, once faults are
 * healed and the bound has passed, every process must read every key's last version (no
 * acknowledged write lost).
 */
import { Duration, Effect } from "effect"

import { type Fault, schedule } from "./faults.js"
import { check, type History, percentile } from "./history.js"
import type { AppProcess } from "./processes.js"

/** The cache settings of every app process. */
export const settings = { localTtlMillis: 2_000, storeTimeoutMillis: 300, invalidationRetryMillis: 1_000 } as const

/**
 * How long after an invalidation (or the end of the fault in force) other processes may lag:
 * `localTtl` + `invalidationRetry` + the store timeout + 500 ms of slack, plus `extraMillis`
 * (a cluster's `versionTtl`).
 */
export const bound = (extraMillis = 0): number =>
  settings.localTtlMillis + settings.invalidationRetryMillis + settings.storeTimeoutMillis + 500 + extraMillis

/** One run. */
export interface Options {
  readonly processes: ReadonlyArray<AppProcess>
  readonly history: History
  readonly faults: ReadonlyArray<Fault>
  /** Proxy counters, summed over the proxies. */
  readonly proxyCounts: () => { readonly connections: number; readonly resets: number; readonly drops: number }
  /** How long the workload runs under faults. */
  readonly durationMillis: number
  readonly boundMillis: number
  readonly workersPerProcess?: number
}

/** What a run did and found. */
export interface Report {
  readonly seconds: number
  readonly processes: number
  readonly reads: number
  readonly invalidations: number
  readonly faults: Record<string, number>
  /** The longest window of each fault, in ms (a failover's: until every slot had a live master). */
  readonly longestFaultMillis: Record<string, number>
  readonly proxy: { readonly connections: number; readonly resets: number; readonly drops: number }
  readonly staleSameProcess: number
  readonly readsBeyondBound: number
  readonly lostWrites: number
  readonly errors: number
  /** The first few errors, as the processes reported them. */
  readonly errorExamples: ReadonlyArray<string>
  readonly p99Millis: { readonly duringFaults: number; readonly healthy: number }
  /** Heap used (MB, after a full collection) by each app process at the start, the middle and the end. */
  readonly heapMb: ReadonlyArray<{ readonly start: number; readonly middle: number; readonly end: number }>
  readonly boundMillis: number
  readonly examples: ReadonlyArray<string>
}

const mb = (bytes: number) => Math.round(bytes / 1024 / 1024 * 10) / 10

/** Runs the workload and checks its history. */
export const run = (options: Options): Effect.Effect<Report> =>
  Effect.gen(function*() {
    const { history, processes } = options
    const workers = options.workersPerProcess ?? 4
    const state = { inFault: false }
    const injected: Record<string, number> = {}
    const errorExamples: Array<string> = []
    let errors = 0
    const heapOf = Effect.forEach(processes, (p) => Effect.orElseSucceed(p.heapUsed, () => 0))
    const heapStart = yield* heapOf
    const started = Date.now()
    const deadline = started + options.durationMillis

    const read = (proc: number, key: number) =>
      Effect.gen(function*() {
        const start = performance.now()
        const duringFault = state.inFault
        const fetch = yield* processes[proc]!.read(key)
        history.reads.push({ proc, key, start, end: performance.now(), fetch, duringFault })
      })
    const write = (proc: number, key: number) =>
      Effect.gen(function*() {
        const version = ++history.database[key]!
        const start = performance.now()
        yield* processes[proc]!.invalidate(key)
        history.invalidations.push({ proc, key, version, start, end: performance.now() })
      })
    const worker = (proc: number) =>
      Effect.gen(function*() {
        while (Date.now() < deadline) {
          const key = Math.floor(Math.random() * history.keys)
          yield* (Math.random() < 0.15 ? write(proc, key) : read(proc, key)).pipe(
            Effect.catchAll((error) =>
              Effect.sync(() => {
                errors++
                if (errorExamples.length < 5) errorExamples.push(error.message.slice(0, 300))
              })
            )
          )
          yield* Effect.sleep(Duration.millis(2 + Math.random() * 8))
        }
      })

    // Heap samples: growth over the run should level off (bounded), not climb with the ops.
    const heapSamples: Array<ReadonlyArray<number>> = []
    const sampleHeap = Effect.gen(function*() {
      while (Date.now() < deadline) {
        heapSamples.push(yield* heapOf)
        yield* Effect.sleep(Duration.millis(Math.min(5_000, Math.max(0, deadline - Date.now()))))
      }
    })

    yield* Effect.all([
      schedule(options.faults, deadline, history, injected, state),
      sampleHeap,
      ...processes.flatMap((_, proc) => Array.from({ length: workers }, () => worker(proc)))
    ], { concurrency: "unbounded", discard: true })

    // Quiescence: healed; after the bound, every process must read every key's last version.
    yield* Effect.sleep(Duration.millis(options.boundMillis))
    let lostWrites = 0
    const finals: Array<string> = []
    for (let proc = 0; proc < processes.length; proc++) {
      for (let key = 0; key < history.keys; key++) {
        const fetch = yield* Effect.either(processes[proc]!.read(key))
        const seen = fetch._tag === "Right" ? history.seen(fetch.right) : -1
        if (seen < history.database[key]!) {
          lostWrites++
          if (finals.length < 5) {
            finals.push(`final read: process ${proc} key ${key} saw ${seen} < ${history.database[key]}`)
          }
        }
      }
    }

    const verdict = check(history, processes.length, options.boundMillis)
    const heapEnd = yield* heapOf
    const middle = heapSamples[Math.floor(heapSamples.length / 2)] ?? heapStart
    const counts = options.proxyCounts()
    return {
      seconds: Math.round((Date.now() - started) / 100) / 10,
      processes: processes.length,
      reads: history.reads.length,
      invalidations: history.invalidations.length,
      faults: injected,
      longestFaultMillis: history.faultWindows.reduce<Record<string, number>>((longest, window) => {
        longest[window.name] = Math.max(longest[window.name] ?? 0, Math.round(window.end - window.start))
        return longest
      }, {}),
      proxy: { connections: counts.connections, resets: counts.resets, drops: counts.drops },
      staleSameProcess: verdict.staleSameProcess,
      readsBeyondBound: verdict.readsBeyondBound,
      lostWrites,
      errors,
      errorExamples,
      p99Millis: {
        duringFaults: percentile(history.reads.filter((r) => r.duringFault).map((r) => r.end - r.start), 0.99),
        healthy: percentile(history.reads.filter((r) => !r.duringFault).map((r) => r.end - r.start), 0.99)
      },
      heapMb: processes.map((_, i) => ({ start: mb(heapStart[i]!), middle: mb(middle[i]!), end: mb(heapEnd[i]!) })),
      boundMillis: options.boundMillis,
      examples: [...finals, ...verdict.examples]
    }
  })
