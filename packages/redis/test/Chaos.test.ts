/**
 * The chaos suite (`npm run chaos`): three caches with memory tiers and the Redis bus reach a
 * real Redis through a fault-injecting proxy while a workload's history is checked against the
 * consistency table (see `chaos/workload.ts`). `npm test` runs the short form (about 20 s);
 * `CACHET_CHAOS_SECONDS=300 npm run chaos` the long form, which prints its report.
 */
import { Servers } from "@cachet/core/testing"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"

import * as Workload from "./chaos/workload.js"

const skip = Servers.skipReason("redis")
const seconds = Number(process.env.CACHET_CHAOS_SECONDS ?? "20")

describe.skipIf(skip !== undefined)("chaos: single Redis behind a fault-injecting proxy", () => {
  it.live(
    `${seconds} s of reads, writes and invalidations under faults: no read beyond the bound, no lost write, no error`,
    () =>
      Effect.gen(function*() {
        const server = yield* Servers.redis
        const report = yield* Workload.run({ redis: server, durationMillis: seconds * 1_000 })
        process.stdout.write(`[chaos] ${JSON.stringify(report, null, 2)}\n`)
        expect(report.reads).toBeGreaterThan(0)
        expect(report.invalidations).toBeGreaterThan(0)
        expect(Object.keys(report.faults).length).toBeGreaterThan(1)
        expect(report.examples).toEqual([])
        expect(report.staleSameProcess).toBe(0)
        expect(report.readsBeyondBound).toBe(0)
        expect(report.lostWrites).toBe(0)
        expect(report.errors).toBe(0)
      }).pipe(Effect.scoped),
    seconds * 1_000 + 60_000
  )
})
