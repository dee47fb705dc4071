/**
 * A store that wraps another and injects failures and latency on demand, for testing how the
 * cache survives a misbehaving backend.
 *
 * @since 0.1.0
 */
import { Context, Duration, Effect, Layer } from "effect"

import * as Store from "../Store.js"
import * as TagVersions from "../TagVersions.js"

/**
 * How the faulty store behaves now; change it at any time from a test.
 *
 * @since 0.1.0
 * @category models
 */
export interface Faults {
  /** Every call fails with a `StoreError`. */
  failing: boolean
  /**
   * Only calls of these operations fail (`"bump"`, `"delete"`, `"get"`, ...), e.g. a store whose
   * tag bumps fail while data writes and reads succeed. Absent or empty: none beyond `failing`.
   */
  failingOperations?: Set<string>
  /** Every call waits this long first (it is interruptible, so a timeout cuts it short). */
  latency: Duration.DurationInput
  /** Calls made so far, by operation name. */
  readonly calls: Map<string, number>
}

/**
 * The fault controls of the current faulty store.
 *
 * @since 0.1.0
 * @category tags
 */
export class FaultControl extends Context.Tag("@cachet/core/testing/FaultControl")<FaultControl, Faults>() {}

const faulty = <A, E>(
  faults: Faults,
  operation: string,
  effect: Effect.Effect<A, E>
): Effect.Effect<A, E | Store.StoreError> =>
  Effect.suspend((): Effect.Effect<A, E | Store.StoreError> => {
    faults.calls.set(operation, (faults.calls.get(operation) ?? 0) + 1)
    const delayed = Duration.toMillis(faults.latency) > 0
      ? Effect.zipRight(Effect.sleep(faults.latency), effect)
      : effect
    return faults.failing || faults.failingOperations?.has(operation) === true
      ? Effect.zipRight(
        Duration.toMillis(faults.latency) > 0 ? Effect.sleep(faults.latency) : Effect.void,
        Effect.fail(new Store.StoreError({ operation, reason: "injected failure" }))
      )
      : delayed
  })

/**
 * Wraps a store and its tag versions with fault injection.
 *
 * @since 0.1.0
 * @category constructors
 */
export const wrap = (
  faults: Faults,
  store: Store.Service,
  versions: TagVersions.Service
): Store.Backend => {
  const listEntries = store.listEntries
  return {
    store: {
      name: `faulty(${store.name})`,
      local: false,
      get: (key) => faulty(faults, "get", store.get(key)),
      getMany: (keys) => faulty(faults, "getMany", store.getMany(keys)),
      set: (key, entry) => faulty(faults, "set", store.set(key, entry)),
      setMany: (entries) => faulty(faults, "setMany", store.setMany(entries)),
      delete: (key) => faulty(faults, "delete", store.delete(key)),
      deleteMany: (keys) => faulty(faults, "deleteMany", store.deleteMany(keys)),
      clear: (prefix) => faulty(faults, "clear", store.clear(prefix)),
      keys: (options) => faulty(faults, "keys", store.keys(options)),
      // Only when the wrapped store lists entries: the cache falls back to `keys` otherwise.
      ...(listEntries === undefined ? {} : {
        listEntries: (options: Store.ListOptions) => faulty(faults, "listEntries", listEntries(options))
      })
    },
    tagVersions: {
      counter: faulty(faults, "counter", versions.counter),
      versions: (paths) => faulty(faults, "versions", versions.versions(paths)),
      bump: (paths, mode) => faulty(faults, "bump", versions.bump(paths, mode))
    }
  }
}

/**
 * Replaces `Store` and `TagVersions` from `base` with faulty wrappers, and provides their
 * `FaultControl` (healthy and without latency at first).
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = <E, R>(
  base: Layer.Layer<Store.Store | TagVersions.TagVersions, E, R>
): Layer.Layer<Store.Store | TagVersions.TagVersions | FaultControl, E, R> =>
  Layer.effectContext(
    Effect.gen(function*() {
      const store = yield* Store.Store
      const versions = yield* TagVersions.TagVersions
      const faults: Faults = { failing: false, failingOperations: new Set(), latency: Duration.zero, calls: new Map() }
      const wrapped = wrap(faults, store, versions)
      return Context.make(Store.Store, wrapped.store).pipe(
        Context.add(TagVersions.TagVersions, wrapped.tagVersions),
        Context.add(FaultControl, faults)
      )
    })
  ).pipe(Layer.provide(base))
