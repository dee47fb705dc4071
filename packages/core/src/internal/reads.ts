/**
 * Reading entries through the store guard and judging them: one key (synchronously for
 * in-process stores: the hit path), many keys in one round trip, and the raw entry for
 * inspection.
 *
 * @internal
 */
import { Effect, Option } from "effect"

import * as Store from "../Store.js"
import * as Tag from "../Tag.js"
import * as TagVersions from "../TagVersions.js"
import {
  type AnySchema,
  corrupt,
  type FreshHit,
  hitIfFresh,
  judge,
  type Lookup,
  miss,
  unavailable,
  validityOf,
  withPending
} from "./entryState.js"
import type { PendingInvalidations } from "./pendingInvalidations.js"
import type { Counters } from "./stats.js"
import type { StoreGuard } from "./storeGuard.js"

/**
 * A raw read: the entry and the versions of its tag paths, nothing, or the store unreachable.
 *
 * @internal
 */
export type Raw =
  | { readonly _tag: "Found"; readonly entry: Store.Entry; readonly versions: ReadonlyArray<TagVersions.Version> }
  | { readonly _tag: "Absent" }
  | { readonly _tag: "Unavailable" }

const absent: Raw = { _tag: "Absent" }
const unreachable: Raw = { _tag: "Unavailable" }
const found = (entry: Store.Entry, versions: ReadonlyArray<TagVersions.Version>): Raw => ({
  _tag: "Found",
  entry,
  versions
})

/** @internal */
export interface Reads {
  /** The in-process store's synchronous access, when it has one. */
  readonly sync: Store.SyncAccess | undefined
  /**
   * The hit path of an in-process store that can read the cache's namespace directly: the hit
   * of a fresh, valid, already-decoded entry under the key text (the store key without the
   * namespace), or `undefined` when the read needs the full lookup.
   */
  readonly freshHit:
    | ((text: string, schema: AnySchema, failureSchema: AnySchema | undefined) => FreshHit | undefined)
    | undefined
  /** Judges a key of an in-process store synchronously (the hit path). */
  readonly judgeSync: (
    access: Store.SyncAccess,
    storeKey: string,
    schema: AnySchema,
    failureSchema: AnySchema | undefined
  ) => Lookup | typeof corrupt
  /**
   * Judges a key from what a store with an in-process tier holds there (`Store.syncPeek`), or
   * `undefined` when that tier cannot tell without I/O (no such tier, not held, versions unknown).
   */
  readonly peekJudge:
    | ((storeKey: string, schema: AnySchema) => Lookup | typeof corrupt | undefined)
    | undefined
  /** Reads and judges one key. */
  readonly lookup: (storeKey: string, schema: AnySchema, failureSchema: AnySchema | undefined) => Effect.Effect<Lookup>
  /** Reads and judges many keys in one round trip. */
  readonly lookupMany: (storeKeys: ReadonlyArray<string>, schema: AnySchema) => Effect.Effect<ReadonlyArray<Lookup>>
  /** Reads one key's entry and tag versions. */
  readonly readRaw: (storeKey: string) => Effect.Effect<Raw>
  /** The validity of a raw entry, pending invalidations included. */
  readonly validityOfRaw: (
    storeKey: string,
    entry: Store.Entry,
    versions: ReadonlyArray<TagVersions.Version>
  ) => Store.Validity
  /** Deletes an entry that no longer decodes, and counts it. */
  readonly dropCorrupt: (storeKey: string) => Effect.Effect<void>
}

/** What the reads and the writes of one cache work with: the store, its guard, the counters. @internal */
export interface StoreParts {
  /** The cache's namespace, the prefix of its store keys. */
  readonly prefix: string
  readonly store: Store.Service
  readonly tagVersions: TagVersions.Service
  readonly guard: StoreGuard
  readonly pending: PendingInvalidations
  readonly counters: Counters
  /** The clock's time in milliseconds. */
  readonly now: () => number
  /** The clock's time in nanoseconds (for durations). */
  readonly nanos: () => bigint
}

/** @internal */
export const make = (options: StoreParts): Reads => {
  const { counters, guard, now, pending, prefix, store, tagVersions } = options
  const sync = store.local ? store.sync : undefined
  const space = sync?.within?.(prefix)

  const freshHit = sync === undefined || space === undefined
    ? undefined
    : (text: string, schema: AnySchema, failureSchema: AnySchema | undefined) => {
      if (pending.size() !== 0) return undefined
      const time = now()
      const slot = space.read(text, time)
      return slot === undefined ? undefined : hitIfFresh(slot, time, schema, failureSchema, sync)
    }

  const validityOfRaw = (storeKey: string, entry: Store.Entry, versions: ReadonlyArray<TagVersions.Version>) =>
    withPending(validityOf(entry.stamp, versions), pending.coverage(storeKey, entry.tags))

  const judgeSync = (
    access: Store.SyncAccess,
    storeKey: string,
    schema: AnySchema,
    failureSchema: AnySchema | undefined
  ): Lookup | typeof corrupt => {
    const time = now()
    const slot = access.read(storeKey, time)
    if (slot === undefined) return miss
    const entry = slot.entry
    let validity: Store.Validity = entry.tags.length === 0 ? "valid" : access.validity(entry.tags, entry.stamp)
    if (pending.size() !== 0) validity = withPending(validity, pending.coverage(storeKey, entry.tags))
    return judge(entry, validity, time, schema, failureSchema, slot)
  }

  const syncPeek = store.local ? undefined : store.syncPeek
  const peekJudge = syncPeek === undefined ? undefined : (storeKey: string, schema: AnySchema) => {
    const time = now()
    const slot = syncPeek.read(storeKey, time)
    if (slot === undefined) return undefined
    const entry = slot.entry
    let validity = entry.tags.length === 0 ? "valid" : syncPeek.validity(entry.tags, entry.stamp)
    if (validity === undefined) return undefined
    if (pending.size() !== 0) validity = withPending(validity, pending.coverage(storeKey, entry.tags))
    return judge(entry, validity, time, schema, undefined, slot)
  }

  const readRaw = (storeKey: string): Effect.Effect<Raw> => {
    if (store.getWithVersions !== undefined) {
      return Effect.map(
        guard.failOpen("get", Effect.map(store.getWithVersions(storeKey), Option.some), Option.none()),
        (read) =>
          Option.isNone(read)
            ? unreachable
            : Option.isNone(read.value)
            ? absent
            : found(read.value.value[0], read.value.value[1])
      )
    }
    return Effect.flatMap(
      guard.failOpen("get", Effect.map(store.get(storeKey), Option.some), Option.none()),
      (read) => {
        if (Option.isNone(read)) return Effect.succeed(unreachable)
        if (Option.isNone(read.value)) return Effect.succeed(absent)
        const entry = read.value.value
        if (entry.tags.length === 0) return Effect.succeed(found(entry, []))
        return guard.failOpen(
          "versions",
          Effect.map(tagVersions.versions(Tag.prefixesOfAll(entry.tags)), (versions) => found(entry, versions)),
          unreachable
        )
      }
    )
  }

  const dropCorrupt = (storeKey: string) =>
    Effect.suspend(() => {
      counters.decodeFailures++
      return Effect.zipRight(
        Effect.logWarning(`cachet: entry ${storeKey} could not be decoded; treating it as a miss`),
        Effect.asVoid(guard.failOpen("delete", store.delete(storeKey), false))
      )
    })

  const judgeRaw = (
    storeKey: string,
    raw: Raw,
    schema: AnySchema,
    failureSchema: AnySchema | undefined
  ): Effect.Effect<Lookup> => {
    if (raw._tag === "Unavailable") return Effect.succeed(unavailable)
    if (raw._tag === "Absent") return Effect.succeed(miss)
    const judged = judge(
      raw.entry,
      validityOfRaw(storeKey, raw.entry, raw.versions),
      now(),
      schema,
      failureSchema,
      undefined
    )
    return judged._tag === "Corrupt" ? Effect.as(dropCorrupt(storeKey), miss) : Effect.succeed(judged)
  }

  const lookup = (storeKey: string, schema: AnySchema, failureSchema: AnySchema | undefined): Effect.Effect<Lookup> =>
    sync !== undefined
      ? Effect.suspend(() => {
        const judged = judgeSync(sync, storeKey, schema, failureSchema)
        return judged._tag === "Corrupt" ? Effect.as(dropCorrupt(storeKey), miss) : Effect.succeed(judged)
      })
      : Effect.flatMap(readRaw(storeKey), (raw) => judgeRaw(storeKey, raw, schema, failureSchema))

  const lookupMany = (storeKeys: ReadonlyArray<string>, schema: AnySchema) =>
    Effect.gen(function*() {
      const entries = yield* guard.failOpen("getMany", Effect.map(store.getMany(storeKeys), Option.some), Option.none())
      if (Option.isNone(entries)) return storeKeys.map(() => unavailable)
      const paths = new Set<string>()
      for (const entry of entries.value) {
        if (Option.isSome(entry)) { for (const path of Tag.prefixesOfAll(entry.value.tags)) paths.add(path) }
      }
      const pathList = Array.from(paths)
      const versions = pathList.length === 0
        ? Option.some<ReadonlyArray<TagVersions.Version>>([])
        : yield* guard.failOpen("versions", Effect.map(tagVersions.versions(pathList), Option.some), Option.none())
      if (Option.isNone(versions)) return storeKeys.map(() => unavailable)
      const byPath = new Map(pathList.map((path, i) => [path, versions.value[i]!] as const))
      return yield* Effect.forEach(storeKeys, (storeKey, i) => {
        const entry = entries.value[i]!
        if (Option.isNone(entry)) return Effect.succeed(miss)
        const entryVersions = Tag.prefixesOfAll(entry.value.tags).map((path) => byPath.get(path) ?? TagVersions.initial)
        return judgeRaw(storeKey, found(entry.value, entryVersions), schema, undefined)
      })
    })

  return { sync, freshHit, judgeSync, peekJudge, lookup, lookupMany, readRaw, validityOfRaw, dropCorrupt }
}
