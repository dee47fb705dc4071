/**
 * Two tiers: a per-process `MemoryStore` in front of `RedisStore`, kept coherent by `RedisBus`.
 * Reads are served from memory while the local copy is younger than `localTtl`, then from
 * Redis; writes go to both and announce the key on the bus; tag bumps run atomically in Redis
 * and reach every process's cached tag versions through the bus.
 *
 * Consistency: in the process that wrote or invalidated, reads see the change at once. Another
 * process may serve the old entry (or judge it with old tag versions) until the bus message
 * arrives (typically a millisecond); if bus messages are lost (a dropped subscriber
 * connection), for at most `localTtl`, and everything local is dropped once the bus reconnects.
 *
 * @since 0.1.0
 */
import { MemoryStore, Store, TagVersions } from "@cachet/core"
import { Duration, Effect, Layer } from "effect"
import type { Scope } from "effect"
import * as RedisBus from "./RedisBus.js"
import * as RedisClient from "./RedisClient.js"
import * as RedisStore from "./RedisStore.js"
import * as internal from "./internal/tiered.js"

/**
 * The local tier's bounds and how long it may hold an entry.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Bounds of the memory tier (entries, bytes, sweep interval). */
  readonly local?: MemoryStore.Options
  /** The longest a process serves a local copy, or a cached tag version, without asking Redis (default 5 s). */
  readonly localTtl?: Duration.DurationInput
}

/**
 * Builds the tiers over any remote store and a bus (the memory tier and the bus listener live
 * as long as the scope).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  remote: { readonly store: Store.Service; readonly tagVersions: TagVersions.Service },
  bus: RedisBus.Service,
  options: Options = {}
): Effect.Effect<RedisStore.RedisStore, never, Scope.Scope> =>
  internal.make(remote, bus, {
    local: options.local ?? {},
    localTtlMillis: Duration.toMillis(Duration.decode(options.localTtl ?? Duration.seconds(5)))
  })

/**
 * `Store` and `TagVersions` (tiered) and the `RedisBus` on an existing `RedisClient`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerClient = (
  options: Options = {}
): Layer.Layer<Store.Store | TagVersions.TagVersions | RedisBus.RedisBus, never, RedisClient.RedisClient> =>
  Layer.scopedContext(Effect.gen(function* () {
    const remote = yield* RedisStore.make
    const bus = yield* RedisBus.RedisBus
    return RedisStore.context(yield* make(remote, bus, options))
  })).pipe(Layer.provideMerge(RedisBus.layerClient))

/**
 * The tiered store on new connections: `TieredStore.layer({ url, localTtl: "5 seconds" })`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: RedisClient.Options & Options = {}
): Layer.Layer<Store.Store | TagVersions.TagVersions | RedisBus.RedisBus> => {
  const { local, localTtl, ...connection } = options
  return Layer.provide(
    layerClient({ ...(local === undefined ? {} : { local }), ...(localTtl === undefined ? {} : { localTtl }) }),
    RedisClient.layer(connection)
  )
}
