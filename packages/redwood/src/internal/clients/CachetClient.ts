import { Cache } from "@cachet/core"
import type { StoreSpec } from "@cachet/stores"
import type { Duration } from "effect"
import { Cause, Effect, Either, Exit, Layer, ManagedRuntime, Option } from "effect"

import { BaseClient, type SetOptions } from "./BaseClient.js"

/**
 * A `CachetClient`'s store and defaults.
 *
 * @since 0.1.0
 * @category models
 */
export interface CachetClientOptions {
  /**
   * The store, as `@cachet/stores` reads it: `memory`, `sqlite:PATH`, `redis://…`,
   * `redis+cluster://HOST:PORT[,HOST:PORT]`, `memcached://HOST:PORT[,…]` (default `memory`).
   */
  readonly store?: string | undefined
  /** Options of the store (`tiered`, `keyPrefix`, …). */
  readonly storeOptions?: StoreSpec.LayerOptions | undefined
  /** Key namespace of the Cachet cache (default `"cachet"`). */
  readonly namespace?: string | undefined
  /** Bumping it busts every entry (default `"1"`). */
  readonly version?: string | number | undefined
  /** How long an entry without `expires` stays (default ten years: until evicted, as in RedwoodJS). */
  readonly ttl?: Duration.DurationInput | undefined
  /** How long past its expiry an entry may be served while one refresh runs (default 0). */
  readonly grace?: Duration.DurationInput | undefined
  /** Longest wait for the store before failing open (default 500 ms). */
  readonly timeout?: Duration.DurationInput | undefined
}

/**
 * Options of `CachetClient.getOrSet` and of `cache(key, fn, options)` on a `CachetClient`.
 *
 * @since 0.1.0
 * @category models
 */
export interface CachetSetOptions extends SetOptions {
  /** Seconds past `expires` the value may still be served while it is refreshed. */
  readonly grace?: number | undefined
  /** Told how the read was served (`hit`, `stale`, `miss`). */
  readonly onServed?: ((outcome: "hit" | "stale" | "miss") => void) | undefined
}

const tenYears = "3650 days"

/** JSON in and out, as every RedwoodJS cache client returns values (and not frozen). */
const copy = <A>(value: A): A => value === undefined ? value : JSON.parse(JSON.stringify(value)) as A

const seconds = (s: number | undefined): Duration.DurationInput | undefined => s ? s * 1000 : undefined

/**
 * A cache client on Cachet's engine: any Cachet store, tags (`cache(key, fn, { tags })`, then
 * `invalidate(tags)`), one run of `fn` for concurrent misses of a key, grace, and a store that
 * is down never failing a call. The Cachet `Cache` runs in a runtime the client owns; `close()`
 * releases it (connections, timers), and `disconnect()` does the same but lets the next call open
 * a new one, as RedwoodJS expects of a client after a timeout.
 *
 * @since 0.1.0
 * @category clients
 */
export class CachetClient extends BaseClient {
  private readonly options: CachetClientOptions
  private runtime: Promise<ManagedRuntime.ManagedRuntime<Cache.Cache, unknown>> | undefined
  private closed = false

  /**
   * The store opens on first use (`@cachet/stores` and its drivers load only then); a `store`
   * that is not a store specification rejects that call with a `TypeError`.
   */
  constructor(options: CachetClientOptions = {}) {
    super()
    this.options = options
  }

  private async make(): Promise<ManagedRuntime.ManagedRuntime<Cache.Cache, unknown>> {
    const { StoreSpec } = await import("@cachet/stores")
    const { grace, namespace, storeOptions, timeout, ttl, version } = this.options
    const parsed = StoreSpec.parse(this.options.store ?? "memory")
    if (Either.isLeft(parsed)) throw new TypeError(`CachetClient: ${parsed.left}; expected ${StoreSpec.syntax}`)
    const layer = Cache.layer({
      ttl: ttl ?? tenYears,
      ...(grace !== undefined ? { grace } : {}),
      ...(namespace !== undefined ? { namespace } : {}),
      ...(version !== undefined ? { version } : {}),
      ...(timeout !== undefined ? { storeTimeout: timeout } : {})
    }).pipe(Layer.provide(StoreSpec.layer(parsed.right, storeOptions)))
    return ManagedRuntime.make(layer)
  }

  private async run<A, E>(f: (cache: Cache.Service) => Effect.Effect<A, E>): Promise<A> {
    if (this.closed) throw new Error("CachetClient is closed")
    this.runtime ??= this.make()
    const runtime = await this.runtime
    const exit = await runtime.runPromiseExit(Effect.flatMap(Cache.Cache, f))
    if (Exit.isSuccess(exit)) return exit.value
    throw Cause.squash(exit.cause)
  }

  /** Opens the store now rather than on first use. */
  async connect(): Promise<void> {
    await this.run(() => Effect.void)
  }

  /** The value (a fresh copy), or `null`. */
  async get(key: string): Promise<unknown> {
    const found = await this.run((cache) => cache.get<unknown>(key))
    return Option.match(found, { onNone: () => null, onSome: copy })
  }

  /** Stores `value` (JSON) for `options.expires` seconds, under `options.tags`. */
  async set(key: string, value: unknown, options: SetOptions = {}): Promise<true> {
    const ttl = seconds(options.expires)
    await this.run((cache) =>
      cache.set(key, copy(value), {
        ...(ttl !== undefined ? { ttl } : {}),
        ...(options.tags !== undefined ? { tags: options.tags } : {})
      })
    )
    return true
  }

  /** Removes `key`; true when it existed. */
  async del(key: string): Promise<boolean> {
    return this.run((cache) => cache.delete(key))
  }

  /**
   * Reads through the cache: the cached value, or `fn`'s (run once for all concurrent callers of
   * the key, then stored with `expires`, `grace` and `tags`). `fn`'s rejection is the call's.
   */
  async getOrSet<A>(key: string, fn: () => A | Promise<A>, options: CachetSetOptions = {}): Promise<A> {
    const ttl = seconds(options.expires)
    const grace = seconds(options.grace)
    const onServed = options.onServed
    const fetch = Effect.tryPromise({ try: async () => copy(await fn()) as unknown, catch: (thrown) => thrown })
    const value = await this.run((cache) =>
      cache.getOrFetch(key, fetch as never, {
        ...(ttl !== undefined ? { ttl } : {}),
        ...(grace !== undefined ? { grace } : {}),
        ...(options.tags !== undefined ? { tags: options.tags } : {}),
        ...(onServed !== undefined ? { onServed: (served: Cache.Served) => onServed(served.outcome) } : {})
      }) as Effect.Effect<unknown, unknown>
    )
    return copy(value) as A
  }

  /** Entries under these tags are never served again (hard invalidation). */
  invalidate(tags: string | ReadonlyArray<string>): Promise<void> {
    return this.run((cache) => cache.invalidate(tags))
  }

  /** Entries under these tags are served only within their grace, while refreshed (soft). */
  expire(tags: string | ReadonlyArray<string>): Promise<void> {
    return this.run((cache) => cache.expire(tags))
  }

  /** Releases the store's connections and timers; the next call opens them again. */
  override async disconnect(): Promise<void> {
    const runtime = this.runtime
    this.runtime = undefined
    if (runtime !== undefined) await runtime.then((r) => r.dispose(), () => undefined)
  }

  /** Releases the store's connections and timers for good. */
  async close(): Promise<void> {
    this.closed = true
    await this.disconnect()
  }
}
