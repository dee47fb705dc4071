/**
 * What a stored entry means to a read: one pure classifier of freshness (fresh, stale,
 * expired, invalidated) from the entry, its validity under the tag versions and the clock, and
 * the lookup result a read acts on, with the store's unavailability as its own case.
 *
 * @internal
 */
import type { Schema } from "effect"
import { Effect, Either, Option, Utils } from "effect"

import * as BoundedMemo from "../BoundedMemo.js"
import type * as Cache from "../Cache.js"
import * as Codec from "../Codec.js"
import type * as Store from "../Store.js"
import type * as TagVersions from "../TagVersions.js"
import type { Coverage } from "./pendingInvalidations.js"

/** @internal */
export type AnySchema = Schema.Schema<unknown, unknown, never>

/**
 * The validity of a stamp under the versions of its tag paths.
 *
 * @internal
 */
export const validityOf = (stamp: number, versions: ReadonlyArray<TagVersions.Version>): Store.Validity => {
  let expired = false
  for (let i = 0; i < versions.length; i++) {
    const version = versions[i]!
    if (version.hard >= stamp) return "invalidated"
    if (version.soft >= stamp) expired = true
  }
  return expired ? "expired" : "valid"
}

/**
 * A validity with the invalidations still pending for the store applied on top.
 *
 * @internal
 */
export const withPending = (validity: Store.Validity, coverage: Coverage): Store.Validity =>
  coverage === "none" || validity === "invalidated"
    ? validity
    : coverage === "invalidated"
    ? "invalidated"
    : "expired"

/**
 * The one classifier of an entry's `Cache.State` at a moment:
 * - `fresh`: within its ttl and valid;
 * - `stale`: past its ttl or soft-expired, but inside its grace (served while refreshed);
 * - `expired`: past ttl + grace (or soft-expired past it): a miss;
 * - `invalidated`: hard-invalidated: a miss, never served, not even on error.
 *
 * @internal
 */
export const classify = (entry: Store.Entry, validity: Store.Validity, now: number): Cache.State => {
  if (validity === "invalidated") return "invalidated"
  const expiresAt = entry.createdAt + entry.ttl
  if (now < expiresAt && validity === "valid") return "fresh"
  return now < expiresAt + entry.grace ? "stale" : "expired"
}

/** A decoded entry: the value, or a cached typed failure. */
export type Decoded = { readonly failed: false; readonly value: unknown } | {
  readonly failed: true
  readonly error: unknown
}

/**
 * What a read of one key found:
 * - `Fresh` / `Stale`: a usable entry (`served` is the effect that returns it, built once per entry);
 * - `Miss`: nothing usable: fetch, and write the result;
 * - `Unavailable`: the store could not be read: fetch directly, and do not try to write.
 *
 * @internal
 */
export type Lookup =
  | {
    readonly _tag: "Fresh" | "Stale"
    readonly decoded: Decoded
    readonly createdAt: number
    readonly served: Effect.Effect<unknown, unknown>
  }
  | { readonly _tag: "Miss" }
  | { readonly _tag: "Unavailable" }

/** @internal */
export const miss: Lookup = { _tag: "Miss" }

/** @internal */
export const unavailable: Lookup = { _tag: "Unavailable" }

/**
 * A stored entry that no longer decodes (to be deleted and counted).
 *
 * @internal
 */
export const corrupt = { _tag: "Corrupt" } as const

/**
 * One decoded entry's lookups, kept beside it, with what a later hit checks copied from the
 * entry so that it reads this object and nothing else.
 */
interface Judged {
  readonly schema: AnySchema
  readonly createdAt: number
  readonly fresh: Lookup
  readonly stale: Lookup
  readonly served: Effect.Effect<unknown, unknown>
  /** The first step of a `yield*` on `served`, shared by every hit on the entry. */
  readonly step: IteratorYieldResult<Utils.YieldWrap<Effect.Effect<unknown, unknown>>>
  /** Whether the entry holds a cached failure (served only to reads that cache failures). */
  readonly failed: boolean
  /** `createdAt + ttl`: the entry is fresh before it, while valid. */
  readonly freshUntil: number
  readonly stamp: number
  readonly tags: ReadonlyArray<string>
  /** Whether it has tags (whose validity a hit checks). */
  readonly tagged: boolean
  /** The store's generation at which the entry was last found valid (`-1`: not yet). */
  validAt: number
}

/** Judgments of entries without a slot (read from a remote store), bounded and held weakly. */
const judgedOf = BoundedMemo.makeWeak<Store.Entry, Judged>(10_000)

/**
 * Freezes plain objects and arrays, deeply (what every decoded value a read serves is).
 *
 * @internal
 */
export const deepFreeze = <A>(value: A): A => {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    const proto = Object.getPrototypeOf(value)
    if (Array.isArray(value) || proto === Object.prototype || proto === null) {
      Object.freeze(value)
      for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key])
    }
  }
  return value
}

const decode = (
  entry: Store.Entry,
  schema: AnySchema,
  failureSchema: AnySchema | undefined
): Option.Option<Decoded> => {
  if (entry.failed) {
    if (failureSchema === undefined) return Option.none()
    const result = Codec.decode(failureSchema, entry.value)
    return Either.isLeft(result) ? Option.none() : Option.some({ failed: true, error: result.right })
  }
  const result = Codec.decode(schema, entry.value)
  return Either.isLeft(result) ? Option.none() : Option.some({ failed: false, value: deepFreeze(result.right) })
}

/**
 * What an entry means for a read with these schemas. The decoded value and its lookups are
 * kept on the in-process slot when there is one (or beside the entry), so a hit decodes nothing
 * and allocates nothing.
 *
 * @internal
 */
export const judge = (
  entry: Store.Entry,
  validity: Store.Validity,
  now: number,
  schema: AnySchema,
  failureSchema: AnySchema | undefined,
  slot: Store.Slot | undefined
): Lookup | typeof corrupt => {
  const freshness = classify(entry, validity, now)
  if (freshness === "invalidated" || freshness === "expired") return miss
  // A cached failure read without a failure schema is simply not usable here (whatever an
  // earlier read with one kept beside the entry).
  if (entry.failed && failureSchema === undefined) return miss
  let judged = (slot !== undefined ? slot.memo : judgedOf.get(entry)) as Judged | undefined
  if (judged === undefined || judged.schema !== schema) {
    const decoded = decode(entry, schema, failureSchema)
    if (Option.isNone(decoded)) return corrupt
    const served = decoded.value.failed ? Effect.fail(decoded.value.error) : Effect.succeed(decoded.value.value)
    judged = {
      schema,
      createdAt: entry.createdAt,
      fresh: { _tag: "Fresh", decoded: decoded.value, createdAt: entry.createdAt, served },
      stale: { _tag: "Stale", decoded: decoded.value, createdAt: entry.createdAt, served },
      served,
      step: { value: new Utils.YieldWrap(served), done: false },
      failed: entry.failed,
      freshUntil: entry.createdAt + entry.ttl,
      stamp: entry.stamp,
      tags: entry.tags,
      tagged: entry.tags.length !== 0,
      validAt: -1
    }
    if (slot !== undefined) slot.memo = judged
    else judgedOf.set(entry, judged)
  }
  return freshness === "fresh" ? judged.fresh : judged.stale
}

/**
 * The value a usable lookup holds (not a cached failure), for stale-if-error and `CacheOnly`.
 *
 * @internal
 */
export const valueOf = (found: Lookup): Option.Option<unknown> =>
  (found._tag === "Fresh" || found._tag === "Stale") && !found.decoded.failed
    ? Option.some(found.decoded.value)
    : Option.none()

/**
 * A hit on the hit path: the effect that returns the value, and the first step of a `yield*` on
 * it (both made once per entry).
 *
 * @internal
 */
export interface FreshHit {
  /** When the entry was written (what a served report's age counts from). */
  readonly createdAt: number
  /** The fresh lookup (its decoded value). */
  readonly fresh: Lookup
  readonly served: Effect.Effect<unknown, unknown>
  readonly step: IteratorYieldResult<Utils.YieldWrap<Effect.Effect<unknown, unknown>>>
}

/**
 * The hit of an in-process slot already judged for this schema, when it is fresh and valid at
 * `now` (the hit path: it reads the slot's memo and nothing of the entry); `undefined` when the
 * read needs the full judgment (not judged yet, another schema, stale, or maybe invalid).
 *
 * @internal
 */
export const hitIfFresh = (
  slot: Store.Slot,
  now: number,
  schema: AnySchema,
  failureSchema: AnySchema | undefined,
  access: Store.SyncAccess
): FreshHit | undefined => {
  const judged = slot.memo as Judged | undefined
  if (judged === undefined || judged.schema !== schema || now >= judged.freshUntil) return undefined
  if (judged.failed && failureSchema === undefined) return undefined
  if (judged.tagged) {
    const generation = access.generation === undefined ? -1 : access.generation()
    if (generation === -1 || judged.validAt !== generation) {
      if (access.validity(judged.tags, judged.stamp) !== "valid") return undefined
      judged.validAt = generation
    }
  }
  return judged
}
