/**
 * The cache and the store under it, chosen by the store specification of `@cachet/stores`
 * (`CACHET_STORE`; read by `Config.cache`):
 *
 * - `memory` (default, and what an empty value means): a per-process LRU, bounded by
 *   `CACHET_MEMORY_MAX_ENTRIES` and `CACHET_MEMORY_MAX_BYTES`;
 * - `sqlite:PATH`: a SQLite file that survives restarts (its directory is created);
 * - `redis://...` / `rediss://...` / `redis+cluster://host:port,...`: Redis (one node or a
 *   cluster), tiered under a per-process memory tier and kept coherent by the Redis bus;
 * - `memcached://host:port[,host:port]`: Memcached.
 *
 * @since 0.1.0
 */
import type { Store, TagVersions } from "@cachet/core"
import { Cache, Outbox } from "@cachet/core"
import { StoreSpec } from "@cachet/stores"
import { NodeFileSystem } from "@effect/platform-node"
import { Config, ConfigError, Context, Effect, Either, Layer, Option } from "effect"

import * as AppConfig from "./Config.js"

/**
 * A parsed store specification.
 *
 * @since 0.1.0
 * @category models
 */
export type Spec = StoreSpec.StoreSpec

/**
 * How the server opens its store: Redis tiered under a memory tier (a long-lived process),
 * SQLite directories created.
 *
 * @since 0.1.0
 * @category constants
 */
export const layerOptions: StoreSpec.LayerOptions = { tiered: true }

/**
 * Reads a store specification; an empty value is `memory`.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parse = (text: string): Either.Either<Spec, string> => StoreSpec.parse(text, { empty: { _tag: "Memory" } })

/**
 * A one-line description of the store, without secrets.
 *
 * @since 0.1.0
 * @category utils
 */
export const describe = (spec: Spec): string => StoreSpec.describe(spec, layerOptions)

/**
 * The store specification from config.
 *
 * @since 0.1.0
 * @category config
 */
export const specConfig: Config.Config<Spec> = AppConfig.cache.pipe(
  Config.mapOrFail(({ store }) =>
    Either.mapLeft(parse(store), (message) => ConfigError.InvalidData([StoreSpec.envName], message))
  )
)

/**
 * The store layer of a spec.
 *
 * @since 0.1.0
 * @category layers
 */
export const storeLayer = (
  spec: Spec
): Layer.Layer<Store.Store | TagVersions.TagVersions, StoreSpec.StoreOpenError | ConfigError.ConfigError> =>
  Layer.unwrapEffect(Effect.map(AppConfig.memoryBounds, (memory) => StoreSpec.layer(spec, { ...layerOptions, memory })))

/**
 * Which store the cache runs on (for the start-up log and `/health`).
 *
 * @since 0.1.0
 * @category services
 */
export class CacheStoreInfo extends Context.Tag("Blog/CacheStoreInfo")<
  CacheStoreInfo,
  { readonly spec: Spec; readonly description: string }
>() {}

/**
 * The `Cache` (namespace, ttl, grace, store timeout from config) on the configured store, with
 * its deferred invalidations journaled under `CACHET_OUTBOX` when it is set.
 *
 * @since 0.1.0
 * @category layers
 */
export const CacheLive: Layer.Layer<
  Cache.Cache | CacheStoreInfo,
  StoreSpec.StoreOpenError | ConfigError.ConfigError | Outbox.OutboxError
> = Layer.unwrapEffect(
  Effect.gen(function*() {
    const spec = yield* specConfig
    const config = yield* AppConfig.cache
    const cache = Cache.layer({
      namespace: config.namespace,
      ttl: config.ttl,
      grace: config.grace,
      graceBackoff: config.graceBackoff,
      storeTimeout: config.storeTimeout,
      enabled: config.enabled
    }).pipe(
      Layer.provide(storeLayer(spec)),
      Layer.provide(Option.match(config.outbox, {
        onNone: () => Layer.empty,
        onSome: (directory) => Outbox.layer({ directory }).pipe(Layer.provide(NodeFileSystem.layer))
      }))
    )
    return Layer.merge(cache, Layer.succeed(CacheStoreInfo, { spec, description: describe(spec) }))
  })
)
