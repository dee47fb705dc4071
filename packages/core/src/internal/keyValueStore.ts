import type * as KeyValueStore from "@effect/platform/KeyValueStore"
import { Effect, Option } from "effect"

import * as Store from "../Store.js"
import * as Tag from "../Tag.js"
import * as TagVersions from "../TagVersions.js"
import { hash128 } from "./hash.js"

const INDEX_KEY = "cachet-index"
const TAGS_KEY = "cachet-tags"

const storeError = (operation: string) => (cause: unknown): Store.StoreError =>
  new Store.StoreError({ operation, reason: cause instanceof Error ? cause.message : String(cause), cause })

/**
 * The backing key of an entry: readable when short (file names stay under the usual 255-byte
 * limit once URI-encoded), hashed otherwise. `e:` and `h:` never collide.
 * @internal
 */
export const entryKey = (key: string): string =>
  encodeURIComponent(key).length <= 150 ? `e:${key}` : `h:${hash128(key)}`

const parseJson = (text: Option.Option<string>): unknown => {
  if (Option.isNone(text)) return undefined
  try {
    return JSON.parse(text.value)
  } catch {
    return undefined
  }
}

/**
 * A `Store` and `TagVersions` over a `KeyValueStore`. A `KeyValueStore` cannot list keys, so a
 * key index (one document) and the tag versions (another) are kept in memory and written
 * through under a lock: one process per backing store.
 * @internal
 */
export const make = (
  kv: KeyValueStore.KeyValueStore
): Effect.Effect<Store.Backend, Store.StoreError> =>
  Effect.gen(function*() {
    const lock = yield* Effect.makeSemaphore(1)
    const rawIndex = parseJson(yield* Effect.mapError(kv.get(INDEX_KEY), storeError("open")))
    const index = new Set<string>(
      Array.isArray(rawIndex) ? rawIndex.filter((k): k is string => typeof k === "string") : []
    )
    const rawTags = parseJson(yield* Effect.mapError(kv.get(TAGS_KEY), storeError("open")))
    let counter = 0
    const versions = new Map<string, TagVersions.Version>()
    if (typeof rawTags === "object" && rawTags !== null && "counter" in rawTags && "versions" in rawTags) {
      counter = typeof rawTags.counter === "number" ? rawTags.counter : 0
      if (typeof rawTags.versions === "object" && rawTags.versions !== null) {
        for (const [path, v] of Object.entries(rawTags.versions)) {
          if (Array.isArray(v) && typeof v[0] === "number" && typeof v[1] === "number") {
            versions.set(path, { hard: v[0], soft: v[1] })
          }
        }
      }
    }

    const saveIndex = Effect.suspend(() => kv.set(INDEX_KEY, JSON.stringify(Array.from(index))))
    const saveTags = Effect.suspend(() =>
      kv.set(
        TAGS_KEY,
        JSON.stringify({
          counter,
          versions: Object.fromEntries(Array.from(versions, ([p, v]) => [p, [v.hard, v.soft]]))
        })
      )
    )

    // The file-system store fails to remove a missing file; a missing key is removed already.
    const remove = (key: string) =>
      kv.remove(entryKey(key)).pipe(
        Effect.catchIf((error) => error._tag === "SystemError" && error.reason === "NotFound", () => Effect.void)
      )

    const read = (key: string, now: number) =>
      Effect.map(kv.get(entryKey(key)), (text) => {
        if (Option.isNone(text)) return Option.none<Store.Entry>()
        const entry = Store.decodeEntry(text.value)
        return Option.isSome(entry) && Store.expiresAt(entry.value) <= now ? Option.none<Store.Entry>() : entry
      })

    const get = (key: string) =>
      Effect.flatMap(Effect.clockWith((clock) => clock.currentTimeMillis), (now) => read(key, now)).pipe(
        Effect.mapError(storeError("get"))
      )

    const removeAll = (keys: ReadonlyArray<string>, operation: string) =>
      lock.withPermits(1)(Effect.gen(function*() {
        const now = yield* Effect.clockWith((clock) => clock.currentTimeMillis)
        let existed = 0
        for (const key of keys) {
          if (Option.isSome(yield* read(key, now))) existed++
          yield* remove(key)
          index.delete(key)
        }
        yield* saveIndex
        return existed
      })).pipe(Effect.mapError(storeError(operation)))

    const set = (key: string, entry: Store.Entry) =>
      lock.withPermits(1)(Effect.gen(function*() {
        const now = yield* Effect.clockWith((clock) => clock.currentTimeMillis)
        if (Store.expiresAt(entry) <= now) {
          yield* remove(key)
          if (index.delete(key)) yield* saveIndex
          return
        }
        yield* kv.set(entryKey(key), Store.encodeEntry(entry))
        if (!index.has(key)) {
          index.add(key)
          yield* saveIndex
        }
      })).pipe(Effect.mapError(storeError("set")))

    const versionsOf = (paths: ReadonlyArray<string>) => paths.map((path) => versions.get(path) ?? TagVersions.initial)

    const store = Store.make({
      name: "key-value",
      local: false,
      get,
      getWithVersions: (key) =>
        Effect.map(get(key), Option.map((entry) => [entry, versionsOf(Tag.prefixesOfAll(entry.tags))] as const)),
      set,
      delete: (key) => Effect.map(removeAll([key], "delete"), (n) => n > 0),
      deleteMany: (keys) => removeAll(keys, "deleteMany"),
      clear: (prefix) =>
        Effect.suspend(() => removeAll(Array.from(index).filter((key) => key.startsWith(prefix)), "clear")),
      keys: ({ limit, prefix }) =>
        Effect.gen(function*() {
          const now = yield* Effect.clockWith((clock) => clock.currentTimeMillis)
          const out: Array<string> = []
          for (const key of Array.from(index)) {
            if (out.length >= limit) break
            if (key.startsWith(prefix) && Option.isSome(yield* read(key, now))) out.push(key)
          }
          return out
        }).pipe(Effect.mapError(storeError("keys")))
    })

    const tagVersions: TagVersions.Service = {
      counter: Effect.sync(() => counter),
      versions: (paths) => Effect.sync(() => versionsOf(paths)),
      bump: (paths, mode) =>
        lock.withPermits(1)(Effect.suspend(() => {
          counter++
          for (const path of paths) {
            const current = versions.get(path) ?? TagVersions.initial
            versions.set(
              path,
              mode === "hard" ? { hard: counter, soft: current.soft } : { hard: current.hard, soft: counter }
            )
          }
          return Effect.as(saveTags, counter)
        })).pipe(Effect.mapError(storeError("bump")))
    }

    return { store, tagVersions }
  })
