/**
 * An optional cross-process lock the `Cache` takes on a miss, so that across many processes one
 * of them runs the fetch while the others wait for its result (Redis: `SET NX PX`).
 *
 * @since 0.1.0
 */
import { Context, Effect, Option } from "effect"
import type { StoreError } from "./Store.js"

/**
 * What a lock backend provides.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** Tries once to take the lock for `ttlMillis`; the token proves ownership, `None` if held elsewhere. */
  readonly acquire: (key: string, ttlMillis: number) => Effect.Effect<Option.Option<string>, StoreError>
  /** Releases the lock if this token still owns it. */
  readonly release: (key: string, token: string) => Effect.Effect<void, StoreError>
}

/**
 * The `Lock` service tag. When the layer that builds the `Cache` also provides a `Lock`, misses
 * take it; without one, single-flight is per process.
 *
 * @since 0.1.0
 * @category tags
 */
export class Lock extends Context.Tag("@cachet/core/Lock")<Lock, Service>() {}

/**
 * How a cache uses the lock: how long a lock may be held, and how long another process waits
 * for the holder's result (polling the store) before fetching itself.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  readonly ttlMillis: number
  readonly waitMillis: number
}

/**
 * Default lock timings: held at most 10 s, waited on at most 5 s.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaults: Options = { ttlMillis: 10_000, waitMillis: 5_000 }
