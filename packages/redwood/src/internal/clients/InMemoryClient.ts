import { BaseClient, type SetOptions } from "./BaseClient.js"

/**
 * One entry of an `InMemoryClient`: its expiry (epoch milliseconds) and its value as JSON.
 *
 * @since 0.1.0
 * @category models
 */
export interface InMemoryEntry {
  expires: number
  value: string
}

/** Ten years, in seconds: how long an entry without `expires` lives. */
const forever = 315_360_000

/**
 * A cache client in process memory, for tests and development. Its `storage` is public, as in
 * RedwoodJS, so tests can seed and read entries (`{ key: { expires, value: JSON } }`).
 *
 * @since 0.1.0
 * @category clients
 */
export class InMemoryClient extends BaseClient {
  /** The entries by key. */
  storage: Record<string, InMemoryEntry>

  /** Starts with `data` already cached. */
  constructor(data: Record<string, InMemoryEntry> = {}) {
    super()
    this.storage = data
  }

  /** Every cached value, parsed (for tests). */
  get contents(): Array<unknown> {
    return Object.values(this.storage).map((entry) => JSON.parse(entry.value) as unknown)
  }

  /** Nothing to release. */
  override async disconnect(): Promise<void> {}

  /** Nothing to open. */
  async connect(): Promise<void> {}

  /** The value, or `null` when missing or expired (an expired entry is dropped). */
  async get(key: string): Promise<unknown> {
    const entry = this.storage[key]
    if (entry !== undefined && entry.expires > Date.now()) return JSON.parse(entry.value) as unknown
    delete this.storage[key]
    return null
  }

  /** Stores `value` as JSON, expiring after `options.expires` seconds (default ten years). */
  async set(key: string, value: unknown, options: SetOptions = {}): Promise<true> {
    this.storage[key] = { expires: Date.now() + (options.expires || forever) * 1000, value: JSON.stringify(value) }
    return true
  }

  /** Removes `key`; true when it was there. */
  async del(key: string): Promise<boolean> {
    if (this.storage[key] === undefined) return false
    delete this.storage[key]
    return true
  }

  /** Empties the cache (for tests). */
  async clear(): Promise<void> {
    this.storage = {}
  }

  /** The key a value is cached under, or `null` (for tests). */
  cacheKeyForValue(value: unknown): string | null {
    const text = JSON.stringify(value)
    for (const [key, entry] of Object.entries(this.storage)) {
      if (entry.value === text) return key
    }
    return null
  }

  /** Whether a value is cached under some key (for tests). */
  isCached(value: unknown): boolean {
    return this.cacheKeyForValue(value) !== null
  }
}
