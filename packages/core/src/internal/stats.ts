/**
 * The cache's counters: how reads were served (counted in one place), fetches, writes, store
 * errors, invalidations; and their publication as Effect metrics.
 *
 * @internal
 */
import { Effect, Metric } from "effect"

import * as CacheMetrics from "../CacheMetrics.js"
import type { Lookup } from "./entryState.js"

/** @internal */
export interface Counters {
  hits: number
  staleHits: number
  misses: number
  fetches: number
  fetchFailures: number
  staleIfError: number
  writes: number
  storeErrors: number
  storeSkips: number
  decodeFailures: number
  invalidations: number
  expirations: number
  deletes: number
  backgroundRefreshes: number
  deferredInvalidations: number
}

/** @internal */
export const makeCounters = (): Counters => ({
  hits: 0,
  staleHits: 0,
  misses: 0,
  fetches: 0,
  fetchFailures: 0,
  staleIfError: 0,
  writes: 0,
  storeErrors: 0,
  storeSkips: 0,
  decodeFailures: 0,
  invalidations: 0,
  expirations: 0,
  deletes: 0,
  backgroundRefreshes: 0,
  deferredInvalidations: 0
})

/**
 * Counts one read by what it found: a hit, a stale hit, or a miss (the store unavailable too).
 *
 * @internal
 */
export const countRead = (counters: Counters, found: Lookup): void => {
  if (found._tag === "Fresh") counters.hits++
  else if (found._tag === "Stale") counters.staleHits++
  else counters.misses++
}

/**
 * An effect that publishes the counters' growth since its last run to the Effect metrics,
 * tagged with the namespace.
 *
 * @internal
 */
export const publisher = (counters: Counters, namespace: string): Effect.Effect<void> => {
  const publishedSoFar = new Map<string, number>()
  return Effect.forEach(CacheMetrics.published, ([name, counter]) => {
    const total = name === "invalidations" ? counters.invalidations + counters.expirations : counters[name]
    const delta = total - (publishedSoFar.get(name) ?? 0)
    publishedSoFar.set(name, total)
    return delta > 0 ? Metric.incrementBy(Metric.tagged(counter, "namespace", namespace), delta) : Effect.void
  }, { discard: true })
}
