/**
 * The wire models of the admin group's browsing endpoints — what a page needs to show a
 * cache: entry summaries by key prefix and tag, the tag tree with entry counts, the live
 * event stream, and a normalized entity graph when one is provided.
 *
 * @since 0.1.0
 */
import { Cache } from "@cachet/core"
import { HttpApiSchema } from "@effect/platform"
import { Schema, Struct } from "effect"

// -----------------------------------------------------------------------------
// entries
// -----------------------------------------------------------------------------

/**
 * One entry without its value: what a table row shows.
 *
 * @since 0.1.0
 * @category models
 */
export class EntrySummary extends Schema.Class<EntrySummary>("@cachet/api/EntrySummary")(
  Struct.pick(
    Cache.EntryInfo.fields,
    "key",
    "tags",
    "createdAt",
    "ageMillis",
    "ttlMillis",
    "graceMillis",
    "state",
    "failed",
    "size"
  )
) {}

/**
 * Whether the store could list the namespace's keys, and how far the listing went.
 *
 * @since 0.1.0
 * @category models
 */
export class Listing extends Schema.Class<Listing>("@cachet/api/Listing")({
  /** False when the store cannot list keys (the page says so instead of an empty table). */
  listable: Schema.Boolean,
  /** Why the listing failed, when it did. */
  reason: Schema.NullOr(Schema.String),
  /** Keys read. */
  scanned: Schema.Number,
  /** True when the namespace holds more keys than the scan limit. */
  truncated: Schema.Boolean
}) {}

/**
 * A page of entries, most recently written first.
 *
 * @since 0.1.0
 * @category models
 */
export class EntryPage extends Schema.Class<EntryPage>("@cachet/api/EntryPage")({
  entries: Schema.Array(EntrySummary),
  /** Entries matching the search (within the scan). */
  total: Schema.Number,
  offset: Schema.Number,
  listing: Listing
}) {}

/**
 * Query parameters of the entry search: a key prefix, a tag (entries tagged with it or a
 * descendant of it, the ones an invalidation of the tag covers), and the page.
 *
 * @since 0.1.0
 * @category models
 */
export const SearchParams = Schema.Struct({
  prefix: Schema.optional(Schema.String),
  tag: Schema.optional(Schema.String),
  offset: Schema.optional(Schema.NumberFromString.pipe(Schema.int(), Schema.nonNegative())),
  limit: Schema.optional(Schema.NumberFromString.pipe(Schema.int(), Schema.between(1, 1000)))
})

// -----------------------------------------------------------------------------
// tags
// -----------------------------------------------------------------------------

/**
 * A tag path as used by entries, with how many entries an invalidation of it covers (those
 * tagged with it or with a descendant of it).
 *
 * @since 0.1.0
 * @category models
 */
export class TagCount extends Schema.Class<TagCount>("@cachet/api/TagCount")({
  tag: Schema.String,
  entries: Schema.Number
}) {}

/**
 * Every tag path in use (prefixes included), sorted.
 *
 * @since 0.1.0
 * @category models
 */
export class TagTree extends Schema.Class<TagTree>("@cachet/api/TagTree")({
  tags: Schema.Array(TagCount),
  listing: Listing
}) {}

// -----------------------------------------------------------------------------
// events
// -----------------------------------------------------------------------------

/**
 * Counters since the cache was built, as carried by every tick.
 *
 * @since 0.1.0
 * @category events
 */
export const Totals = Schema.Struct({
  hits: Schema.Number,
  staleHits: Schema.Number,
  misses: Schema.Number,
  fetchFailures: Schema.Number,
  writes: Schema.Number,
  invalidations: Schema.Number,
  expirations: Schema.Number
})

/**
 * One interval (a second) of the cache's counters as deltas — what a live chart draws — with
 * the totals, the hit ratio and the breaker state at its end.
 *
 * @since 0.1.0
 * @category events
 */
export const Tick = Schema.TaggedStruct("tick", {
  at: Schema.Number,
  hits: Schema.Number,
  staleHits: Schema.Number,
  misses: Schema.Number,
  fetchFailures: Schema.Number,
  breaker: Schema.Literal("closed", "open"),
  /** `hits + staleHits` over every read since the cache was built, 0 when nothing was read. */
  hitRatio: Schema.Number,
  totals: Totals
})

/**
 * An invalidation (`hard`) or expiry (`soft`) of tags the cache performed.
 *
 * @since 0.1.0
 * @category events
 */
export const Invalidation = Schema.TaggedStruct("invalidation", {
  at: Schema.Number,
  tags: Schema.Array(Schema.String),
  mode: Schema.Literal("hard", "soft")
})

/**
 * Fetches that failed in the last second.
 *
 * @since 0.1.0
 * @category events
 */
export const FetchFailures = Schema.TaggedStruct("fetchFailures", {
  at: Schema.Number,
  count: Schema.Number
})

/**
 * The circuit breaker opened or closed.
 *
 * @since 0.1.0
 * @category events
 */
export const Breaker = Schema.TaggedStruct("breaker", {
  at: Schema.Number,
  state: Schema.Literal("closed", "open")
})

/**
 * An event of `GET /cache/events`, sent as the `data:` line of a Server-Sent Event whose
 * `event:` is its `_tag`.
 *
 * @since 0.1.0
 * @category events
 */
export const Event = Schema.Union(Tick, Invalidation, FetchFailures, Breaker)

/**
 * @since 0.1.0
 * @category events
 */
export type Event = typeof Event.Type

// -----------------------------------------------------------------------------
// normalized graph
// -----------------------------------------------------------------------------

/**
 * How many entities of a type the graph holds (reachable from its root queries).
 *
 * @since 0.1.0
 * @category models
 */
export class TypeCount extends Schema.Class<TypeCount>("@cachet/api/TypeCount")({
  typename: Schema.String,
  keys: Schema.Array(Schema.String)
}) {}

/**
 * The graph's root queries and entities by type; `available` is false when the server
 * provides no `EntityGraph`.
 *
 * @since 0.1.0
 * @category models
 */
export class GraphSummary extends Schema.Class<GraphSummary>("@cachet/api/GraphSummary")({
  available: Schema.Boolean,
  roots: Schema.Array(Schema.String),
  types: Schema.Array(TypeCount)
}) {}

/**
 * One field of an entity: a record (its value as JSON text) or a link (entity keys).
 *
 * @since 0.1.0
 * @category models
 */
export class GraphField extends Schema.Class<GraphField>("@cachet/api/GraphField")({
  fieldKey: Schema.String,
  kind: Schema.Literal("record", "link"),
  /** The record as JSON text, or the link (a key, null or nested lists of keys) as JSON text. */
  value: Schema.String
}) {}

/**
 * One entity: its records and links, and the root queries that reach it.
 *
 * @since 0.1.0
 * @category models
 */
export class GraphEntity extends Schema.Class<GraphEntity>("@cachet/api/GraphEntity")({
  key: Schema.String,
  fields: Schema.Array(GraphField),
  reachedBy: Schema.Array(Schema.String)
}) {}

/**
 * No entity under that key in the graph, or no graph at all (404).
 *
 * @since 0.1.0
 * @category errors
 */
export class EntityNotFound extends Schema.TaggedError<EntityNotFound>("@cachet/api/EntityNotFound")(
  "EntityNotFound",
  { key: Schema.String },
  HttpApiSchema.annotations({ status: 404, description: "No entity under that key" })
) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return `no entity under ${JSON.stringify(this.key)}`
  }
}
