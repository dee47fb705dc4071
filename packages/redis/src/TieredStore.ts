/**
 * Two tiers over Redis: a per-process `MemoryStore` in front of `RedisStore`, kept coherent by
 * `RedisBus`. The tiering itself is core's `TieredStore` (over any two stores and a `Bus`);
 * this module only wires it to Redis.
 *
 * Consistency: in the process that wrote or invalidated, reads see the change at once. Another
 * process may serve the old entry (or judge it with old tag versions) until the bus message
 * arrives (typically a millisecond); if bus messages are lost (a dropped subscriber
 * connection), for at most `localTtl`, and everything local is dropped once the bus reconnects.
 *
 * @deprecated Use `TieredStore` from `@cachet/core` with `RedisStore` and `RedisBus`; this
 * module stays as a convenience that wires them.
 * @since 0.1.0
 */
import { Bus, type Store, type TagVersions, TieredStore } from "@cachet/core"
import type { Scope } from "effect"
import { Effect, Layer } from "effect"

import * as RedisBus from "./RedisBus.js"
import * as RedisClient from "./RedisClient.js"
import * as RedisStore from "./RedisStore.js"

/**
 * The local tier's bounds and how long it may hold an entry (core's `TieredStore.Options`).
 *
 * @since 0.1.0
 * @category models
 */
export type Options = TieredStore.Options

/**
 * Builds the tiers over any remote store and a bus.
 *
 * @deprecated Use `TieredStore.makeMemory` from `@cachet/core`.
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  remote: { readonly store: Store.Service; readonly tagVersions: TagVersions.Service },
  bus: Bus.Service,
  options: Options = {}
): Effect.Effect<RedisStore.RedisStore, never, Scope.Scope> => TieredStore.makeMemory(remote, bus, options)

/**
 * `Store` and `TagVersions` (tiered) and the bus (`RedisBus` and core's `Bus`) on an existing
 * `RedisClient` (a single node or a cluster).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerClient = (
  options: Options = {}
): Layer.Layer<Store.Store | TagVersions.TagVersions | RedisBus.RedisBus | Bus.Bus, never, RedisClient.RedisClient> =>
  TieredStore.layer(options).pipe(
    // The raw store: the tiers cache tag versions themselves.
    Layer.provide(Layer.effectContext(Effect.map(RedisStore.make, RedisStore.context))),
    Layer.provideMerge(RedisBus.layerClient)
  )

/**
 * The tiered store on new connections: `TieredStore.layer({ url, localTtl: "5 seconds" })`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: RedisClient.Options & Options = {}
): Layer.Layer<Store.Store | TagVersions.TagVersions | RedisBus.RedisBus | Bus.Bus> => {
  const { local, localTtl, ...connection } = options
  return Layer.provide(
    layerClient({ ...(local === undefined ? {} : { local }), ...(localTtl === undefined ? {} : { localTtl }) }),
    RedisClient.layer(connection)
  )
}
