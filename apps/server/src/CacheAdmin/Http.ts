/**
 * The `/cache` admin endpoints, implemented by `@cachet/api`'s `CacheAdmin` over the app's
 * `Cache`; the bearer token comes from `CACHET_ADMIN_TOKEN` (blank counts as unset).
 *
 * @since 0.1.0
 */
import { CacheAdmin } from "@cachet/api"
import * as CacheGraph from "@cachet/api/CacheGraph"
import type { Cache } from "@cachet/core"
import { HttpApiBuilder, type HttpApiGroup } from "@effect/platform"
import { type ConfigError, Effect, Layer } from "effect"

import { Api } from "../Api.js"
import * as AppConfig from "../Config.js"

/**
 * @since 0.1.0
 * @category layers
 */
export const HttpCacheAdminLive: Layer.Layer<
  HttpApiGroup.ApiGroup<"blog", "cache">,
  ConfigError.ConfigError,
  Cache.Cache
> = HttpApiBuilder.group(Api, "cache", (handlers) =>
  Effect.map(CacheAdmin.handlers, (admin) =>
    handlers
      .handle("stats", admin.stats)
      .handle("entries", admin.entries)
      .handle("entry", admin.entry)
      .handle("deleteEntry", admin.deleteEntry)
      .handle("invalidate", admin.invalidate)
      .handle("clear", admin.clear)
      .handle("search", admin.search)
      .handle("tags", admin.tags)
      .handleRaw("events", admin.events))).pipe(Layer.provide(CacheAdmin.layerAuthConfig(AppConfig.adminToken)))

/**
 * The optional graph endpoints (`/cache/graph`), over the app's `EntityGraph` if it has one,
 * behind the same token.
 *
 * @since 0.1.0
 * @category layers
 */
export const HttpCacheGraphLive: Layer.Layer<
  HttpApiGroup.ApiGroup<"blog", "cacheGraph">,
  ConfigError.ConfigError
> = HttpApiBuilder.group(
  Api,
  "cacheGraph",
  (handlers) =>
    Effect.map(
      CacheGraph.handlers,
      (graph) => handlers.handle("graph", graph.graph).handle("graphEntity", graph.graphEntity)
    )
).pipe(
  Layer.provide(CacheAdmin.layerAuthConfig(AppConfig.adminToken))
)
