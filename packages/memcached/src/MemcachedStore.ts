/**
 * Memcached as a shared store, on `memjs` (binary protocol). Keys longer than memcached's 250
 * bytes, or with spaces or non-ASCII text, are hashed; values above the item limit fail with a
 * clear `StoreError`. Memcached cannot list keys, so stored keys are appended (atomically) to a
 * small, bounded key index that `keys` and `clear` read.
 *
 * Tag versions take no lock: a bump takes the next counter value with an atomic `incr`, then
 * raises each path's version to it with a compare-and-swap loop (never lowering it), so bumps
 * from many processes run in parallel and versions never go back. Memcached may evict any item
 * under memory pressure, tag versions included: give it enough memory, or prefer Redis when
 * invalidations must never be forgotten.
 *
 * @since 0.1.0
 */
import { Setting, Store, TagVersions } from "@cachet/core"
import { Config, Duration, Effect, Layer, Runtime } from "effect"
import type { ConfigError, Scope } from "effect"
import memjs from "memjs"

import * as internal from "./internal/memcachedStore.js"
import * as internalTagVersions from "./internal/tagVersions.js"

/**
 * Where the servers are and how to use them.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** `"host:port"`, comma-separated for several (memjs hashes keys over them). */
  readonly servers: string
  /** Prefix of every key Cachet writes (default `"cachet:"`). */
  readonly keyPrefix?: string
  /** Largest encoded entry accepted (default 1,000,000 bytes, under memcached's 1 MiB items). */
  readonly maxValueBytes?: number
  /** How long an operation may take before it fails (default 500 millis). */
  readonly timeout?: Duration.DurationInput
  /** Retries of a failed operation (default 1). */
  readonly retries?: number
}

/**
 * The services of a Memcached store.
 *
 * @since 0.1.0
 * @category models
 */
export type MemcachedStore = Store.Backend

/**
 * Connects (closing the connection with the scope) and builds the services.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options): Effect.Effect<MemcachedStore, never, Scope.Scope> =>
  Effect.gen(function*() {
    const runtime = yield* Effect.runtime<never>()
    // memjs takes seconds.
    const timeout = Duration.toMillis(options.timeout ?? Duration.millis(500)) / 1000
    const client = yield* Effect.acquireRelease(
      Effect.sync(() =>
        memjs.Client.create(options.servers, {
          timeout,
          conntimeout: timeout * 2,
          retries: options.retries ?? 1,
          retry_delay: 0.05,
          keepAlive: true,
          logger: {
            log: (...args: Array<unknown>) => Runtime.runFork(runtime)(Effect.logDebug("memcached", ...args))
          }
        })
      ),
      (client) => Effect.sync(() => client.close())
    )
    const settings: internal.Settings = {
      keyPrefix: options.keyPrefix ?? "cachet:",
      maxValueBytes: options.maxValueBytes ?? 1_000_000,
      indexMemory: 100_000
    }
    return {
      store: internal.makeStore(client, settings),
      tagVersions: internalTagVersions.makeTagVersions(client, settings)
    }
  })

/**
 * `Store` and `TagVersions` on Memcached: `MemcachedStore.layer({ servers: "127.0.0.1:11211" })`.
 *
 * @example
 * ```ts
 * import { Cache } from "@cachet/core"
 * import { MemcachedStore } from "@cachet/memcached"
 * import { Layer } from "effect"
 *
 * // Keys are hashed over the listed servers.
 * export const CacheLive = Cache.layer({ ttl: "10 minutes" }).pipe(
 *   Layer.provide(MemcachedStore.layer({ servers: "localhost:11211,localhost:11212" }))
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<Store.Store | TagVersions.TagVersions> =>
  Layer.scopedContext(Effect.map(make(options), Store.context))

/**
 * `Store` and `TagVersions` from config (`CACHET_MEMCACHED_SERVERS`, `CACHET_MEMCACHED_KEY_PREFIX`).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  config: Config.Config<Options> = Config.all({
    servers: Setting.read(Config.string, "MEMCACHED_SERVERS"),
    keyPrefix: Setting.read(Config.string, "MEMCACHED_KEY_PREFIX").pipe(
      Config.withDefault("cachet:")
    )
  })
): Layer.Layer<Store.Store | TagVersions.TagVersions, ConfigError.ConfigError> =>
  Layer.unwrapEffect(Effect.map(config, layer))

/**
 * Memcached's key length limit, in bytes (longer keys are hashed).
 *
 * @since 0.1.0
 * @category constants
 */
export const maxKeyBytes: number = internal.MAX_KEY_BYTES
