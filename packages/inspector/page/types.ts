/** The JSON forms of the admin group's answers that the page reads (`@cachet/api`'s `CacheApi` and `CacheBrowse`). */
import type * as CacheInfo from "@cachet/core/CacheInfo"

/** Counters of the cache (`GET /cache/stats`): core's `Cache.Stats` and the hit ratio. */
export interface Stats extends CacheInfo.Stats {
  readonly hitRatio: number
}

/** The state of an entry (core's `Cache.State`: fresh, stale, expired, invalidated). */
export type State = CacheInfo.State

/** A table row (`GET /cache/search`). */
export type EntrySummary = Pick<
  CacheInfo.EntryInfo,
  "key" | "tags" | "createdAt" | "ageMillis" | "ttlMillis" | "graceMillis" | "state" | "failed" | "size"
>

/** One entry with its value (`GET /cache/entries/:key`): core's `Cache.EntryInfo`. */
export type EntryInfo = CacheInfo.EntryInfo

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
