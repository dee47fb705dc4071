import { createHash } from "node:crypto"

import { Store } from "@cachet/core"
import { Clock, Effect, Option } from "effect"
import type { Client } from "memjs"

/** @internal */
export const storeError = (operation: string) => (cause: unknown): Store.StoreError =>
  new Store.StoreError({ operation, reason: Store.describeCause(cause), cause })

/** A memjs promise as an effect failing with a `StoreError`. @internal */
export const call = <A>(operation: string, f: () => Promise<A>): Effect.Effect<A, Store.StoreError> =>
  Effect.tryPromise({ try: f, catch: storeError(operation) })

/** Memcached's longest key, in bytes. @internal */
export const MAX_KEY_BYTES = 250

const THIRTY_DAYS_SECONDS = 60 * 60 * 24 * 30
const INDEX_SHARDS = 8

/** @internal */
export interface Settings {
  readonly keyPrefix: string
  readonly maxValueBytes: number
  /** Most keys this process remembers having indexed (to append each key once). */
  readonly indexMemory: number
}

/**
 * A memcached key for any string: printable ASCII that fits is kept as is (readable in
 * `stats cachedump`), anything else (spaces, non-ASCII, too long) becomes `#` + SHA-256.
 * @internal
 */
export const encodeKey = (prefix: string, key: string): string => {
  const full = prefix + key
  return /^[!-~]+$/.test(key) && !key.startsWith("#") && full.length <= MAX_KEY_BYTES
    ? full
    : `${prefix}#${createHash("sha256").update(key).digest("base64url")}`
}

/** Seconds to memcached's expiry field: 0 never, above 30 days an absolute Unix time. @internal */
export const expiryField = (expiresAt: number, now: number): number => {
  if (!Number.isFinite(expiresAt)) return 0
  const seconds = Math.max(1, Math.ceil((expiresAt - now) / 1000))
  return seconds > THIRTY_DAYS_SECONDS ? Math.ceil(expiresAt / 1000) : seconds
}

const shardOf = (key: string): number => {
  let h = 0
  for (let i = 0; i < key.length; i++) h = (Math.imul(h, 31) + key.charCodeAt(i)) | 0
  return (h >>> 0) % INDEX_SHARDS
}

/** A stored decimal number; 0 when absent or unreadable. @internal */
export const parseNumber = (value: Buffer | null): number => {
  if (value === null) return 0
  const n = Number(value.toString("utf8"))
  return Number.isFinite(n) ? n : 0
}

/** @internal */
export const makeStore = (client: Client, settings: Settings): Store.Service => {
  const entryKey = (key: string) => encodeKey(`${settings.keyPrefix}e:`, key)
  const indexKey = (shard: number) => `${settings.keyPrefix}i:${shard}`
  const indexed = new Set<string>()

  const decode = (value: Buffer | null, now: number): Option.Option<Store.Entry> => {
    if (value === null) return Option.none()
    const entry = Store.decodeEntry(value.toString("utf8"))
    return Option.isSome(entry) && Store.expiresAt(entry.value) <= now ? Option.none() : entry
  }

  const get = (key: string) =>
    Effect.zipWith(
      call("get", () => client.get(entryKey(key))),
      Clock.currentTimeMillis,
      ({ value }, now) => decode(value, now)
    )

  // The key index: memcached cannot list keys, so each stored key is appended once (per
  // process) to one of a few index items. `append` is atomic; the index is rewritten without
  // dead keys when `clear` runs. It is best effort: a key whose line was lost (index evicted,
  // rewrite racing an append) is not listed, but still expires by its TTL.
  const index = (key: string) =>
    indexed.has(key) ? Effect.void : Effect.gen(function*() {
      const line = `${JSON.stringify(key)}\n`
      const shard = indexKey(shardOf(key))
      const appended = yield* call("set", () => client.append(shard, line)).pipe(Effect.orElseSucceed(() => false))
      if (!appended) {
        const added = yield* call("set", () => client.add(shard, line, { expires: 0 })).pipe(
          Effect.orElseSucceed(() => false)
        )
        if (!added) {
          const again = yield* call("set", () => client.append(shard, line)).pipe(Effect.orElseSucceed(() => false))
          // The shard reached memcached's item limit: start it over (older keys go unlisted,
          // they still expire by their TTL). This bounds the index at a few megabytes.
          if (!again) yield* call("set", () => client.set(shard, line, { expires: 0 })).pipe(Effect.ignore)
        }
      }
      if (indexed.size >= settings.indexMemory) indexed.clear()
      indexed.add(key)
    })

  const readIndex = (shard: number) =>
    Effect.map(call("keys", () => client.get(indexKey(shard))), ({ value }) => {
      const keys = new Set<string>()
      if (value === null) return keys
      for (const line of value.toString("utf8").split("\n")) {
        if (line === "") continue
        try {
          const key: unknown = JSON.parse(line)
          if (typeof key === "string") keys.add(key)
        } catch {
          // a torn line: skip it
        }
      }
      return keys
    })

  const set = (key: string, entry: Store.Entry) =>
    Effect.gen(function*() {
      const now = yield* Clock.currentTimeMillis
      const expiresAt = Store.expiresAt(entry)
      if (expiresAt <= now) {
        yield* call("set", () => client.delete(entryKey(key)))
        return
      }
      const text = Store.encodeEntry(entry)
      const bytes = Buffer.byteLength(text, "utf8")
      if (bytes > settings.maxValueBytes) {
        return yield* new Store.StoreError({
          operation: "set",
          reason: `value of ${bytes} bytes exceeds the memcached item limit of ${settings.maxValueBytes} bytes`
        })
      }
      const stored = yield* call("set", () => client.set(entryKey(key), text, { expires: expiryField(expiresAt, now) }))
      if (!stored) return yield* new Store.StoreError({ operation: "set", reason: "memcached did not store the item" })
      yield* index(key)
    })

  const remove = (key: string) => call("delete", () => client.delete(entryKey(key)))

  const underPrefix = (prefix: string) =>
    Effect.map(
      Effect.forEach(Array.from({ length: INDEX_SHARDS }, (_, i) => i), readIndex, { concurrency: "unbounded" }),
      (shards) => shards.map((keys) => Array.from(keys).filter((key) => key.startsWith(prefix)))
    )

  return Store.make({
    name: "memcached",
    local: false,
    get,
    getMany: (keys) =>
      Effect.flatMap(
        Clock.currentTimeMillis,
        (now) =>
          Effect.forEach(keys, (key) =>
            Effect.map(call("getMany", () => client.get(entryKey(key))), ({ value }) => decode(value, now)), {
            concurrency: "unbounded"
          })
      ),
    set,
    setMany: (entries) =>
      Effect.forEach(entries, ([key, entry]) => set(key, entry), { concurrency: "unbounded", discard: true }),
    delete: remove,
    deleteMany: (keys) =>
      Effect.map(Effect.forEach(keys, remove, { concurrency: "unbounded" }), (found) => found.filter(Boolean).length),
    clear: (prefix) =>
      Effect.gen(function*() {
        const shards = yield* underPrefix(prefix)
        let removed = 0
        yield* Effect.forEach(shards, (keys, shard) =>
          Effect.gen(function*() {
            if (keys.length === 0) return
            const found = yield* Effect.forEach(keys, remove, { concurrency: "unbounded" })
            removed += found.filter(Boolean).length
            for (const key of keys) indexed.delete(key)
            // Rewrite the shard without the cleared keys.
            const gone = new Set(keys)
            const rest = Array.from(yield* readIndex(shard)).filter((key) => !gone.has(key))
            yield* call(
              "clear",
              () => client.set(indexKey(shard), rest.map((key) => `${JSON.stringify(key)}\n`).join(""), { expires: 0 })
            )
          }), { concurrency: "unbounded", discard: true })
        return removed
      }),
    keys: ({ limit, prefix }) =>
      Effect.gen(function*() {
        const candidates = (yield* underPrefix(prefix)).flat()
        const out: Array<string> = []
        for (let i = 0; i < candidates.length && out.length < limit; i += 100) {
          const batch = candidates.slice(i, i + 100)
          const present = yield* Effect.forEach(batch, (key) => Effect.map(get(key), Option.isSome), {
            concurrency: "unbounded"
          })
          batch.forEach((key, j) => {
            if (present[j] && out.length < limit) out.push(key)
          })
        }
        return out
      })
  })
}
