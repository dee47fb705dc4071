/**
 * An optional cross-process lock the `Cache` takes on a miss, so that across many processes one
 * of them runs the fetch while the others wait for its result (Redis: `SET NX PX`).
 *
 * @since 0.1.0
 */
import type { Effect, Option } from "effect"
import { Context, Duration } from "effect"

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
  /** How long a lock may be held (default 10 seconds). */
  readonly ttl?: Duration.DurationInput
  /** How long another process waits for the holder's result before fetching itself (default 5 seconds). */
  readonly wait?: Duration.DurationInput
}

/**
 * Default lock timings: held at most 10 s, waited on at most 5 s.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaults: { readonly ttl: Duration.Duration; readonly wait: Duration.Duration } = {
  ttl: Duration.seconds(10),
  wait: Duration.seconds(5)
}

/**
 * Lock timings in milliseconds, from options over the defaults.
 *
 * @since 0.1.0
 * @category getters
 */
export const millisOf = (
  options: Options | undefined
): { readonly ttlMillis: number; readonly waitMillis: number } => ({
  ttlMillis: Duration.toMillis(options?.ttl ?? defaults.ttl),
  waitMillis: Duration.toMillis(options?.wait ?? defaults.wait)
})
