/**
 * A `Store` and its `TagVersions` over any `@effect/platform` `KeyValueStore` (memory, file
 * system, browser storage). The key index and tag versions are kept in memory and written
 * through to the backing store, so one process should own it; entries expire lazily on read.
 *
 * @since 0.1.0
 */
import * as KeyValueStore from "@effect/platform/KeyValueStore"
import { Context, Effect, Layer } from "effect"

import * as internal from "./internal/keyValueStore.js"
import * as Store from "./Store.js"
import * as TagVersions from "./TagVersions.js"

/**
 * A store and its tag versions over the given `KeyValueStore`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  kv: KeyValueStore.KeyValueStore
): Effect.Effect<Store.Backend, Store.StoreError> => internal.make(kv)

/**
 * `Store` and `TagVersions` over the `KeyValueStore` in context.
 *
 * @example
 * ```ts
 * import { Cache, KvStore } from "@cachet/core"
 * import { KeyValueStore } from "@effect/platform"
 * import { Layer } from "effect"
 *
 * const CacheLive = Cache.layer({ namespace: "app" }).pipe(
 *   Layer.provide(KvStore.layer),
 *   Layer.provide(KeyValueStore.layerMemory)
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<Store.Store | TagVersions.TagVersions, Store.StoreError, KeyValueStore.KeyValueStore> =
  Layer.effectContext(
    Effect.flatMap(KeyValueStore.KeyValueStore, internal.make).pipe(
      Effect.map(({ store, tagVersions }) =>
        Context.make(Store.Store, store).pipe(Context.add(TagVersions.TagVersions, tagVersions))
      )
    )
  )
