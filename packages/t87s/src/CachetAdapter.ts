/**
 * An adapter that stores t87s's entries and tag invalidation times in any Cachet store, named
 * by a store specification (`memory`, `sqlite:PATH`, `redis://…`, `redis+cluster://…`,
 * `memcached://…`). The store runs in a runtime the adapter owns; `disconnect()` (or
 * `close()`) releases its connections.
 *
 * @since 0.1.0
 */
import { Store, Tag } from "@cachet/core"
import { StoreSpec } from "@cachet/stores"
import { Cause, Effect, Either, Exit, ManagedRuntime, Option } from "effect"

import type { Duration } from "./Duration.js"
import { parseDuration } from "./Duration.js"
import { serializeTag } from "./MemoryAdapter.js"
import type { CacheEntry, StorageAdapter } from "./Types.js"

/**
 * Options of the {@link CachetAdapter}.
 *
 * @since 0.1.0
 * @category models
 */
export interface CachetAdapterOptions {
  /** The store specification, as `StoreSpec.parse` reads it (`memory`, `sqlite:PATH`, `redis://…`, …). */
  store: string
  /** The prefix of every key the adapter writes (default `t87s:`); `clear()` removes only these keys. */
  namespace?: string
  /** How long one store call may take before it counts as failed (default 500 ms). */
  timeout?: Duration
  /**
   * How long the store keeps an entry after its TTL and grace, so that a query's `.entries`
   * still shows the entry it replaces, as with the `MemoryAdapter` (default `"1m"`).
   */
  retain?: Duration
  /** How the store is opened (`tiered`, `keyPrefix`, …), as `StoreSpec.layer` takes it. */
  storeOptions?: StoreSpec.LayerOptions
  /** Told of every store failure the adapter absorbed (reads and writes fail open). */
  onError?: (error: unknown) => void
}

const isCacheEntry = (u: unknown): u is CacheEntry<unknown> =>
  typeof u === "object" && u !== null && typeof (u as CacheEntry<unknown>).createdAt === "number" &&
  typeof (u as CacheEntry<unknown>).expiresAt === "number" && Array.isArray((u as CacheEntry<unknown>).tags)

/**
 * A t87s adapter over a Cachet store. Reads and writes fail open: a store that is down or
 * slow answers a read as a miss (so the query runs its function) and drops a write; a failed
 * tag-time read counts the entry as invalidated. Invalidations and `clear()` reject when the
 * store does not take them. After `disconnect()`, reads are misses.
 *
 * @example
 * ```ts
 * import { CachetAdapter, createPrimitives } from "@cachet/t87s"
 *
 * const adapter = new CachetAdapter({ store: "memory", namespace: "app:" })
 * const cache = createPrimitives({ adapter, defaultTtl: "5m" })
 *
 * export const answer = await cache.query({ key: "answer", tags: [["answers"]], fn: async () => 42 })
 * await adapter.close()
 * ```
 *
 * @since 0.1.0
 * @category adapters
 */
export class CachetAdapter implements StorageAdapter {
  readonly #runtime: ManagedRuntime.ManagedRuntime<Store.Store, StoreSpec.StoreOpenError>
  readonly #namespace: string
  readonly #timeout: number
  readonly #retain: number
  readonly #onError: (error: unknown) => void
  #closed = false

  constructor(options: CachetAdapterOptions) {
    const spec = StoreSpec.parse(options.store)
    if (Either.isLeft(spec)) throw new Error(`CachetAdapter: ${spec.left}; expected ${StoreSpec.syntax}`)
    this.#namespace = options.namespace ?? "t87s:"
    this.#timeout = parseDuration(options.timeout ?? 500)
    this.#retain = parseDuration(options.retain ?? "1m")
    this.#onError = options.onError ?? (() => undefined)
    this.#runtime = ManagedRuntime.make(StoreSpec.layer(spec.right, options.storeOptions ?? {}))
  }

  /**
   * The store call, failing with its own error (`StoreError`, `StoreTimeout` past the timeout,
   * `StoreOpenError`), or at once when the adapter is closed.
   */
  #run<A>(operation: string, use: (store: Store.Service) => Effect.Effect<A, Store.StoreError>): Promise<A> {
    if (this.#closed) return Promise.reject(new Error(`CachetAdapter ${operation}: the adapter is disconnected`))
    return this.#runtime.runPromiseExit(
      Effect.flatMap(Store.Store, use).pipe(
        Effect.timeoutFail({
          duration: this.#timeout,
          onTimeout: () => new Store.StoreTimeout({ operation, timeoutMillis: this.#timeout })
        })
      )
    ).then((exit) => Exit.isSuccess(exit) ? exit.value : Promise.reject(Cause.squash(exit.cause)))
  }

  /** As `#run`, reporting a failure and answering `fallback` instead. */
  async #failOpen<A>(
    operation: string,
    use: (store: Store.Service) => Effect.Effect<A, Store.StoreError>,
    fallback: A
  ) {
    try {
      return await this.#run(operation, use)
    } catch (error) {
      this.#onError(error)
      return fallback
    }
  }

  /** The entry under `key`, or null when missing, unreadable, or the store failed. */
  async get<T>(key: string): Promise<CacheEntry<T> | null> {
    const found = await this.#failOpen("get", (store) => store.get(this.#namespace + "c:" + key), Option.none())
    if (Option.isNone(found)) return null
    try {
      const entry: unknown = JSON.parse(found.value.value)
      return isCacheEntry(entry) ? entry as CacheEntry<T> : null
    } catch {
      return null
    }
  }

  /** Stores the entry until `retain` after its grace (or TTL) ends; a failure is reported, not thrown. */
  async set<T>(key: string, entry: CacheEntry<T>): Promise<void> {
    let value: string
    try {
      value = JSON.stringify(entry)
    } catch (error) {
      return this.#onError(error)
    }
    const stored: Store.Entry = {
      value,
      stamp: 0,
      createdAt: entry.createdAt,
      ttl: Math.max(0, entry.expiresAt - entry.createdAt),
      grace: Math.max(0, (entry.graceUntil ?? entry.expiresAt) - entry.expiresAt) + this.#retain,
      tags: entry.tags.map((path) => path.map(Tag.escapeSegment).join("/")),
      failed: false
    }
    await this.#failOpen("set", (store) => store.set(this.#namespace + "c:" + key, stored), undefined)
  }

  /** Removes the entry; a failure is reported, not thrown. */
  async delete(key: string): Promise<void> {
    await this.#failOpen("delete", (store) => store.delete(this.#namespace + "c:" + key), false)
  }

  /** When the tag was last invalidated; when the store fails, a time after every entry (all count as invalidated). */
  async getTagInvalidationTime(tag: Array<string>): Promise<number | null> {
    return (await this.getTagInvalidationTimes([tag]))[0] ?? null
  }

  /** The invalidation times of several tags in one store call (`getMany`); on failure, as `getTagInvalidationTime`. */
  async getTagInvalidationTimes(tags: Array<Array<string>>): Promise<ReadonlyArray<number | null>> {
    const found = await this.#failOpen<ReadonlyArray<Option.Option<{ readonly createdAt: number }>>>(
      "getTagInvalidationTimes",
      (store) => store.getMany(tags.map((tag) => this.#tagKey(tag))),
      tags.map(() => Option.some({ createdAt: Number.MAX_SAFE_INTEGER }))
    )
    return found.map((entry) => Option.isSome(entry) ? entry.value.createdAt : null)
  }

  /** Records the tag's invalidation time, kept without expiry; rejects when the store fails. */
  async setTagInvalidationTime(tag: Array<string>, timestamp: number): Promise<void> {
    const entry: Store.Entry = {
      value: String(timestamp),
      stamp: 0,
      createdAt: timestamp,
      ttl: Infinity,
      grace: 0,
      tags: [],
      failed: false
    }
    await this.#run("setTagInvalidationTime", (store) => store.set(this.#tagKey(tag), entry))
  }

  /** Removes every key of the namespace (entries and tag times); rejects when the store fails. */
  async clear(): Promise<void> {
    await this.#run("clear", (store) => store.clear(this.#namespace))
  }

  /** Closes the store's runtime (connections, timers); later reads are misses. Idempotent. */
  async disconnect(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    await this.#runtime.dispose()
  }

  /** Same as {@link disconnect}. */
  close(): Promise<void> {
    return this.disconnect()
  }

  #tagKey(tag: ReadonlyArray<string>): string {
    return this.#namespace + "t:" + serializeTag(tag)
  }
}
