/**
 * Batches (DataLoader style): `getMany` reads many keys in one store round trip;
 * `getOrFetchMany` also fetches only the misses, in one batched call — and a key another batch
 * is already fetching is not fetched again: the batch awaits that fetch's value (single-flight
 * across concurrent batches).
 *
 * @internal
 */
import type { Scope } from "effect"
import { Cause, Deferred, Duration, Effect, Exit, FiberId, Option } from "effect"

import type * as Cache from "../Cache.js"
import type * as Key from "../Key.js"
import type * as Store from "../Store.js"
import * as Tag from "../Tag.js"
import { valueOf } from "./entryState.js"
import { type AnyFetchOptions, type Resolved } from "./options.js"
import type { Reads } from "./reads.js"
import { type Counters, countRead } from "./stats.js"
import type { StoreGuard } from "./storeGuard.js"
import type { Writes } from "./writes.js"

/** @internal */
export interface Batches {
  readonly getMany: (
    keys: ReadonlyArray<Key.Input>,
    options?: Cache.EntryOptions<unknown, unknown>
  ) => Effect.Effect<ReadonlyArray<Option.Option<unknown>>>
  readonly getOrFetchMany: (
    items: ReadonlyArray<unknown>,
    fetchMany: (missing: ReadonlyArray<unknown>) => Effect.Effect<ReadonlyArray<unknown>, unknown, unknown>,
    options: Cache.ManyOptions<unknown, unknown, unknown>
  ) => Effect.Effect<ReadonlyArray<unknown>, unknown, unknown>
}

/** A key some batch is fetching: its value, or `None` when that fetch failed (fetch it yourself). */
type Shared = Deferred.Deferred<Option.Option<unknown>>

/** @internal */
export const make = (options: {
  readonly enabled: boolean
  readonly scope: Scope.Scope
  readonly store: Store.Service
  readonly guard: StoreGuard
  readonly counters: Counters
  readonly reads: Reads
  readonly writes: Writes
  readonly resolve: (options: AnyFetchOptions | undefined, writes: boolean) => Resolved
  readonly storeKeyOf: (input: Key.Input) => string
}): Batches => {
  const { counters, enabled, guard, reads, resolve, scope, store, storeKeyOf, writes } = options
  const fetching = new Map<string, Shared>()

  const getMany: Batches["getMany"] = (keys, entryOptions) =>
    Effect.suspend(() => {
      if (!enabled || keys.length === 0) return Effect.succeed(keys.map(() => Option.none<unknown>()))
      const resolved = resolve(entryOptions as AnyFetchOptions | undefined, true)
      return Effect.map(reads.lookupMany(keys.map(storeKeyOf), resolved.schema), (lookups) =>
        lookups.map((found) => {
          countRead(counters, found)
          return valueOf(found)
        }))
    })

  const getOrFetchMany: Batches["getOrFetchMany"] = (items, fetchMany, manyOptions) =>
    Effect.gen(function*() {
      if (!enabled) {
        counters.fetches++
        return yield* fetchMany(items)
      }
      const resolved = resolve(manyOptions as AnyFetchOptions, true)
      const storeKeys = items.map((item) => storeKeyOf(manyOptions.key(item)))
      const lookups = yield* reads.lookupMany(storeKeys, resolved.schema)
      const results = new Array<unknown>(items.length)
      const missing: Array<number> = []
      const stale: Array<number> = []
      lookups.forEach((found, i) => {
        const value = valueOf(found)
        countRead(counters, Option.isNone(value) ? { _tag: "Miss" } : found)
        if (Option.isNone(value)) missing.push(i)
        else {
          results[i] = value.value
          if (found._tag === "Stale") stale.push(i)
        }
      })

      /** Fetches these items in one call and writes what may be written. */
      const fetchAndStore = (indexes: ReadonlyArray<number>) =>
        Effect.gen(function*() {
          const ticket = yield* writes.ticket
          counters.fetches++
          const wanted = indexes.map((i) => items[i])
          const fetched = yield* fetchMany(wanted)
          if (fetched.length !== wanted.length) {
            return yield* Effect.dieMessage(
              `cachet: getOrFetchMany's fetch returned ${fetched.length} values for ${wanted.length} items`
            )
          }
          // What a later hit returns (without a schema: the values as their JSON reads back).
          const values = fetched.map((value) => writes.asServed(resolved.schema, value))
          if (writes.stillWritable(ticket)) {
            const entries: Array<readonly [string, Store.Entry]> = []
            for (let j = 0; j < indexes.length; j++) {
              const value = values[j]
              if (resolved.when !== undefined && !resolved.when(value)) continue
              const i = indexes[j]!
              const tags = Tag.normalize(manyOptions.tagsOf ? manyOptions.tagsOf(items[i], value) : manyOptions.tags)
              const ttl = typeof resolved.ttl === "number"
                ? resolved.ttl
                : Duration.toMillis(resolved.ttl(Exit.succeed(value)))
              const entry = yield* writes.makeEntry(
                storeKeys[i]!,
                resolved.schema,
                value,
                false,
                ticket.value.stamp,
                ttl,
                resolved.grace,
                tags
              )
              if (Option.isSome(entry) && writes.uncovered(storeKeys[i]!, tags)) {
                entries.push([storeKeys[i]!, entry.value])
              }
            }
            if (entries.length > 0) {
              counters.writes += entries.length
              yield* guard.failOpen("setMany", store.setMany(entries), undefined)
            }
          }
          return values
        })

      if (missing.length > 0) {
        // Keys another batch is fetching are awaited; the rest this batch fetches and shares.
        const owned: Array<number> = []
        const joined: Array<readonly [number, Shared]> = []
        const mine = new Map<string, Shared>()
        for (const i of missing) {
          const storeKey = storeKeys[i]!
          const shared = fetching.get(storeKey) ?? mine.get(storeKey)
          if (shared !== undefined && !mine.has(storeKey)) joined.push([i, shared])
          else {
            owned.push(i)
            if (shared === undefined) {
              const created = Deferred.unsafeMake<Option.Option<unknown>>(FiberId.none)
              mine.set(storeKey, created)
              fetching.set(storeKey, created)
            }
          }
        }
        const release = (exit: Exit.Exit<ReadonlyArray<unknown>, unknown>) =>
          Effect.sync(() => {
            owned.forEach((i, j) => {
              const storeKey = storeKeys[i]!
              const shared = mine.get(storeKey)
              if (shared === undefined) return
              mine.delete(storeKey)
              if (fetching.get(storeKey) === shared) fetching.delete(storeKey)
              Deferred.unsafeDone(
                shared,
                Effect.succeed(Exit.isSuccess(exit) ? Option.some(exit.value[j]) : Option.none())
              )
            })
          })
        if (owned.length > 0) {
          const values = yield* Effect.onExit(fetchAndStore(owned), release)
          owned.forEach((i, j) => {
            results[i] = values[j]
          })
        }
        const orphans: Array<number> = []
        for (const [i, shared] of joined) {
          const value = yield* Deferred.await(shared)
          if (Option.isSome(value)) results[i] = value.value
          else orphans.push(i)
        }
        // The batch we joined failed for them: this batch fetches them itself.
        if (orphans.length > 0) {
          const values = yield* fetchAndStore(orphans)
          orphans.forEach((i, j) => {
            results[i] = values[j]
          })
        }
      }
      if (stale.length > 0) {
        counters.backgroundRefreshes++
        yield* Effect.forkIn(
          fetchAndStore(stale).pipe(
            Effect.catchAllCause((cause) =>
              Effect.logWarning("cachet: background refresh of a batch failed; the stale values stay").pipe(
                Effect.annotateLogs("cause", Cause.pretty(cause))
              )
            )
          ),
          scope
        )
      }
      return results
    })

  return { getMany, getOrFetchMany }
}
