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
  /** @deprecated Use `ttl` (any `Duration` input); still read when `ttl` is absent. */
  readonly ttlMillis?: number
  /** @deprecated Use `wait` (any `Duration` input); still read when `wait` is absent. */
  readonly waitMillis?: number
}

/**
 * Default lock timings: held at most 10 s, waited on at most 5 s.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaults: Options & { readonly ttlMillis: number; readonly waitMillis: number } = {
  ttl: Duration.seconds(10),
  wait: Duration.seconds(5),
  ttlMillis: 10_000,
  waitMillis: 5_000
}

/**
 * Lock timings in milliseconds, from options over the defaults (new names first).
 *
 * @since 0.1.0
 * @category getters
 */
export const millisOf = (
  options: Options | undefined
): { readonly ttlMillis: number; readonly waitMillis: number } => ({
  ttlMillis: options?.ttl !== undefined
    ? Duration.toMillis(Duration.decode(options.ttl))
    : options?.ttlMillis ?? defaults.ttlMillis,
  waitMillis: options?.wait !== undefined
    ? Duration.toMillis(Duration.decode(options.wait))
    : options?.waitMillis ?? defaults.waitMillis
})
