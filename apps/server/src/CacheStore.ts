/**
 * The cache and the store under it, chosen by `CACHET_STORE` (alias `CACHE_STORE`):
 *
 * - `memory` (default): a per-process LRU, bounded by `CACHET_MEMORY_MAX_ENTRIES` and
 *   `CACHET_MEMORY_MAX_BYTES`;
 * - `sqlite:PATH`: a SQLite file that survives restarts;
 * - `redis://...` / `rediss://...`: Redis, tiered under a per-process memory tier and kept
 *   coherent between processes by the Redis bus;
 * - `memcached://host:port[,host:port]`: Memcached.
 *
 * @since 0.1.0
 */
import { Cache, MemoryStore, type Store, type TagVersions } from "@cachet/core"
import { MemcachedStore } from "@cachet/memcached"
import { TieredStore } from "@cachet/redis"
import { SqliteStore } from "@cachet/sqlite"
import { Config, ConfigError, Context, Effect, Either, Layer } from "effect"
import * as Fs from "node:fs"
import * as Path from "node:path"
import * as AppConfig from "./Config.js"

/**
 * A parsed `CACHE_STORE`.
 *
 * @since 0.1.0
 * @category models
 */
export type Spec =
  | { readonly _tag: "Memory" }
  | { readonly _tag: "Sqlite"; readonly filename: string }
  | { readonly _tag: "Redis"; readonly url: string }
  | { readonly _tag: "Memcached"; readonly servers: string }

/**
 * Reads a `CACHE_STORE` value.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parse = (text: string): Either.Either<Spec, string> => {
  const value = text.trim()
  if (value === "" || value === "memory") return Either.right({ _tag: "Memory" })
  if (value.startsWith("sqlite:")) {
    const filename = value.slice("sqlite:".length)
    return filename === "" ? Either.left("sqlite: needs a path (sqlite:./data/cache.db)") : Either.right({ _tag: "Sqlite", filename })
  }
  if (value.startsWith("redis://") || value.startsWith("rediss://")) {
    try {
      if (new URL(value).hostname !== "") return Either.right({ _tag: "Redis", url: value })
    } catch {
      // not a URL
    }
    return Either.left(`not a Redis URL (redis://host:port): ${value}`)
  }
  if (value.startsWith("memcached://")) {
    const servers = value.slice("memcached://".length).replace(/\/+$/, "")
    return /^[^,\s]+:\d+(,[^,\s]+:\d+)*$/.test(servers)
      ? Either.right({ _tag: "Memcached", servers })
      : Either.left(`memcached:// needs host:port[,host:port] (got ${JSON.stringify(servers)})`)
  }
  return Either.left(`CACHET_STORE must be memory, sqlite:PATH, redis://... or memcached://host:port (got ${JSON.stringify(value)})`)
}

/**
 * A one-line description of the store, without secrets.
 *
 * @since 0.1.0
 * @category utils
 */
export const describe = (spec: Spec): string => {
  switch (spec._tag) {
    case "Memory":
      return "memory (per-process LRU)"
    case "Sqlite":
      return `sqlite (${spec.filename})`
    case "Redis": {
      const url = new URL(spec.url)
      if (url.password !== "") url.password = "***"
      return `redis (${url.toString()}, tiered under memory, with the bus)`
    }
    case "Memcached":
      return `memcached (${spec.servers})`
  }
}

/**
 * `CACHE_STORE` from config.
 *
 * @since 0.1.0
 * @category config
 */
export const specConfig: Config.Config<Spec> = AppConfig.cache.pipe(
  Config.mapOrFail(({ store }) =>
    Either.mapLeft(parse(store), (message) => ConfigError.InvalidData(["CACHET_STORE"], message))
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
): Layer.Layer<Store.Store | TagVersions.TagVersions, Store.StoreError | ConfigError.ConfigError> => {
  switch (spec._tag) {
    case "Memory":
      return Layer.unwrapEffect(Effect.map(AppConfig.memoryBounds, MemoryStore.layer))
    case "Sqlite":
      return Layer.unwrapEffect(
        Effect.as(
          Effect.sync(() => Fs.mkdirSync(Path.dirname(Path.resolve(spec.filename)), { recursive: true })),
          SqliteStore.layer({ filename: spec.filename })
        )
      )
    case "Redis":
      return TieredStore.layer({ url: spec.url })
    case "Memcached":
      return MemcachedStore.layer({ servers: spec.servers })
  }
}

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
 * The `Cache` (namespace, ttl, grace, store timeout from config) on the configured store.
 *
 * @since 0.1.0
 * @category layers
 */
export const CacheLive: Layer.Layer<
  Cache.Cache | CacheStoreInfo,
  Store.StoreError | ConfigError.ConfigError
> = Layer.unwrapEffect(
  Effect.gen(function* () {
    const spec = yield* specConfig
    const config = yield* AppConfig.cache
    const cache = Cache.layer({
      namespace: config.namespace,
      ttl: config.ttl,
      grace: config.grace,
      storeTimeout: config.storeTimeout,
      enabled: config.enabled
    }).pipe(Layer.provide(storeLayer(spec)))
    return Layer.merge(cache, Layer.succeed(CacheStoreInfo, { spec, description: describe(spec) }))
  })
)
