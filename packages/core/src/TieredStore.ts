/**
 * Two tiers: a per-process local store (a `MemoryStore` by default) in front of any remote
 * store, kept coherent between processes by a `Bus`. Reads are served locally while the local
 * copy is younger than `localTtl`, then from the remote; writes go to both and announce the
 * key on the bus; tag bumps run on the remote's `TagVersions` and reach every process's cached
 * versions through the bus.
 *
 * Consistency: in the process that wrote or invalidated, reads see the change at once. Another
 * process may serve the old entry (or judge it with old tag versions) until the bus message
 * arrives (typically a millisecond); if bus messages are lost (a dropped connection), for at
 * most `localTtl`, and everything local is dropped once the bus reports `Reset`.
 *
 * @since 0.1.0
 */
import type { Scope } from "effect"
import { Duration, Effect, Layer } from "effect"

import * as Bus from "./Bus.js"
import * as internal from "./internal/tieredStore.js"
import * as MemoryStore from "./MemoryStore.js"
import * as Store from "./Store.js"
import * as TagVersions from "./TagVersions.js"

/**
 * The local tier's bounds and how long it may hold an entry.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Bounds of the default memory tier (entries, bytes, sweep interval). */
  readonly local?: MemoryStore.Options
  /** The longest a process serves a local copy, or a cached tag version, without asking the remote (default 5 s). */
  readonly localTtl?: Duration.DurationInput
}

const ttlMillis = (options: Options): number => Duration.toMillis(options.localTtl ?? Duration.seconds(5))

/**
 * Builds the tiers over a remote store and a bus (the bus listener lives as long as the
 * scope); the local tier is `tiers.local`, else a new `MemoryStore` bounded by `options.local`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  tiers: { readonly remote: Store.Backend; readonly bus: Bus.Service; readonly local?: Store.Service },
  options: Options = {}
): Effect.Effect<Store.Backend, never, Scope.Scope> =>
  Effect.flatMap(
    tiers.local === undefined
      ? Effect.map(MemoryStore.make(options.local ?? {}), (memory) => memory.store)
      : Effect.succeed(tiers.local),
    (local) => internal.make(local, tiers.remote, tiers.bus, ttlMillis(options))
  )

/**
 * Tag versions cached per process for at most `ttl`, raised at once by this process's bumps
 * and by the bus (which carries this process's bumps to the others). A version past half its
 * life is re-read in the background when used, so a hot tag never waits on the remote.
 *
 * @since 0.1.0
 * @category constructors
 */
export const cachedVersions = (
  remote: TagVersions.Service,
  bus: Bus.Service,
  ttl: Duration.DurationInput
): Effect.Effect<TagVersions.Service, never, Scope.Scope> =>
  internal.makeCachedVersions(remote, bus, Duration.toMillis(ttl))

/**
 * A remote store with no local tier that announces every change on the bus (keys written or
 * deleted, namespaces cleared, tags bumped), so the tiers of other processes stay coherent
 * with a process that keeps none (a CLI, a batch job).
 *
 * @since 0.1.0
 * @category constructors
 */
export const announcing = (remote: Store.Backend, bus: Bus.Service): Store.Backend => internal.announcing(remote, bus)

/**
 * A memory tier over the `Store` and `TagVersions` in context, coherent through the `Bus` in
 * context: `TieredStore.layer().pipe(Layer.provide(remoteAndBus))`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: Options = {}
): Layer.Layer<Store.Store | TagVersions.TagVersions, never, Store.Store | TagVersions.TagVersions | Bus.Bus> =>
  Layer.scopedContext(Effect.gen(function*() {
    const remote = { store: yield* Store.Store, tagVersions: yield* TagVersions.TagVersions }
    return Store.context(yield* make({ remote, bus: yield* Bus.Bus }, options))
  }))
