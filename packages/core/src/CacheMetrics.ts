/**
 * The cache's Effect metrics: counters of hits, misses, stale hits, fetches, fetch failures,
 * stale-if-error fallbacks, store errors, decode failures and invalidations, tagged with the
 * cache's namespace, and a timer of fetch durations. Counters are published from the cache's
 * own tallies (every second, and whenever `stats` is read), so the hit path does no metric work.
 *
 * @since 0.1.0
 */
import { Metric } from "effect"

/**
 * @since 0.1.0
 * @category metrics
 */
export const hits = Metric.counter("cachet_hits", { description: "reads served fresh from the cache" })

/**
 * @since 0.1.0
 * @category metrics
 */
export const staleHits = Metric.counter("cachet_stale_hits", {
  description: "reads served in grace while a refresh runs"
})

/**
 * @since 0.1.0
 * @category metrics
 */
export const misses = Metric.counter("cachet_misses", { description: "reads that found nothing usable" })

/**
 * @since 0.1.0
 * @category metrics
 */
export const fetches = Metric.counter("cachet_fetches", { description: "fetches run (after single-flight)" })

/**
 * @since 0.1.0
 * @category metrics
 */
export const fetchFailures = Metric.counter("cachet_fetch_failures", {
  description: "fetches that failed or timed out"
})

/**
 * @since 0.1.0
 * @category metrics
 */
export const staleIfError = Metric.counter("cachet_stale_if_error", {
  description: "stale values served because a fetch failed or was slow"
})

/**
 * @since 0.1.0
 * @category metrics
 */
export const storeErrors = Metric.counter("cachet_store_errors", {
  description: "store calls that failed or timed out"
})

/**
 * @since 0.1.0
 * @category metrics
 */
export const decodeFailures = Metric.counter("cachet_decode_failures", {
  description: "stored entries that no longer decoded"
})

/**
 * @since 0.1.0
 * @category metrics
 */
export const invalidations = Metric.counter("cachet_invalidations", { description: "tags invalidated or expired" })

/**
 * Invalidations, expiries and deletes the store did not take at once (replayed later).
 *
 * @since 0.1.0
 * @category metrics
 */
export const deferredInvalidations = Metric.counter("cachet_deferred_invalidations", {
  description: "invalidations the store did not take at once, replayed until it acknowledges them"
})

/**
 * @since 0.1.0
 * @category metrics
 */
export const fetchDuration = Metric.timer("cachet_fetch_duration", "how long fetches took")

/**
 * Each published counter with the name of the tally it follows.
 *
 * @since 0.1.0
 * @category metrics
 */
export const published = [
  ["hits", hits],
  ["staleHits", staleHits],
  ["misses", misses],
  ["fetches", fetches],
  ["fetchFailures", fetchFailures],
  ["staleIfError", staleIfError],
  ["storeErrors", storeErrors],
  ["decodeFailures", decodeFailures],
  ["invalidations", invalidations],
  ["deferredInvalidations", deferredInvalidations]
] as const
