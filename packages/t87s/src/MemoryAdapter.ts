/**
 * t87s's in-process adapter: entries and tag invalidation times in maps, least recently used
 * entries evicted past `maxItems`.
 *
 * @since 0.1.0
 */
import type { CacheEntry, StorageAdapter } from "./Types.js"

/**
 * Options of the {@link MemoryAdapter}.
 *
 * @since 0.1.0
 * @category models
 */
export interface MemoryAdapterOptions {
  /** The most entries kept (default: no bound); the least recently used go first. */
  maxItems?: number
}

/**
 * The tag's storage key: segments joined by `:`, with `\` and `:` escaped.
 *
 * @since 0.1.0
 * @category utils
 */
export const serializeTag = (tag: ReadonlyArray<string>): string =>
  tag.map((segment) => segment.replace(/\\/g, "\\\\").replace(/:/g, "\\:")).join(":")

/**
 * Entries in a `Map` whose order is recency (a read moves the key to the end), so eviction
 * takes the first key.
 *
 * @example
 * ```ts
 * import { createPrimitives, MemoryAdapter } from "@cachet/t87s"
 *
 * export const cache = createPrimitives({ adapter: new MemoryAdapter({ maxItems: 10_000 }) })
 * ```
 *
 * @since 0.1.0
 * @category adapters
 */
export class MemoryAdapter implements StorageAdapter {
  readonly #entries = new Map<string, CacheEntry<unknown>>()
  readonly #tags = new Map<string, number>()
  readonly #maxItems: number

  constructor(options: MemoryAdapterOptions = {}) {
    this.#maxItems = options.maxItems ?? Infinity
  }

  /** The entry stored under `key` (expired ones included: the primitives judge them). */
  async get<T>(key: string): Promise<CacheEntry<T> | null> {
    const entry = this.#entries.get(key)
    if (entry === undefined) return null
    this.#entries.delete(key)
    this.#entries.set(key, entry)
    return entry as CacheEntry<T>
  }

  /** Stores an entry, evicting the least recently used ones beyond `maxItems`. */
  async set<T>(key: string, entry: CacheEntry<T>): Promise<void> {
    this.#entries.delete(key)
    while (this.#entries.size > 0 && this.#entries.size >= this.#maxItems) {
      this.#entries.delete(this.#entries.keys().next().value!)
    }
    if (this.#maxItems > 0) this.#entries.set(key, entry)
  }

  /** Removes an entry. */
  async delete(key: string): Promise<void> {
    this.#entries.delete(key)
  }

  /** When the tag was last invalidated. */
  async getTagInvalidationTime(tag: Array<string>): Promise<number | null> {
    return this.#tags.get(serializeTag(tag)) ?? null
  }

  /** Records the tag's invalidation time. */
  async setTagInvalidationTime(tag: Array<string>, timestamp: number): Promise<void> {
    this.#tags.set(serializeTag(tag), timestamp)
  }

  /** Drops every entry and invalidation time. */
  async clear(): Promise<void> {
    this.#entries.clear()
    this.#tags.clear()
  }

  /** Drops everything (nothing else to release in memory). */
  async disconnect(): Promise<void> {
    await this.clear()
  }
}
