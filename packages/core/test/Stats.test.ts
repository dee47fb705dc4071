/**
 * The counters alone: one place counts how a read was served; deltas reach the Effect metrics.
 */
import { CacheMetrics } from "@cachet/core"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Metric } from "effect"

import { miss, unavailable } from "../src/internal/entryState.js"
import { countRead, makeCounters, publisher } from "../src/internal/stats.js"

describe("stats", () => {
  it("counts a read once: Fresh as a hit, Stale as a stale hit, Miss and Unavailable as misses", () => {
    const counters = makeCounters()
    const served = Effect.succeed(1)
    countRead(counters, { _tag: "Fresh", decoded: { failed: false, value: 1 }, createdAt: 0, served })
    countRead(counters, { _tag: "Stale", decoded: { failed: false, value: 1 }, createdAt: 0, served })
    countRead(counters, miss)
    countRead(counters, unavailable)
    expect([counters.hits, counters.staleHits, counters.misses]).toEqual([1, 1, 2])
  })

  it.effect("publishes only what grew since the last run, tagged with the namespace", () =>
    Effect.gen(function*() {
      const counters = makeCounters()
      const publish = publisher(counters, "stats-test:")
      const hits = Metric.tagged(CacheMetrics.hits, "namespace", "stats-test:")
      counters.hits = 3
      yield* publish
      yield* publish
      expect((yield* Metric.value(hits)).count).toBe(3)
      counters.hits = 5
      yield* publish
      expect((yield* Metric.value(hits)).count).toBe(5)
    }))
})
