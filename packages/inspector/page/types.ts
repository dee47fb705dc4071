/** The JSON forms of the admin group's answers that the page reads (`@cachet/api`'s `CacheApi` and `CacheBrowse`). */

/** Counters of the cache (`GET /cache/stats`). */
export interface Stats {
  readonly store: string
  readonly namespace: string
  readonly enabled: boolean
  readonly hits: number
  readonly staleHits: number
  readonly misses: number
  readonly fetches: number
  readonly fetchFailures: number
  readonly writes: number
  readonly invalidations: number
  readonly expirations: number
  readonly breaker: "closed" | "open"
  readonly hitRatio: number
}

/** The state of an entry; `stale` is shown as "grace". */
export type State = "fresh" | "stale" | "expired" | "invalidated"

/** A table row (`GET /cache/search`). */
export interface EntrySummary {
  readonly key: string
  readonly tags: ReadonlyArray<string>
  readonly createdAt: number
  readonly ageMillis: number
  readonly ttlMillis: number | null
  readonly graceMillis: number | null
  readonly state: State
  readonly failed: boolean
  readonly size: number
}

/** One entry with its value (`GET /cache/entries/:key`). */
export interface EntryInfo extends EntrySummary {
  readonly storeKey: string
  readonly stamp: number
  readonly value: string
}

/** How far a listing went. */
export interface Listing {
  readonly listable: boolean
  readonly reason: string | null
  readonly scanned: number
  readonly truncated: boolean
}

/** A page of entries. */
export interface EntryPage {
  readonly entries: ReadonlyArray<EntrySummary>
  readonly total: number
  readonly offset: number
  readonly listing: Listing
}

/** The tag paths in use (`GET /cache/tags`). */
export interface TagTree {
  readonly tags: ReadonlyArray<{ readonly tag: string; readonly entries: number }>
  readonly listing: Listing
}

/** The normalized graph (`GET /cache/graph`). */
export interface GraphSummary {
  readonly available: boolean
  readonly roots: ReadonlyArray<string>
  readonly types: ReadonlyArray<{ readonly typename: string; readonly keys: ReadonlyArray<string> }>
}

/** One entity (`GET /cache/graph/:key`). */
export interface GraphEntity {
  readonly key: string
  readonly fields: ReadonlyArray<
    { readonly fieldKey: string; readonly kind: "record" | "link"; readonly value: string }
  >
  readonly reachedBy: ReadonlyArray<string>
}

/** Totals carried by every tick. */
export interface Totals {
  readonly hits: number
  readonly staleHits: number
  readonly misses: number
  readonly fetchFailures: number
  readonly writes: number
  readonly invalidations: number
  readonly expirations: number
}

/** The events of `GET /cache/events`. */
export type CacheEvent =
  | {
    readonly _tag: "tick"
    readonly at: number
    readonly hits: number
    readonly staleHits: number
    readonly misses: number
    readonly fetchFailures: number
    readonly breaker: "closed" | "open"
    readonly hitRatio: number
    readonly totals: Totals
  }
  | {
    readonly _tag: "invalidation"
    readonly at: number
    readonly tags: ReadonlyArray<string>
    readonly mode: "hard" | "soft"
  }
  | { readonly _tag: "fetchFailures"; readonly at: number; readonly count: number }
  | { readonly _tag: "breaker"; readonly at: number; readonly state: "closed" | "open" }

/** A tick event. */
export type Tick = Extract<CacheEvent, { readonly _tag: "tick" }>
