/**
 * The typed read-through cache: `getOrFetch(key, fetch, options)` over any `Store` and
 * `TagVersions`, with hierarchical tags, TTL and grace (stale-while-revalidate,
 * stale-if-error), hard and soft invalidation, single-flight, fetch timeouts, store timeouts
 * that fail open behind a circuit breaker, policies, batches and failure caching.
 *
 * @since 0.1.0
 */
import type { Duration, Effect, Exit, Option, Queue, Schema, Scope } from "effect"
import { Context, Effect as EffectModule, Layer } from "effect"

import type { EntryInfo, Stats } from "./CacheInfo.js"
import type * as Codec from "./Codec.js"
import * as internal from "./internal/cache.js"
import type * as Key from "./Key.js"
import type * as Lock from "./Lock.js"
import type * as Policy from "./Policy.js"
import type * as Store from "./Store.js"
import type * as Tag from "./Tag.js"
import type * as TagVersions from "./TagVersions.js"

/**
 * A fetch ran past its hard timeout and was interrupted.
 *
 * @since 0.1.0
 * @category errors
 */
export const FetchTimeoutError: typeof internal.FetchTimeoutError = internal.FetchTimeoutError

/**
 * @since 0.1.0
 * @category errors
 */
export type FetchTimeoutError = internal.FetchTimeoutError

/**
 * Settings of a cache: where its keys live and its defaults.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Prefix of every key (default `"cachet"`). */
  readonly namespace?: string
  /** Bumping it busts every entry of the namespace (default `"1"`). */
  readonly version?: string | number
  /** How long an entry is fresh (default 5 minutes). */
  readonly ttl?: Duration.DurationInput
  /** How long past its ttl an entry may still be served while it is refreshed (default 0). */
  readonly grace?: Duration.DurationInput
  /**
   * After a background refresh of an entry in grace fails, how long its stale value is served
   * without calling the fetch again (default 5 seconds; zero retries on the next read).
   */
  readonly graceBackoff?: Duration.DurationInput
  /** Longest wait for any store call before failing open (default 500 ms). */
  readonly storeTimeout?: Duration.DurationInput
  /** Off: every call fetches and nothing is stored (default on). */
  readonly enabled?: boolean
  /** Consecutive store failures that open the circuit breaker (default 5). */
  readonly breakerThreshold?: number
  /**
   * The longest wait between two probes of an open circuit breaker (default 1 second): probes
   * start sooner (an eighth of it) and back off, jittered, up to it.
   */
  readonly breakerCooldown?: Duration.DurationInput
  /** Cross-process lock timings, used when a `Lock` is provided. */
  readonly lock?: Lock.Options
  /**
   * Longest wait between two replays of an invalidation the store did not acknowledge
   * (default 1 second; the first replays come sooner: 50 ms, doubling).
   */
  readonly invalidationRetry?: Duration.DurationInput
  /**
   * Told of every store call that failed or timed out (what `stats.storeErrors` counts), as it
   * happens: to log or alert on it elsewhere than in Effect's logs. Called synchronously; it must
   * not throw.
   */
  readonly onStoreError?: (error: Store.StoreError | Store.StoreTimeout) => void
}

/**
 * Hard and soft fetch timeouts: past `soft` a caller gets the in-grace value (if any) while the
 * fetch goes on and still writes; past `hard` the fetch is interrupted and fails with
 * {@link FetchTimeoutError}.
 *
 * @since 0.1.0
 * @category models
 */
export interface Timeout {
  readonly soft?: Duration.DurationInput
  readonly hard?: Duration.DurationInput
}

/**
 * Caching of typed failures (negative caching of e.g. `NotFound`), with their own ttl.
 *
 * @since 0.1.0
 * @category models
 */
export interface FailureCaching<E, EI> {
  /** Encodes the failure for the store. */
  readonly schema: Schema.Schema<E, EI, never>
  /** How long a failure is cached (default 30 seconds). */
  readonly ttl?: Duration.DurationInput
  /** Cache only failures for which this holds (default all). */
  readonly when?: (error: E) => boolean
}

/**
 * Options of one read-through call.
 *
 * @since 0.1.0
 * @category models
 */
export interface FetchOptions<A, I, E, EI, P extends Policy.Policy, T extends Timeout, RC> {
  /** The value's Schema: how it is encoded in the store (default: plain JSON). */
  readonly schema?: Schema.Schema<A, I, never>
  /** How long the value is fresh, or a function of the fetch's outcome. */
  readonly ttl?: Duration.DurationInput | ((exit: Exit.Exit<A, E>) => Duration.DurationInput)
  /** How long past its ttl the value may still be served while it is refreshed. */
  readonly grace?: Duration.DurationInput
  /** After a failed background refresh, how long the stale value is served without fetching again. */
  readonly graceBackoff?: Duration.DurationInput
  /** The entry's tags, given or computed from the fetch's outcome. */
  readonly tags?: Tag.Input | ((exit: Exit.Exit<A, E>) => Tag.Input)
  /** The read policy (default `CacheOrNetwork`). */
  readonly policy?: P
  /** Store the value only if this holds (conditional caching). */
  readonly when?: (value: A) => boolean
  /** Fetch timeouts. */
  readonly timeout?: T
  /** Cache typed failures too. */
  readonly failures?: FailureCaching<E, EI>
  /** A key part taken from the context (e.g. the current user's id) for per-context entries. */
  readonly context?: Effect.Effect<Key.Part, never, RC>
  /**
   * Told how this read was served (policy `CacheOrNetwork`): `hit`, `stale` or `miss`, with the
   * entry's age — what an HTTP layer needs for `X-Cache` and `Age`. Not told when the cache is
   * off, nor when the request memo answers (`withRequestMemo`). A read without it pays nothing.
   */
  readonly onServed?: (served: Served) => void
}

/**
 * The error a read adds to the fetch's own: a timeout error when a hard timeout is set.
 *
 * @since 0.1.0
 * @category models
 */
export type TimeoutErrorOf<T> = T extends { readonly hard: Duration.DurationInput } ? FetchTimeoutError : never

/**
 * Options of a write or a plain read.
 *
 * @since 0.1.0
 * @category models
 */
export interface EntryOptions<A, I> {
  readonly schema?: Schema.Schema<A, I, never>
  readonly ttl?: Duration.DurationInput
  readonly grace?: Duration.DurationInput
  readonly tags?: Tag.Input
}

export {
  /**
   * Everything known about one entry, as a Schema (`CacheInfo.EntryInfo`).
   *
   * @since 0.1.0
   * @category models
   */
  EntryInfo,
  /**
   * The state of an entry, as a Schema (`CacheInfo.State`).
   *
   * @since 0.1.0
   * @category models
   */
  State,
  /**
   * Counters since the cache was built, as a Schema (`CacheInfo.Stats`).
   *
   * @since 0.1.0
   * @category models
   */
  Stats
} from "./CacheInfo.js"

/**
 * An invalidation (`hard`) or expiry (`soft`) of tags this cache performed.
 *
 * @since 0.1.0
 * @category models
 */
export interface Invalidation {
  readonly tags: ReadonlyArray<string>
  readonly mode: "hard" | "soft"
}

/**
 * How one read was served (told to its `onServed`): from a fresh entry (`hit`), from an entry
 * in grace while it is refreshed (`stale`), or by a fetch this call ran or joined (`miss`),
 * with the entry's age.
 *
 * @since 0.1.0
 * @category models
 */
export interface Served {
  readonly outcome: "hit" | "stale" | "miss"
  readonly key: string
  readonly createdAt: number
  readonly ageMillis: number
}

/**
 * A fresh hit read synchronously (`peekFresh`): the value, when its entry was written, and its
 * age by the cache's clock (what a `Served` report of the same hit says).
 *
 * @since 0.1.0
 * @category models
 */
export interface Peeked<A> {
  readonly value: A
  readonly createdAt: number
  readonly ageMillis: number
}

/**
 * Runs an effect with a request-local memo: inside it, each key's first successful
 * `CacheOrNetwork` read (including `QueryCache` methods) is remembered, and later reads of that
 * key return the same value without reading the store again (graphql-ruby-fragment_cache's
 * request memo; what a request handler that resolves one entity many times wants). A `set`,
 * `delete`, `invalidate` or `expire` inside the region forgets everything remembered.
 *
 * @since 0.1.0
 * @category combinators
 */
export const withRequestMemo = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  EffectModule.suspend(() => EffectModule.locally(effect, internal.requestMemo, new Map()))

/**
 * Options of `getOrFetchMany`: the key of each item, and the per-entry options.
 *
 * @since 0.1.0
 * @category models
 */
export interface ManyOptions<K, A, I> extends EntryOptions<A, I> {
  readonly key: (item: K) => Key.Input
  readonly tagsOf?: (item: K, value: A) => Tag.Input
}

/**
 * One value of a `setMany` write.
 *
 * @since 0.1.0
 * @category models
 */
export interface ManyEntry<A> {
  readonly key: Key.Input
  readonly value: A
  readonly ttl?: Duration.DurationInput
  readonly grace?: Duration.DurationInput
  readonly tags?: Tag.Input
}

/**
 * What `Cache.inspectListing` read: how many keys (`scanned`), and what `inspect` tells of the
 * entries among them (order unspecified).
 *
 * @since 0.1.0
 * @category models
 */
export interface EntryListing {
  readonly scanned: number
  readonly entries: ReadonlyArray<EntryInfo>
}

/**
 * The cache service.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** The namespace prefix of every store key (`namespace:version:`). */
  readonly prefix: string
  /** The ttl and grace an entry gets when its call names none. */
  readonly defaults?: { readonly ttl: Duration.Duration; readonly grace: Duration.Duration }
  /**
   * Reads through the cache: the cached value when fresh (or in grace, refreshing it in the
   * background), otherwise runs `fetch` once for all concurrent callers and stores its result.
   *
   * With a `schema`, any value the schema encodes. Without one the value is stored as JSON, so it
   * must be JSON-safe (`Codec.JsonSafe`: no `Date`, class instance with methods, `bigint`, ...,
   * a compile error otherwise), and a miss returns the value as its JSON reads back — deeply
   * frozen, exactly what a later hit returns.
   */
  readonly getOrFetch: {
    <A, E, R, I, EI = E, P extends Policy.Policy = "CacheOrNetwork", T extends Timeout = {}, RC = never>(
      key: Key.Input,
      fetch: Effect.Effect<A, E, R>,
      options: FetchOptions<A, I, E, EI, P, T, RC> & { readonly schema: Schema.Schema<A, I, never> }
    ): Policy.Result<P, A, E | TimeoutErrorOf<T>, R | RC>
    <A, E, R, EI = E, P extends Policy.Policy = "CacheOrNetwork", T extends Timeout = {}, RC = never>(
      key: Key.Input,
      fetch: Effect.Effect<A, E, R> & Codec.JsonOnly<A>,
      options?: FetchOptions<A, A, E, EI, P, T, RC> & { readonly schema?: undefined }
    ): Policy.Result<P, A, E | TimeoutErrorOf<T>, R | RC>
  }
  /** The cached value, if fresh or in grace. */
  readonly get: <A, I = A>(key: Key.Input, options?: EntryOptions<A, I>) => Effect.Effect<Option.Option<A>>
  /** Stores a value. */
  readonly set: <A, I = A>(key: Key.Input, value: A, options?: EntryOptions<A, I>) => Effect.Effect<void>
  /**
   * The stamp of a value whose computation starts now: pass it to `setMany` so that an
   * invalidation that ran while the value was computed wins over the write (-1 when the tag
   * versions cannot be read: such a value is not written).
   */
  readonly stamp: Effect.Effect<number>
  /**
   * Stores many values in one store round trip, each with its own ttl, grace and tags, dated by
   * `stamp` (default: now).
   */
  readonly setMany: <A, I = A>(
    entries: ReadonlyArray<ManyEntry<A>>,
    options?: { readonly schema?: Schema.Schema<A, I, never>; readonly stamp?: number }
  ) => Effect.Effect<void>
  /** Removes an entry (RedwoodJS's `deleteCacheKey`); true when it existed. */
  readonly delete: (key: Key.Input) => Effect.Effect<boolean>
  /**
   * Hard invalidation: entries under these tags (or their descendants) are never served again.
   *
   * It does not fail when the store is down or its circuit breaker is open: the invalidation
   * is then *deferred* — logged, counted (`stats.deferredInvalidations`,
   * `stats.pendingInvalidations`), honoured at once by this cache (it serves and writes no
   * entry the invalidation covers) and replayed to the store in the background until the store
   * acknowledges it. {@link Service.awaitPendingInvalidations} waits for that acknowledgement,
   * after which every process sharing the store sees it.
   *
   * So it has no error channel. The one write that is taken yet not durable is on a Redis
   * Cluster whose tag-versions master has a replica: a bump no replica acknowledged (`WAIT 1`)
   * within `replicaAckTimeout` could be lost in a failover, so it is deferred too and replayed
   * until one does — `awaitPendingInvalidations` tells when it is safe.
   */
  readonly invalidate: (tags: Tag.Input) => Effect.Effect<void>
  /**
   * Soft expiry: entries under these tags count as expired now, so grace still applies. Never
   * fails: deferred and replayed like `invalidate` when the store is down or (Redis Cluster) no
   * replica acknowledged it.
   */
  readonly expire: (tags: Tag.Input) => Effect.Effect<void>
  /**
   * Waits until every invalidation, expiry and delete deferred so far has been acknowledged by
   * the store (at once when none is pending). Bound it with `Effect.timeout` where a caller
   * must know, e.g. before a short-lived process exits.
   */
  readonly awaitPendingInvalidations: Effect.Effect<void>
  /** Reads many keys in one store round trip. */
  readonly getMany: <A, I = A>(
    keys: ReadonlyArray<Key.Input>,
    options?: EntryOptions<A, I>
  ) => Effect.Effect<ReadonlyArray<Option.Option<A>>>
  /**
   * Reads many items in one round trip and fetches only the misses, in one batched call. Without
   * a `schema` the values must be JSON-safe and the fetched ones are returned as their JSON
   * reads back, like `getOrFetch`'s.
   */
  readonly getOrFetchMany: {
    <K, A, E, R, I>(
      items: ReadonlyArray<K>,
      fetchMany: (missing: ReadonlyArray<K>) => Effect.Effect<ReadonlyArray<A>, E, R>,
      options: ManyOptions<K, A, I> & { readonly schema: Schema.Schema<A, I, never> }
    ): Effect.Effect<ReadonlyArray<A>, E, R>
    <K, A, E, R>(
      items: ReadonlyArray<K>,
      fetchMany: (missing: ReadonlyArray<K>) => Effect.Effect<ReadonlyArray<A>, E, R> & Codec.JsonOnly<A>,
      options: ManyOptions<K, A, A> & { readonly schema?: undefined }
    ): Effect.Effect<ReadonlyArray<A>, E, R>
  }
  /**
   * Keys a fetch by the latest version of a row set (RedwoodJS's `cacheFindMany`): `latest`
   * reads e.g. the newest `updatedAt` and the count, so any change to the set is a new key.
   * Without a `schema` the value must be JSON-safe, as for `getOrFetch`.
   */
  readonly findMany: {
    <A, E, R, E2, R2, I>(
      key: Key.Input,
      latest: Effect.Effect<Key.Part, E2, R2>,
      fetch: Effect.Effect<A, E, R>,
      options: EntryOptions<A, I> & { readonly schema: Schema.Schema<A, I, never> }
    ): Effect.Effect<A, E | E2, R | R2>
    <A, E, R, E2, R2>(
      key: Key.Input,
      latest: Effect.Effect<Key.Part, E2, R2>,
      fetch: Effect.Effect<A, E, R> & Codec.JsonOnly<A>,
      options?: EntryOptions<A, A> & { readonly schema?: undefined }
    ): Effect.Effect<A, E | E2, R | R2>
  }
  /**
   * The cache's hit path as one synchronous call, for code that runs outside any fiber (an HTTP
   * front door): the value under `key` when a `CacheOrNetwork` read would serve it now as a
   * fresh hit without I/O — an in-process store, or the memory tier of a `TieredStore` with the
   * versions of the entry's tags held current (the bus keeps both coherent), the entry fresh and
   * its tags valid, no invalidation pending — counted as a hit; `undefined` otherwise (a miss, a stale,
   * invalidated or corrupt entry, a cached failure, a store that cannot be read synchronously,
   * the cache off): then read through `getOrFetch`, which judges it in full.
   */
  readonly peekFresh: <A, I>(key: Key.Input, schema: Schema.Schema<A, I, never>) => Peeked<A> | undefined
  /** Everything known about one entry. */
  readonly inspect: (key: Key.Input) => Effect.Effect<Option.Option<EntryInfo>>
  /**
   * What `inspect` tells, for many keys at once (in their order): one read of the entries
   * (`Store.getMany`: one `MGET` on Redis) and one of their tags' versions — what listing
   * pages read, instead of a round trip per key. Nothing for every key when the store fails.
   */
  readonly inspectMany: (keys: ReadonlyArray<Key.Input>) => Effect.Effect<ReadonlyArray<Option.Option<EntryInfo>>>
  /**
   * What `inspect` tells of the entries under a key prefix (namespace prefix removed from
   * `prefix`), read in one pass where the store lists entries (`Store.listEntries`: one SQL
   * query on SQLite, `SCAN` with pipelined `MGET`s on Redis) plus one read of their tags'
   * versions: at most `limit` keys read (`scanned`), and with `tag` only the entries carrying it
   * or a descendant. `None` when the store cannot list entries (list `keys` and read them with
   * `inspectMany` instead). Fails when the store fails, times out or is skipped.
   */
  readonly inspectListing: (
    options: { readonly prefix?: string | undefined; readonly limit: number; readonly tag?: string | undefined }
  ) => Effect.Effect<Option.Option<EntryListing>, Store.StoreFailure>
  /** Keys of this namespace (namespace prefix removed), at most `limit`. */
  readonly keys: (
    options?: { readonly prefix?: string; readonly limit?: number }
  ) => Effect.Effect<ReadonlyArray<string>>
  /** Removes every entry of this namespace; how many. Fails if the store fails, times out or is skipped. */
  readonly clear: Effect.Effect<number, Store.StoreFailure>
  /** Counters since the cache was built. */
  readonly stats: Effect.Effect<Stats>
  /**
   * Subscribes, for the scope's lifetime, to the invalidations and expiries this cache performs
   * from now on (so a normalized graph can follow the cache's tags).
   */
  readonly invalidations: Effect.Effect<Queue.Dequeue<Invalidation>, never, Scope.Scope>
}

/**
 * The `Cache` service tag.
 *
 * @since 0.1.0
 * @category tags
 */
export class Cache extends Context.Tag("@cachet/core/Cache")<Cache, Service>() {}

/**
 * Builds a cache over the `Store` and `TagVersions` in context (and a `Lock`, if one is).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (options?: Options) => Effect.Effect<
  Service,
  never,
  Store.Store | TagVersions.TagVersions | Scope.Scope
> = internal.make

/**
 * A cache layer over the `Store` and `TagVersions` in context.
 *
 * @example
 * ```ts
 * import { Cache, MemoryStore } from "@cachet/core"
 * import { Effect, Layer, Schema } from "effect"
 *
 * const CacheLive = Cache.layer({ namespace: "blog", ttl: "5 minutes", grace: "1 minute" }).pipe(
 *   Layer.provide(MemoryStore.layer())
 * )
 *
 * const program = Effect.gen(function*() {
 *   const cache = yield* Cache.Cache
 *   const findUser = Effect.succeed({ id: "1", name: "Ada" })
 *   // A miss runs the lookup once and stores its encoded result; later calls read the cache.
 *   return yield* cache.getOrFetch(["users", "1"], findUser, {
 *     schema: Schema.Struct({ id: Schema.String, name: Schema.String }),
 *     tags: ["users/1"]
 *   })
 * })
 *
 * export const result = await Effect.runPromise(program.pipe(Effect.provide(CacheLive)))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options = {}): Layer.Layer<Cache, never, Store.Store | TagVersions.TagVersions> =>
  Layer.scoped(Cache, internal.make(options))
