/**
 * The models t87s's adapters and query results share.
 *
 * @since 0.1.0
 */

/**
 * A cached entry as adapters store it; times are epoch milliseconds. `graceUntil` is `null`
 * when the entry has no grace period.
 *
 * @since 0.1.0
 * @category models
 */
export interface CacheEntry<T> {
  value: T
  tags: Array<Array<string>>
  createdAt: number
  expiresAt: number
  graceUntil: number | null
}

/**
 * What a query saw: the entry before it ran (`null` on a miss) and the entry it returned
 * (the same object as `before` when that was served).
 *
 * @since 0.1.0
 * @category models
 */
export interface EntriesResult<T> {
  before: CacheEntry<T> | null
  after: CacheEntry<T>
}

/**
 * A query's result: await it for the value, or await its `entries` for the entries.
 * Nothing runs until one of them is awaited.
 *
 * @since 0.1.0
 * @category models
 */
export interface QueryPromise<T> extends PromiseLike<T> {
  readonly entries: PromiseLike<EntriesResult<T>>
}

/**
 * Where entries and tag invalidation times live. `MemoryAdapter` and `CachetAdapter`
 * implement it; any object with these methods can be an adapter.
 *
 * @since 0.1.0
 * @category models
 */
export interface StorageAdapter {
  get<T>(key: string): Promise<CacheEntry<T> | null>
  set<T>(key: string, entry: CacheEntry<T>): Promise<void>
  delete(key: string): Promise<void>
  /** When the tag was last invalidated (epoch milliseconds), or `null` when never. */
  getTagInvalidationTime(tag: Array<string>): Promise<number | null>
  /**
   * Optional (Cachet's addition): the invalidation times of several tags, in order, in one round
   * trip. Without it each tag is read with `getTagInvalidationTime` (all at once).
   */
  getTagInvalidationTimes?(tags: Array<Array<string>>): Promise<ReadonlyArray<number | null>>
  setTagInvalidationTime(tag: Array<string>, timestamp: number): Promise<void>
  clear(): Promise<void>
  disconnect(): Promise<void>
  /** Optional: told whether a cached value still matched a fresh one (t87s's verification). */
  reportVerification?(key: string, isStale: boolean, cachedHash: string, freshHash: string): Promise<void>
}

/**
 * What `onRefresh` receives after a background refresh: the value served stale, the fresh
 * one, and whether their JSON differs.
 *
 * @since 0.1.0
 * @category models
 */
export interface RefreshResult<T> {
  old: T
  new: T
  changed: boolean
}
