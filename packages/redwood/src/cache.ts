/**
 * RedwoodJS's service cache, exactly: `createCache(client, { logger, timeout, prefix, fields })`
 * gives `cache`, `cacheFindMany`, `deleteCacheKey` and `cacheClient`; the clients are
 * `InMemoryClient`, `RedisClient`, `MemcachedClient` — and `CachetClient`, which runs the same
 * API on Cachet's engine (any Cachet store, tags, single-flight, grace).
 *
 * @since 0.1.0
 */
import type { BaseClient } from "./internal/clients/BaseClient.js"
import * as internal from "./internal/createCache.js"

export {
  /**
   * A cache client did not answer in time.
   *
   * @since 0.1.0
   * @category errors
   */
  CacheTimeoutError
} from "./internal/cacheErrors.js"
export {
  /**
   * RedwoodJS's cache client interface: extend it to write a client of your own.
   *
   * @since 0.1.0
   * @category models
   */
  BaseClient,
  /**
   * Options of one cache write (`expires` in seconds, `tags` for a `CachetClient`).
   *
   * @since 0.1.0
   * @category models
   */
  type SetOptions
} from "./internal/clients/BaseClient.js"
export {
  /**
   * The Cachet engine as a cache client.
   *
   * @since 0.1.0
   * @category clients
   */
  CachetClient,
  /**
   * A `CachetClient`'s store and defaults.
   *
   * @since 0.1.0
   * @category models
   */
  type CachetClientOptions,
  /**
   * Options of `CachetClient.getOrSet`.
   *
   * @since 0.1.0
   * @category models
   */
  type CachetSetOptions
} from "./internal/clients/CachetClient.js"
export {
  /**
   * An in-memory client with a public `storage`, for tests.
   *
   * @since 0.1.0
   * @category clients
   */
  InMemoryClient,
  /**
   * An `InMemoryClient` entry: `{ expires, value }`.
   *
   * @since 0.1.0
   * @category models
   */
  type InMemoryEntry
} from "./internal/clients/InMemoryClient.js"
export {
  /**
   * A Memcached client (memjs).
   *
   * @since 0.1.0
   * @category clients
   */
  MemcachedClient
} from "./internal/clients/MemcachedClient.js"
export {
  /**
   * A Redis client.
   *
   * @since 0.1.0
   * @category clients
   */
  RedisClient,
  /**
   * How a `RedisClient` reaches Redis.
   *
   * @since 0.1.0
   * @category models
   */
  type RedisClientOptions
} from "./internal/clients/RedisClient.js"
export {
  /**
   * What the cache logs to (`debug`, `error`).
   *
   * @since 0.1.0
   * @category models
   */
  type Logger
} from "./internal/logger.js"

/**
 * A cache key: a string, or parts joined with `-`.
 *
 * @since 0.1.0
 * @category models
 */
export type CacheKey = internal.CacheKey

/**
 * Options of `createCache`: a `logger`, the `timeout` of a client call in milliseconds
 * (default 1000), a `prefix` for every key, and the names of the `id` / `updatedAt` fields
 * `cacheFindMany` reads.
 *
 * @since 0.1.0
 * @category models
 */
export type CreateCacheOptions = internal.CreateCacheOptions

/**
 * Options of `cache`: `expires` in seconds; on a `CachetClient` also `tags` and `grace`.
 *
 * @since 0.1.0
 * @category models
 */
export type CacheOptions = internal.CacheOptions

/**
 * The separator of key parts and of the prefix.
 *
 * @since 0.1.0
 * @category constants
 */
export const cacheKeySeparator: string = internal.separator

/**
 * A key as the client sees it: parts joined with `-`, and `prefix-` in front unless it is
 * there already (`formatCacheKey(["bar", "baz"], "foo")` is `"foo-bar-baz"`).
 *
 * @since 0.1.0
 * @category utils
 */
export const formatCacheKey: (key: CacheKey, prefix?: string) => string = internal.formatCacheKey

/**
 * The service cache of a client.
 *
 * - `cache(key, fn, { expires })`: the cached value (JSON), or `fn`'s, stored. A client that
 *   fails or times out never fails the call: `fn` runs (a timed-out `get` also `disconnect`s a
 *   client that can). A falsy cached value counts as a miss, as in RedwoodJS.
 * - `cacheFindMany(key, model, { conditions, expires })`: `model.findMany(conditions)` cached
 *   under `${key}-${id}-${updatedAt}` of the latest updated record, so any update makes a new
 *   entry; with no record, `findMany` runs uncached.
 * - `deleteCacheKey(key)`: true when the key existed.
 *
 * On a `CachetClient`, `cache` reads through Cachet (`fn` runs once for concurrent misses) and
 * takes `tags`.
 *
 * @example
 * ```ts
 * import { CachetClient, createCache } from "@cachet/redwood"
 *
 * const client = new CachetClient({ store: "memory" })
 * export const { cache, deleteCacheKey } = createCache(client, { prefix: "v1", timeout: 500 })
 *
 * export const posts = () => cache("posts", () => [{ id: 1, title: "Hello" }], { expires: 60, tags: ["posts"] })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const createCache: <Client extends BaseClient>(
  client: Client,
  options?: CreateCacheOptions
) => {
  readonly cache: <A>(key: CacheKey, fn: () => A | Promise<A>, options?: CacheOptions) => Promise<A>
  readonly cacheFindMany: <
    TDelegate extends {
      readonly findFirst: (args: never) => unknown
      readonly findMany: (args?: never) => unknown
    }
  >(
    key: CacheKey,
    model: TDelegate,
    options?: CacheOptions & { readonly conditions?: Parameters<TDelegate["findMany"]>[0] }
  ) => Promise<Awaited<ReturnType<TDelegate["findMany"]>>>
  readonly cacheClient: Client
  readonly deleteCacheKey: (key: CacheKey) => Promise<boolean>
} = internal.createCache as never
