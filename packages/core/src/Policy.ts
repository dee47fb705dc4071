/**
 * Cache policies per call (Houdini's): how a read combines the cache and the fetch.
 *
 * @since 0.1.0
 */
import type { Effect, Option, Stream } from "effect"

/**
 * - `CacheOrNetwork` (default): the cached value when there is one, otherwise fetch and store.
 * - `CacheAndNetwork`: a stream of the cached value (when there is one), then the fresh one.
 * - `NetworkOnly`: always fetch and store (`renew`: what cache warmers use).
 * - `CacheOnly`: the cached value as an `Option`; never fetches.
 * - `NoCache`: fetch; never reads or writes the cache.
 *
 * @since 0.1.0
 * @category models
 */
export type Policy = "CacheOrNetwork" | "CacheAndNetwork" | "NetworkOnly" | "CacheOnly" | "NoCache"

/**
 * @since 0.1.0
 * @category constants
 */
export const CacheOrNetwork = "CacheOrNetwork" as const
/**
 * @since 0.1.0
 * @category constants
 */
export const CacheAndNetwork = "CacheAndNetwork" as const
/**
 * @since 0.1.0
 * @category constants
 */
export const NetworkOnly = "NetworkOnly" as const
/**
 * @since 0.1.0
 * @category constants
 */
export const CacheOnly = "CacheOnly" as const
/**
 * @since 0.1.0
 * @category constants
 */
export const NoCache = "NoCache" as const

/**
 * Every policy, for command lines and validation.
 *
 * @since 0.1.0
 * @category constants
 */
export const all: ReadonlyArray<Policy> = [CacheOrNetwork, CacheAndNetwork, NetworkOnly, CacheOnly, NoCache]

/**
 * What a read returns under a policy: a `Stream` for `CacheAndNetwork`, an `Option` that never
 * fails for `CacheOnly`, the value otherwise.
 *
 * @since 0.1.0
 * @category models
 */
export type Result<P extends Policy, A, E, R> = P extends "CacheAndNetwork" ? Stream.Stream<A, E, R>
  : P extends "CacheOnly" ? Effect.Effect<Option.Option<A>, never, R>
  : Effect.Effect<A, E, R>
