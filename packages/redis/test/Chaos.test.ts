/**
 * The chaos suite (`npm run chaos`): three app processes, each a cache with a memory tier and
 * the Redis bus, share a store through fault-injecting proxies while a workload's history is
 * checked against the consistency table (see `chaos/`). One arm per store: a single Redis, a
 * 3-master Redis Cluster with a master killed and failed over, memcached. `npm test` runs each
 * arm's short form (6 s of load, the arms side by side); `CACHET_CHAOS_SECONDS=300 npm run chaos`
 * the long form (`CACHET_CHAOS_ARM=cluster` picks one arm), which prints its report.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"

import * as Arms from "./chaos/arms.js"
import * as Workload from "./chaos/workload.js"

const only = process.env.CACHET_CHAOS_ARM
const seconds = Number(process.env.CACHET_CHAOS_SECONDS ?? "6")

const titles: Record<Arms.Arm, string> = {
  redis: "single Redis",
  cluster: "3-master Redis Cluster with replicas, a master killed mid-run",
  memcached: "memcached, memory tiers kept coherent by the Redis bus"
}

// The arms run side by side (each with its own servers, proxies and processes): CI time is tight.
describe.concurrent("chaos: three app processes behind fault-injecting proxies", () => {
  for (const arm of Arms.arms) {
    const skip = Arms.skipReason(arm) !== undefined || (only !== undefined && only !== arm)
    it.live.skipIf(skip)(
      `on a ${titles[arm]}: ${seconds} s of reads, writes and invalidations under faults, none beyond the bound`,
      () =>
        Effect.gen(function*() {
          const options = yield* Arms.setUp(arm)
          const report = yield* Workload.run({ ...options, durationMillis: seconds * 1_000 })
          process.stdout.write(`[chaos ${arm}] ${JSON.stringify(report, null, 2)}\n`)
          expect(report.reads).toBeGreaterThan(0)
          expect(report.invalidations).toBeGreaterThan(0)
          // Every process reached the store through the proxies (on a cluster: through natMap).
          expect(report.proxy.connections).toBeGreaterThanOrEqual(report.processes * 2)
          if (arm === "cluster") expect(report.faults["master killed (failover)"]).toBeGreaterThan(0)
          else expect(Object.keys(report.faults).length).toBeGreaterThan(1)
          expect(report.examples).toEqual([])
          expect(report.staleSameProcess).toBe(0)
          expect(report.readsBeyondBound).toBe(0)
          expect(report.lostWrites).toBe(0)
          expect(report.errorExamples).toEqual([])
          expect(report.errors).toBe(0)
        }).pipe(Effect.scoped),
      seconds * 1_000 + 90_000
    )
  }
})
