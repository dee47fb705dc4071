/**
 * What a cache tells about itself, as Schemas: an entry's `State`, `EntryInfo` (what
 * `Cache.inspect` returns) and `Stats` (what `Cache.stats` returns). `Cache` re-exports them;
 * the admin API reuses them as its wire forms, and a page can import their types alone
 * (this module depends on nothing but `effect`'s `Schema`).
 *
 * @since 0.1.0
 */
import { Schema } from "effect"

/**
 * The state of an entry: `fresh` (within its ttl), `stale` (past its ttl, inside its grace:
 * served while it is refreshed), `expired` (past ttl and grace) or `invalidated` (a tag of it
 * was invalidated since it was written).
 *
 * @since 0.1.0
 * @category models
 */
export const State = Schema.Literal("fresh", "stale", "expired", "invalidated")

/**
 * @since 0.1.0
 * @category models
 */
export type State = typeof State.Type

/**
 * Everything known about one entry (what `inspect` returns, the admin API and the CLI show).
 *
 * @since 0.1.0
 * @category models
 */
export const EntryInfo = Schema.Struct({
  key: Schema.String,
  storeKey: Schema.String,
  tags: Schema.Array(Schema.String),
  /** When it was written (epoch milliseconds). */
  createdAt: Schema.Number,
  ageMillis: Schema.Number,
  /** `null`: no ttl (kept until invalidated or evicted). */
  ttlMillis: Schema.NullOr(Schema.Number),
  /** `null`: no end to the grace. */
  graceMillis: Schema.NullOr(Schema.Number),
  state: State,
  /** A cached failure (negative caching). */
  failed: Schema.Boolean,
  size: Schema.Number,
  stamp: Schema.Number,
  /** The stored (encoded) value, as JSON text. */
  value: Schema.String
})

/**
 * @since 0.1.0
 * @category models
 */
export interface EntryInfo extends Schema.Schema.Type<typeof EntryInfo> {}

/**
 * Counters of a cache since it was built.
 *
 * @since 0.1.0
 * @category models
 */
export const Stats = Schema.Struct({
  store: Schema.String,
  namespace: Schema.String,
  enabled: Schema.Boolean,
  hits: Schema.Number,
  staleHits: Schema.Number,
  misses: Schema.Number,
  fetches: Schema.Number,
  fetchFailures: Schema.Number,
  staleIfError: Schema.Number,
  writes: Schema.Number,
  storeErrors: Schema.Number,
  storeSkips: Schema.Number,
  decodeFailures: Schema.Number,
  invalidations: Schema.Number,
  expirations: Schema.Number,
  deletes: Schema.Number,
  backgroundRefreshes: Schema.Number,
  /** Invalidations, expiries and deletes the store did not take at once (replayed later). */
  deferredInvalidations: Schema.Number,
  /** Of those, how many the store has not acknowledged yet. */
  pendingInvalidations: Schema.Number,
  breaker: Schema.Literal("closed", "open"),
  inflight: Schema.Number
})

/**
 * @since 0.1.0
 * @category models
 */
export interface Stats extends Schema.Schema.Type<typeof Stats> {}
