/**
 * Tag versions: one monotonic counter and, per tag path, the counter value of its last hard
 * invalidation and of its last soft expiry. An entry is valid while every prefix of every one
 * of its tags has a hard version below its stamp; it counts as expired when a soft version has
 * reached it. Invalidation is O(1) whatever the number of entries, and immune to clock skew.
 *
 * @since 0.1.0
 */
import { Context, Effect } from "effect"

import type { StoreError } from "./Store.js"

/**
 * The versions of one tag path (0 when it was never bumped).
 *
 * @since 0.1.0
 * @category models
 */
export interface Version {
  readonly hard: number
  readonly soft: number
}

/**
 * A hard bump invalidates (never served again); a soft bump expires (grace still applies).
 *
 * @since 0.1.0
 * @category models
 */
export type Mode = "hard" | "soft"

/**
 * What a tag-versions backend provides.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** The current counter value. */
  readonly counter: Effect.Effect<number, StoreError>
  /** The versions of many tag paths, in order, in one call. */
  readonly versions: (paths: ReadonlyArray<string>) => Effect.Effect<ReadonlyArray<Version>, StoreError>
  /** Increments the counter once and sets every path's hard or soft version to it; returns it. */
  readonly bump: (paths: ReadonlyArray<string>, mode: Mode) => Effect.Effect<number, StoreError>
}

/**
 * The `TagVersions` service tag.
 *
 * @since 0.1.0
 * @category tags
 */
export class TagVersions extends Context.Tag("@cachet/core/TagVersions")<TagVersions, Service>() {}

/**
 * A path that was never bumped.
 *
 * @since 0.1.0
 * @category constants
 */
export const initial: Version = { hard: 0, soft: 0 }

/**
 * The stamp of an entry whose fetch starts now: the counter plus one.
 *
 * @since 0.1.0
 * @category getters
 */
export const stampOf = (counter: number): number => counter + 1

/**
 * Whether an entry with this stamp was hard-invalidated by any of these versions.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isInvalidated = (stamp: number, versions: ReadonlyArray<Version>): boolean => {
  for (let i = 0; i < versions.length; i++) if (versions[i]!.hard >= stamp) return true
  return false
}

/**
 * Whether an entry with this stamp was soft-expired by any of these versions.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isSoftExpired = (stamp: number, versions: ReadonlyArray<Version>): boolean => {
  for (let i = 0; i < versions.length; i++) if (versions[i]!.soft >= stamp) return true
  return false
}
