/**
 * The primitives under a `QueryCache`: read-through `query` with single-flight, TTL, grace
 * (stale-while-revalidate) and `onRefresh`; raw `get`/`set`/`del`; hierarchical and exact tag
 * invalidation. They run over any {@link StorageAdapter}.
 *
 * @since 0.1.0
 */
import type { Duration } from "./Duration.js"
import { parseDuration } from "./Duration.js"
import type { CacheEntry, EntriesResult, QueryPromise, RefreshResult, StorageAdapter } from "./Types.js"

/**
 * How `createPrimitives` is set up.
 *
 * @since 0.1.0
 * @category models
 */
export interface PrimitivesOptions {
  adapter: StorageAdapter
  /** Prepended to every key as `prefix:` (default `t87s`), so several users can share an adapter. */
  prefix?: string
  /** The TTL of a `query` without its own (default `"30s"`). */
  defaultTtl?: Duration
  /** The grace of a `query` without its own (default `false`: none). */
  defaultGrace?: Duration | false
  /** The share of fresh hits re-fetched to check them, when the adapter takes reports (0..1, default 0.1). */
  verifyPercent?: number
}

/**
 * Options of a raw `set`.
 *
 * @since 0.1.0
 * @category models
 */
export interface SetOptions {
  tags: Array<Array<string>>
  ttl: Duration
  /** Default 0 (no grace); `false` also means none. */
  grace?: Duration | false
}

/**
 * A read-through query.
 *
 * @since 0.1.0
 * @category models
 */
export interface QueryOptions<T> {
  key: string
  tags: Array<Array<string>>
  fn: () => Promise<T>
  ttl?: Duration
  /** Grace after the TTL, during which the old value is served while one refresh runs; `false` for none. */
  grace?: Duration | false
  /** Called after a background refresh; its exceptions are swallowed. */
  onRefresh?(result: RefreshResult<T>): void
}

/**
 * The primitive operations.
 *
 * @since 0.1.0
 * @category models
 */
export interface Primitives {
  /** The cached value, fetching it with `fn` when missing, expired past grace or invalidated. */
  query<T>(options: QueryOptions<T>): Promise<T>
  /** As `query`, returning the entry before and after. */
  queryWithEntries<T>(options: QueryOptions<T>): Promise<EntriesResult<T>>
  /** The value, or `null` when missing, expired past its grace, or invalidated. */
  get<T>(key: string): Promise<T | null>
  set<T>(key: string, value: T, options: SetOptions): Promise<void>
  del(key: string): Promise<void>
  /** Invalidates entries tagged with these tags or (unless `exact`) any tag below them. */
  invalidate(tags: Array<Array<string>>, exact?: boolean): Promise<void>
  /** Clears the adapter. */
  clear(): Promise<void>
  /** Disconnects the adapter. */
  disconnect(): Promise<void>
}

/** The suffix marking an exact invalidation of a tag (its descendants stay valid). */
const exactMarker = "__exact__"

/** djb2 over the JSON text: the hash verification reports carry. */
const hash = (text: string): string => {
  let h = 5381
  for (let i = 0; i < text.length; i++) h = (h * 33) ^ text.charCodeAt(i)
  return (h >>> 0).toString(16).padStart(8, "0")
}

const jsonOf = (value: unknown): string => JSON.stringify(value) ?? "undefined"

/**
 * A {@link QueryPromise}: `then` runs `value` once, `entries` runs `entries` once; nothing runs
 * before either is used.
 *
 * @since 0.1.0
 * @category constructors
 */
export const createQueryPromise = <T>(
  value: () => Promise<T>,
  entries: () => Promise<EntriesResult<T>>
): QueryPromise<T> => {
  let valueRun: Promise<T> | undefined
  let entriesRun: Promise<EntriesResult<T>> | undefined
  return {
    then: (onfulfilled, onrejected) => (valueRun ??= value()).then(onfulfilled, onrejected),
    get entries() {
      return (entriesRun ??= entries())
    }
  }
}

/**
 * Builds the primitives over an adapter.
 *
 * @example
 * ```ts
 * import { createPrimitives, MemoryAdapter } from "@cachet/t87s"
 *
 * const cache = createPrimitives({ adapter: new MemoryAdapter(), defaultTtl: "1m" })
 *
 * export const user = await cache.query({
 *   key: "user:1",
 *   tags: [["users", "1"]],
 *   fn: async () => ({ id: "1", name: "Ada" })
 * })
 * await cache.invalidate([["users"]]) // every user entry refetches next time
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const createPrimitives = (options: PrimitivesOptions): Primitives => {
  const adapter = options.adapter
  const prefix = options.prefix ?? "t87s"
  const defaultTtl = parseDuration(options.defaultTtl ?? "30s")
  const defaultGrace = options.defaultGrace === undefined || options.defaultGrace === false
    ? false
    : parseDuration(options.defaultGrace)
  const verifyPercent = options.verifyPercent ?? 0.1
  if (!(verifyPercent >= 0 && verifyPercent <= 1)) throw new Error("verifyPercent must be between 0 and 1")

  /** Reads in flight per key: concurrent `query` calls share one. */
  const reading = new Map<string, Promise<unknown>>()
  /** Background refreshes in flight per key: one at a time, whoever finds the entry in grace. */
  const refreshing = new Map<string, Promise<CacheEntry<unknown>>>()

  const keyOf = (key: string) => `${prefix}:${key}`

  const makeEntry = <T>(value: T, tags: Array<Array<string>>, now: number, ttl: number, grace: number | false) => ({
    value,
    tags,
    createdAt: now,
    expiresAt: now + ttl,
    graceUntil: grace === false ? null : now + ttl + grace
  })

  /** The invalidation times of these paths: one batch where the adapter has it, else all reads at once. */
  const timesOf = (paths: Array<Array<string>>): Promise<ReadonlyArray<number | null>> =>
    adapter.getTagInvalidationTimes !== undefined
      ? adapter.getTagInvalidationTimes(paths)
      : Promise.all(paths.map((path) => adapter.getTagInvalidationTime(path)))

  /** Invalidated when a tag, any prefix of it, or the tag exactly was invalidated at or after the entry's creation. */
  const invalidated = async (entry: CacheEntry<unknown>): Promise<boolean> => {
    const paths = entry.tags.flatMap((tag) => [[...tag, exactMarker], ...tag.map((_, i) => tag.slice(0, i + 1))])
    if (paths.length === 0) return false
    const times = await timesOf(paths)
    return times.some((at) => at !== null && at >= entry.createdAt)
  }

  const ttlOf = (query: QueryOptions<unknown>) => parseDuration(query.ttl ?? defaultTtl)
  const graceOf = (query: QueryOptions<unknown>) =>
    query.grace === undefined ? defaultGrace : query.grace === false ? false : parseDuration(query.grace)

  /** Runs the fetch and stores its entry; on failure, falls back to `stale` while it is in grace. */
  const fetch = async <T>(key: string, query: QueryOptions<T>, stale: CacheEntry<T> | null): Promise<CacheEntry<T>> => {
    const now = Date.now()
    const ttl = ttlOf(query as QueryOptions<unknown>)
    const grace = graceOf(query as QueryOptions<unknown>)
    let value: T
    try {
      value = await query.fn()
    } catch (error) {
      if (stale !== null && stale.graceUntil !== null && stale.graceUntil > Date.now()) return stale
      throw error
    }
    const entry = makeEntry(value, query.tags, now, ttl, grace)
    await adapter.set(key, entry)
    return entry
  }

  const report = (key: string, cached: unknown, fresh: unknown): boolean => {
    const [cachedHash, freshHash] = [hash(jsonOf(cached)), hash(jsonOf(fresh))]
    const changed = cachedHash !== freshHash
    adapter.reportVerification?.(key, changed, cachedHash, freshHash).catch(() => undefined)
    return changed
  }

  const refreshInBackground = <T>(key: string, query: QueryOptions<T>, stale: CacheEntry<T>): void => {
    let run = refreshing.get(key) as Promise<CacheEntry<T>> | undefined
    if (run === undefined) {
      run = fetch(key, query, null)
      const shared = run as Promise<CacheEntry<unknown>>
      refreshing.set(key, shared)
      const done = () => {
        if (refreshing.get(key) === shared) refreshing.delete(key)
      }
      shared.then(done, done)
    }
    run.then((fresh) => {
      const changed = report(key, stale.value, fresh.value)
      try {
        query.onRefresh?.({ old: stale.value, new: fresh.value, changed })
      } catch {
        // onRefresh's own failures never reach the cache
      }
    }, () => undefined) // the stale value keeps being served
  }

  const verify = <T>(key: string, query: QueryOptions<T>, cached: T): void => {
    if (adapter.reportVerification === undefined || verifyPercent <= 0) return
    if (verifyPercent < 1 && Math.random() >= verifyPercent) return
    query.fn().then((fresh) => report(key, cached, fresh), () => undefined)
  }

  const read = async <T>(key: string, query: QueryOptions<T>): Promise<EntriesResult<T>> => {
    const before = await adapter.get<T>(key)
    if (before !== null) {
      const now = Date.now()
      const stale = await invalidated(before)
      if (!stale && before.expiresAt > now) {
        verify(key, query, before.value)
        return { before, after: before }
      }
      // t87s serves an entry in grace (expired or tag-invalidated) and refreshes it behind
      if (before.graceUntil !== null && before.graceUntil > now) {
        refreshInBackground(key, query, before)
        return { before, after: before }
      }
    }
    return { before, after: await fetch(key, query, before) }
  }

  const shared = async <T, A>(key: string, run: () => Promise<A>, valueOf: (a: A) => T): Promise<A> => {
    const promise = run()
    const value = promise.then(valueOf)
    value.catch(() => undefined)
    reading.set(key, value)
    try {
      return await promise
    } finally {
      if (reading.get(key) === value) reading.delete(key)
    }
  }

  return {
    query: <T>(query: QueryOptions<T>): Promise<T> => {
      const key = keyOf(query.key)
      const running = reading.get(key) as Promise<T> | undefined
      if (running !== undefined) return running
      return shared(key, () => read(key, query), (result) => result.after.value).then((result) => result.after.value)
    },
    queryWithEntries: async <T>(query: QueryOptions<T>): Promise<EntriesResult<T>> => {
      const key = keyOf(query.key)
      const running = reading.get(key)
      if (running !== undefined) await running.catch(() => undefined)
      return shared(key, () => read(key, query), (result) => result.after.value)
    },
    get: async <T>(key: string): Promise<T | null> => {
      const entry = await adapter.get<T>(keyOf(key))
      if (entry === null) return null
      const now = Date.now()
      if (entry.expiresAt <= now && (entry.graceUntil === null || entry.graceUntil <= now)) return null
      return (await invalidated(entry)) ? null : entry.value
    },
    set: async <T>(key: string, value: T, set: SetOptions): Promise<void> => {
      const grace = set.grace === false ? false : parseDuration(set.grace ?? 0)
      await adapter.set(keyOf(key), makeEntry(value, set.tags, Date.now(), parseDuration(set.ttl), grace))
    },
    del: (key) => adapter.delete(keyOf(key)),
    invalidate: async (tags, exact = false) => {
      const now = Date.now()
      for (const tag of tags) await adapter.setTagInvalidationTime(exact ? [...tag, exactMarker] : tag, now)
    },
    clear: () => adapter.clear(),
    disconnect: () => adapter.disconnect()
  }
}
