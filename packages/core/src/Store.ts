/**
 * The raw backing store: entries of encoded text under string keys, with the metadata the
 * cache needs to judge freshness and validity. Adapters (memory, SQLite, Redis, Memcached,
 * any `KeyValueStore` through `KvStore`) implement this one service; the typed `Cache` sits above it.
 *
 * @since 0.1.0
 */
import { Context, Data, Effect, Option } from "effect"

import * as TagVersions from "./TagVersions.js"

/**
 * A stored entry. `value` is the Schema-encoded JSON text of the value (or of the typed
 * failure when `failed`); `stamp` is the tag-version counter plus one, read before the fetch
 * started; times are epoch milliseconds, durations milliseconds (`Infinity` for none).
 *
 * @since 0.1.0
 * @category models
 */
export interface Entry {
  readonly value: string
  readonly stamp: number
  readonly createdAt: number
  readonly ttl: number
  readonly grace: number
  readonly tags: ReadonlyArray<string>
  readonly failed: boolean
}

/**
 * The tag versions that decide an entry's validity, one per path of
 * `Tag.prefixesOfAll(entry.tags)`, in that order.
 *
 * @since 0.1.0
 * @category models
 */
export type EntryWithVersions = readonly [Entry, ReadonlyArray<TagVersions.Version>]

/**
 * A stored entry as an in-process store holds it, with a slot the cache may use to keep the
 * decoded value next to the entry (cleared whenever the entry is replaced).
 *
 * @since 0.1.0
 * @category models
 */
export interface Slot {
  readonly entry: Entry
  memo: unknown
}

/**
 * Whether an entry stamped `stamp` still holds under the versions of its tags' prefixes.
 *
 * @since 0.1.0
 * @category models
 */
export type Validity = "valid" | "expired" | "invalidated"

/**
 * Synchronous access to an in-process store, so a cache hit needs no effect of the store's.
 *
 * @since 0.1.0
 * @category models
 */
export interface SyncAccess {
  /** The slot of a key that has not passed `createdAt + ttl + grace` at `now`, touching it for LRU. */
  readonly read: (key: string, now: number) => Slot | undefined
  /** The validity of an entry with these tags and stamp: invalidated, soft-expired, or valid. */
  readonly validity: (tags: ReadonlyArray<string>, stamp: number) => Validity
  /**
   * A number that changes whenever any tag version changes, so a validity found at one value
   * still holds while it stays the same (optional: without it, validity is asked on every hit).
   */
  readonly generation?: () => number
  /**
   * The keys under `prefix`, read by the rest of the key: one lookup, without building the
   * whole key (optional: without it, the cache reads whole keys).
   */
  readonly within?: (prefix: string) => SyncSpace
}

/**
 * What a store that is not in-process holds in-process (a tiered store's memory tier), read
 * synchronously by a caller that may decline (`Cache.peekFresh`): the slot of a key it serves
 * locally now, and an entry's validity when the versions of its tags are known without I/O.
 *
 * @since 0.1.0
 * @category models
 */
export interface SyncPeek {
  /** The local slot of a key the store would serve without asking the remote at `now`. */
  readonly read: (key: string, now: number) => Slot | undefined
  /** The validity of an entry with these tags and stamp, or `undefined` when the store would have to ask. */
  readonly validity: (tags: ReadonlyArray<string>, stamp: number) => Validity | undefined
}

/**
 * The keys of an in-process store under one prefix, read by the rest of the key (the cache
 * reads its own namespace this way on the hit path).
 *
 * @since 0.1.0
 * @category models
 */
export interface SyncSpace {
  /** As `SyncAccess.read`, for the key `prefix + rest`. */
  readonly read: (rest: string, now: number) => Slot | undefined
}

/**
 * A store call failed (connection lost, timeout, server error, value too large...).
 *
 * @since 0.1.0
 * @category errors
 */
export class StoreError extends Data.TaggedError("StoreError")<{
  readonly operation: string
  readonly reason: string
  readonly cause?: unknown
}> {
  override get message(): string {
    return `store ${this.operation} failed: ${this.reason}`
  }
}

/**
 * The real cause behind a store client's error, in a few words: a socket error as its code and
 * address (`ECONNREFUSED 127.0.0.1:6390`), an `AggregateError` (Node tries every address of a
 * host) as its distinct parts, an `UnknownException` (what `Effect.tryPromise` wraps) as the
 * error it wraps, otherwise the message, or the cause when the message is empty.
 *
 * @since 0.1.0
 * @category utils
 */
export const describeCause = (cause: unknown): string => {
  const seen = new Set<unknown>()
  const describe = (value: unknown): string => {
    if (value === null || typeof value !== "object") return String(value)
    if (seen.has(value)) return ""
    seen.add(value)
    const error = value as {
      readonly _tag?: unknown
      readonly code?: unknown
      readonly address?: unknown
      readonly port?: unknown
      readonly errors?: unknown
      readonly error?: unknown
      readonly cause?: unknown
      readonly message?: unknown
    }
    if (typeof error.code === "string" && typeof error.address === "string") {
      return `${error.code} ${error.address}${error.port === undefined ? "" : `:${String(error.port)}`}`
    }
    if (Array.isArray(error.errors) && error.errors.length > 0) {
      return [...new Set(error.errors.map(describe).filter((text) => text !== ""))].join("; ")
    }
    if (error._tag === "UnknownException" && error.error !== undefined) return describe(error.error)
    const message = typeof error.message === "string" ? error.message : ""
    if (message !== "") return message
    if (error.cause !== undefined) return describe(error.cause)
    if (typeof error.code === "string") return error.code
    return String(value)
  }
  return describe(cause)
}

/**
 * What a store holds under a prefix: live entries, their encoded size in bytes, and the
 * creation times (epoch milliseconds) of the oldest and newest of them (`null` when empty).
 *
 * @since 0.1.0
 * @category models
 */
export interface Usage {
  readonly entries: number
  readonly bytes: number
  readonly oldestCreatedAt: number | null
  readonly newestCreatedAt: number | null
}

/**
 * A store call ran past the cache's store timeout (the cache then fails open).
 *
 * @since 0.1.0
 * @category errors
 */
export class StoreTimeout extends Data.TaggedError("StoreTimeout")<{
  readonly operation: string
  readonly timeoutMillis: number
}> {
  override get message(): string {
    return `store ${this.operation} timed out after ${this.timeoutMillis} ms`
  }
}

/**
 * A store call was skipped because the cache's circuit breaker is open.
 *
 * @since 0.1.0
 * @category errors
 */
export class BreakerOpen extends Data.TaggedError("BreakerOpen")<{
  readonly operation: string
}> {
  override get message(): string {
    return `store ${this.operation} skipped: circuit breaker open`
  }
}

/**
 * Why a guarded store call failed: the adapter's own error (`StoreError`), the store timeout
 * (`StoreTimeout`), or the open breaker (`BreakerOpen`). Match on `_tag`, never on messages.
 *
 * @since 0.1.0
 * @category errors
 */
export type StoreFailure = StoreError | StoreTimeout | BreakerOpen

/**
 * What a backing store provides.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** A short name for logs, stats and the admin API (`memory`, `sqlite`, `redis`...). */
  readonly name: string
  /** True when calls complete in-process without I/O, so the cache skips timeouts and the breaker. */
  readonly local: boolean
  readonly get: (key: string) => Effect.Effect<Option.Option<Entry>, StoreError>
  readonly getMany: (keys: ReadonlyArray<string>) => Effect.Effect<ReadonlyArray<Option.Option<Entry>>, StoreError>
  /** Stores an entry; the store may drop it once `createdAt + ttl + grace` has passed. */
  readonly set: (key: string, entry: Entry) => Effect.Effect<void, StoreError>
  readonly setMany: (entries: ReadonlyArray<readonly [string, Entry]>) => Effect.Effect<void, StoreError>
  /** Removes a key; true when it existed. */
  readonly delete: (key: string) => Effect.Effect<boolean, StoreError>
  /** Removes keys; how many existed. */
  readonly deleteMany: (keys: ReadonlyArray<string>) => Effect.Effect<number, StoreError>
  /** Removes every key that starts with `prefix` (a namespace); how many were removed. */
  readonly clear: (prefix: string) => Effect.Effect<number, StoreError>
  /** Lists at most `limit` keys starting with `prefix`, for inspection (order unspecified). */
  readonly keys: (
    options: { readonly prefix: string; readonly limit: number }
  ) => Effect.Effect<ReadonlyArray<string>, StoreError>
  /**
   * Reads at most `limit` keys starting with `prefix` together with their entries, in one pass
   * (one SQL query on SQLite; `SCAN` with each batch's `MGET` pipelined on Redis), for inspection
   * (order unspecified). With `tag`, only entries carrying that tag or a descendant are returned
   * (the store may skip decoding the others, see {@link mayCarryTag}); `scanned` still counts
   * every key read. When absent, the cache lists `keys`, then reads them with `getMany`.
   */
  readonly listEntries?: (options: ListOptions) => Effect.Effect<Listed, StoreError>
  /**
   * Reads an entry and the versions of its tag paths in one round trip, where the adapter can.
   * When absent the cache calls `get`, then `TagVersions.versions`.
   */
  readonly getWithVersions?: (key: string) => Effect.Effect<Option.Option<EntryWithVersions>, StoreError>
  /** For in-process stores: synchronous access for the cache's hit path. */
  readonly sync?: SyncAccess
  /** For stores with an in-process tier: what that tier can tell synchronously (`Cache.peekFresh`). */
  readonly syncPeek?: SyncPeek
  /**
   * What the store holds under a prefix (a namespace), for operators (`cachet stats`); only
   * stores that can tell with one query provide it.
   */
  readonly usage?: (prefix: string) => Effect.Effect<Usage, StoreError>
}

/**
 * What `Store.listEntries` reads: at most `limit` keys under `prefix`, and with `tag` only the
 * entries carrying it or a descendant.
 *
 * @since 0.1.0
 * @category models
 */
export interface ListOptions {
  readonly prefix: string
  readonly limit: number
  readonly tag?: string | undefined
}

/**
 * What `Store.listEntries` found: how many keys it read, and the live entries among them
 * (those matching the tag, when one was given), each with its store key.
 *
 * @since 0.1.0
 * @category models
 */
export interface Listed {
  readonly scanned: number
  readonly entries: ReadonlyArray<readonly [string, Entry]>
}

/**
 * Whether an entry carries `tag` or a descendant of it (`users` covers `users/1`).
 *
 * @since 0.1.0
 * @category getters
 */
export const carriesTag = (entry: Entry, tag: string): boolean =>
  entry.tags.some((t) => t === tag || t.startsWith(tag + "/"))

/**
 * The text an entry written by {@link encodeEntry} must contain to carry `tag` or a descendant:
 * the tag as a JSON string without its closing quote. A store can skip decoding entries whose
 * text lacks it (the value may contain it too: decode and check {@link carriesTag} after).
 *
 * @since 0.1.0
 * @category encoding
 */
export const tagNeedle = (tag: string): string => JSON.stringify(tag).slice(0, -1)

/**
 * Whether an entry's encoded text may carry `tag` or a descendant (false: it surely does not).
 *
 * @since 0.1.0
 * @category encoding
 */
export const mayCarryTag = (text: string, tag: string): boolean => text.includes(tagNeedle(tag))

/**
 * The `Store` service tag.
 *
 * @since 0.1.0
 * @category tags
 */
export class Store extends Context.Tag("@cachet/core/Store")<Store, Service>() {}

/**
 * A backend: a store with the tag versions that judge its entries, what every store adapter's
 * `make` returns (`MemoryStore`, `SqliteStore`, `RedisStore`, `MemcachedStore`, a tier).
 *
 * @since 0.1.0
 * @category models
 */
export interface Backend {
  readonly store: Service
  readonly tagVersions: TagVersions.Service
}

/**
 * A backend's two services as a context, for composing it into layers:
 * `Layer.scopedContext(Effect.map(MemoryStore.make(), Store.context))`.
 *
 * @since 0.1.0
 * @category layers
 */
export const context = (backend: Backend): Context.Context<Store | TagVersions.TagVersions> =>
  Context.make(Store, backend.store).pipe(Context.add(TagVersions.TagVersions, backend.tagVersions))

/**
 * When the store may drop an entry: past its grace period.
 *
 * @since 0.1.0
 * @category getters
 */
export const expiresAt = (entry: Entry): number => entry.createdAt + entry.ttl + entry.grace

/**
 * The entry's size as the memory store counts it: UTF-16 code units of its key and value.
 *
 * @since 0.1.0
 * @category getters
 */
export const sizeOf = (key: string, entry: Entry): number => key.length + entry.value.length

/**
 * Writes an entry as one JSON text, for adapters that store entries as strings.
 *
 * @since 0.1.0
 * @category encoding
 */
export const encodeEntry = (entry: Entry): string =>
  JSON.stringify([
    1,
    entry.value,
    entry.stamp,
    entry.createdAt,
    finiteOrNull(entry.ttl),
    finiteOrNull(entry.grace),
    entry.tags,
    entry.failed ? 1 : 0
  ])

/**
 * Reads an entry written by {@link encodeEntry}; malformed text is `None`.
 *
 * @since 0.1.0
 * @category encoding
 */
export const decodeEntry = (text: string): Option.Option<Entry> => {
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch {
    return Option.none()
  }
  if (!Array.isArray(raw) || raw.length !== 8 || raw[0] !== 1) return Option.none()
  const [, value, stamp, createdAt, ttl, grace, tags, failed] = raw as Array<unknown>
  if (
    typeof value !== "string" || typeof stamp !== "number" || typeof createdAt !== "number" ||
    !(ttl === null || typeof ttl === "number") || !(grace === null || typeof grace === "number") ||
    !Array.isArray(tags) || !tags.every((t) => typeof t === "string") || (failed !== 0 && failed !== 1)
  ) return Option.none()
  return Option.some({
    value,
    stamp,
    createdAt,
    ttl: ttl ?? Infinity,
    grace: grace ?? Infinity,
    tags: tags as Array<string>,
    failed: failed === 1
  })
}

const finiteOrNull = (n: number): number | null => (Number.isFinite(n) ? n : null)

/**
 * Builds a `Store` value, filling `getMany`/`setMany`/`deleteMany` from the single-key calls
 * where an adapter has no batch form.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  store:
    & Omit<Service, "getMany" | "setMany" | "deleteMany">
    & Partial<Pick<Service, "getMany" | "setMany" | "deleteMany">>
): Service => ({
  ...store,
  getMany: store.getMany ?? ((keys) => Effect.forEach(keys, store.get)),
  setMany: store.setMany ??
    ((entries) => Effect.forEach(entries, ([key, entry]) => store.set(key, entry), { discard: true })),
  deleteMany: store.deleteMany ??
    ((keys) => Effect.forEach(keys, store.delete).pipe(Effect.map((found) => found.filter(Boolean).length)))
})
