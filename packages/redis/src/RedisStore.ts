/**
 * Redis as the shared tier: entries under `<keyPrefix>e:<key>` with `SET PX` expiry, read with
 * `MGET`, written with pipelined `SET`s, removed with `UNLINK`; tag versions in one hash with an
 * atomic Lua bump, and an entry read together with its tag versions in one round trip (Lua).
 *
 * @since 0.1.0
 */
import { Store, TagVersions } from "@cachet/core"
import { Config, Context, Effect, Layer } from "effect"
import type { ConfigError } from "effect"
import * as RedisClient from "./RedisClient.js"
import * as internal from "./internal/redisStore.js"

/**
 * The two services of a Redis store.
 *
 * @since 0.1.0
 * @category models
 */
export interface RedisStore {
  readonly store: Store.Service
  readonly tagVersions: TagVersions.Service
}

/**
 * Builds the store and tag versions on the connection of a `RedisClient`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<RedisStore, never, RedisClient.RedisClient> = Effect.map(
  RedisClient.RedisClient,
  ({ client, keyPrefix }) => {
    const keys = internal.keysFor(keyPrefix)
    const tagVersions = internal.makeTagVersions(client, keys)
    return { store: internal.makeStore(client, keys, tagVersions), tagVersions }
  }
)

/**
 * The services of a Redis store as a context.
 *
 * @since 0.1.0
 * @category layers
 */
export const context = (redis: RedisStore): Context.Context<Store.Store | TagVersions.TagVersions> =>
  Context.make(Store.Store, redis.store).pipe(Context.add(TagVersions.TagVersions, redis.tagVersions))

/**
 * `Store` and `TagVersions` on an existing `RedisClient` (share one connection with
 * `RedisLock` and `RedisBus`).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerClient: Layer.Layer<Store.Store | TagVersions.TagVersions, never, RedisClient.RedisClient> = Layer
  .effectContext(Effect.map(make, context))

/**
 * `Store` and `TagVersions` on a new connection: `RedisStore.layer({ url: "redis://..." })`.
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
