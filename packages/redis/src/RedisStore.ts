/**
 * Redis as the shared tier: entries under `<keyPrefix>e:<key>` with `SET PX` expiry, read with
 * `MGET`, written with pipelined `SET`s, removed with `UNLINK`; tag versions in one hash with an
 * atomic Lua bump, and an entry read together with its tag versions in one round trip (Lua).
 *
 * On a Redis Cluster (`RedisStore.layer({ cluster: [{ host, port }, ...] })`) entries spread
 * over every shard by their own key; tag versions live in one slot, cached per process and kept
 * current by `RedisBus` messages (`versionTtl` bounds a cached version's life), so a hit costs
 * one round trip to the entry's shard. See docs/concepts/consistency.md for the consistency
 * this keeps.
 *
 * @since 0.1.0
 */
import { Store, TagVersions, TieredStore } from "@cachet/core"
import type { ConfigError, Scope } from "effect"
import { Config, Duration, Effect, Layer } from "effect"

import * as cluster from "./internal/clusterStore.js"
import * as internal from "./internal/redisStore.js"
import * as RedisBus from "./RedisBus.js"
import * as RedisClient from "./RedisClient.js"

/**
 * The two services of a Redis store.
 *
 * @since 0.1.0
 * @category models
 */
export type RedisStore = Store.Backend

/**
 * Builds the store and tag versions on the connection of a `RedisClient`. On a cluster the tag
 * versions are read from their shard on every hit (a second round trip); `makeCoherent` caches
 * them instead.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<RedisStore, never, RedisClient.RedisClient> = Effect.map(
  RedisClient.RedisClient,
  ({ client, keyPrefix, options }) => {
    if (RedisClient.isCluster(client)) {
      const keys = cluster.keysForCluster(keyPrefix)
      const tagVersions = cluster.makeClusterTagVersions(
        client,
        keys,
        Duration.toMillis(options.replicaAckTimeout ?? 250)
      )
      return { store: cluster.makeClusterStore(client, keys, tagVersions), tagVersions }
    }
    const keys = internal.keysFor(keyPrefix)
    const tagVersions = internal.makeTagVersions(client, keys)
    return { store: internal.makeStore(client, keys, tagVersions), tagVersions }
  }
)

/**
 * Builds the store for the life of a scope: on one node, `make`; on a cluster, with tag
 * versions cached per process for at most `versionTtl` and raised by the bumps other processes
 * announce on `RedisBus` (a subscriber of its own), so a hit costs one round trip to the
 * entry's shard.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeCoherent: Effect.Effect<RedisStore, never, RedisClient.RedisClient | Scope.Scope> = Effect.gen(
  function*() {
    const redis = yield* RedisClient.RedisClient
    const raw = yield* make
    if (!RedisClient.isCluster(redis.client)) return raw
    const bus = yield* RedisBus.make
    const tagVersions = yield* TieredStore.cachedVersions(
      raw.tagVersions,
      bus,
      Duration.toMillis(redis.options.versionTtl ?? 1_000)
    )
    const keys = cluster.keysForCluster(redis.keyPrefix)
    return { store: cluster.makeClusterStore(redis.client, keys, tagVersions), tagVersions }
  }
)

/**
 * `Store` and `TagVersions` on an existing `RedisClient` (share one connection with
 * `RedisLock` and `RedisBus`).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerClient: Layer.Layer<Store.Store | TagVersions.TagVersions, never, RedisClient.RedisClient> = Layer
  .scopedContext(Effect.map(makeCoherent, Store.context))

/**
 * `Store` and `TagVersions` on a new connection: `RedisStore.layer({ url: "redis://..." })`, or
 * on a cluster: `RedisStore.layer({ cluster: [{ host, port }, ...] })`.
 *
 * @example
 * ```ts
 * import { Cache } from "@cachet/core"
 * import { RedisStore } from "@cachet/redis"
 * import { Layer } from "effect"
 *
 * // Shared by every process on the same Redis; add RedisBus.layer for cross-process invalidation.
 * export const CacheLive = Cache.layer({ ttl: "10 minutes", grace: "1 minute" }).pipe(
 *   Layer.provide(RedisStore.layer({ url: "redis://localhost:6379" }))
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: RedisClient.Options = {}): Layer.Layer<Store.Store | TagVersions.TagVersions> =>
  Layer.provide(layerClient, RedisClient.layer(options))

/**
 * `Store` and `TagVersions` from config (`REDIS_URL`, `REDIS_KEY_PREFIX`).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  config?: Config.Config<RedisClient.Options>
): Layer.Layer<Store.Store | TagVersions.TagVersions, ConfigError.ConfigError> =>
  Layer.provide(layerClient, RedisClient.layerConfig(config))
