/**
 * Options of one cache write: `expires` in seconds (none: kept until evicted); a
 * `CachetClient` also takes `tags`.
 *
 * @since 0.1.0
 * @category models
 */
export interface SetOptions {
  readonly expires?: number | undefined
  readonly tags?: ReadonlyArray<string> | undefined
}

/**
 * What `createCache` needs of a cache client: RedwoodJS's client interface. Extend it to write
 * a client of your own: `get` resolves the value or `null`, `set` stores a JSON-safe value,
 * `del` resolves whether the key existed; `disconnect`, when a client has it, is called after
 * a `get` timed out (the client reconnects on its next call).
 *
 * @since 0.1.0
 * @category models
 */
export abstract class BaseClient {
  /** Drops the connection after a timeout; the next call reconnects. Optional. */
  disconnect?(): void | Promise<void>
  /** Opens the connection (clients also connect lazily on first use). */
  abstract connect(): void | Promise<void>
  /** The value under `key` (parsed from JSON), or `null`. */
  abstract get(key: string): unknown
  /** Stores `value` (as JSON) under `key`. */
  abstract set(key: string, value: unknown, options: SetOptions): unknown
  /** Removes `key`; resolves true when it existed. */
  abstract del(key: string): unknown
}
