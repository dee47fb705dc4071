import { Store, Tag, TagVersions } from "@cachet/core"
import { Clock, Effect, Option } from "effect"

import type { Client } from "../RedisClient.js"
import * as Script from "./script.js"

/** @internal */
export const storeError = (operation: string) => (cause: unknown): Store.StoreError =>
  new Store.StoreError({ operation, reason: Store.describeCause(cause), cause })

/** @internal */
export const call = <A>(operation: string, f: () => Promise<A>): Effect.Effect<A, Store.StoreError> =>
  Effect.tryPromise({ try: f, catch: storeError(operation) })

/** Escapes a literal for a `SCAN MATCH` glob. @internal */
export const globEscape = (text: string): string => text.replace(/[\\*?[\]]/g, (c) => `\\${c}`)

/** @internal */
export interface Keys {
  readonly entry: (key: string) => string
  readonly entryPrefix: string
  readonly counter: string
  readonly versions: string
}

/** @internal */
export const keysFor = (keyPrefix: string): Keys => ({
  entry: (key) => `${keyPrefix}e:${key}`,
  entryPrefix: `${keyPrefix}e:`,
  counter: `${keyPrefix}t:counter`,
  versions: `${keyPrefix}t:versions`
})

const parseVersion = (text: unknown): number => {
  const n = typeof text === "string" ? Number(text) : typeof text === "number" ? text : 0
  return Number.isFinite(n) ? n : 0
}

/** @internal */
export const makeTagVersions = (client: Client, keys: Keys): TagVersions.Service => {
  const versions = (paths: ReadonlyArray<string>) =>
    paths.length === 0
      ? Effect.succeed([] as ReadonlyArray<TagVersions.Version>)
      : Effect.map(
        call("versions", () => client.hmget(keys.versions, ...paths.flatMap((path) => [`h:${path}`, `s:${path}`]))),
        (values) => paths.map((_, i) => ({ hard: parseVersion(values[2 * i]), soft: parseVersion(values[2 * i + 1]) }))
      )
  return {
    counter: Effect.map(call("counter", () => client.get(keys.counter)), parseVersion),
    versions,
    bump: (paths, mode) =>
      Effect.map(
        call("bump", () =>
          Script.run(client, Script.BUMP, [keys.counter, keys.versions], [mode === "hard" ? "h:" : "s:", ...paths])),
        parseVersion
      )
  }
}

/** @internal */
export const makeStore = (client: Client, keys: Keys, tagVersions: TagVersions.Service): Store.Service => {
  const decode = (text: string | null, now: number): Option.Option<Store.Entry> => {
    if (text === null) return Option.none()
    const entry = Store.decodeEntry(text)
    // Redis expires at millisecond precision on its own clock; the entry's own time is the truth.
    return Option.isSome(entry) && Store.expiresAt(entry.value) <= now ? Option.none() : entry
  }

  const scan = (prefix: string, limit: number, onBatch: (keys: Array<string>) => Promise<void>) =>
    call("scan", async () => {
      let cursor = "0"
      let seen = 0
      const match = `${globEscape(keys.entry(prefix))}*`
      do {
        const [next, batch] = await client.scan(cursor, "MATCH", match, "COUNT", 1000)
        cursor = next
        const taken = batch.slice(0, Math.max(0, limit - seen))
        seen += taken.length
        if (taken.length > 0) await onBatch(taken)
      } while (cursor !== "0" && seen < limit)
      return seen
    })

  const strip = (key: string) => key.slice(keys.entryPrefix.length)

  /**
   * Scans keys and reads their entries in the same round trips: each pipeline sends the `MGET`
   * of the batch found last with the `SCAN` for the next one.
   */
  const listEntries = ({ limit, prefix, tag }: Store.ListOptions) =>
    Effect.flatMap(Clock.currentTimeMillis, (now) =>
      call("listEntries", async (): Promise<Store.Listed> => {
        const entries: Array<readonly [string, Store.Entry]> = []
        const needle = tag === undefined ? undefined : Store.tagNeedle(tag)
        const take = (batch: ReadonlyArray<string>, texts: ReadonlyArray<string | null>) => {
          texts.forEach((text, i) => {
            if (text === null || (needle !== undefined && !text.includes(needle))) return
            const entry = decode(text, now)
            if (Option.isSome(entry) && (tag === undefined || Store.carriesTag(entry.value, tag))) {
              entries.push([strip(batch[i]!), entry.value])
            }
          })
        }
        const match = `${globEscape(keys.entry(prefix))}*`
        let cursor: string | undefined = "0"
        let pending: Array<string> = []
        let scanned = 0
        while (cursor !== undefined || pending.length > 0) {
          const pipeline = client.pipeline()
          const reading = pending
          if (reading.length > 0) pipeline.mget(reading)
          if (cursor !== undefined) pipeline.scan(cursor, "MATCH", match, "COUNT", 1000)
          const results = (await pipeline.exec()) ?? []
          const failed = results.find(([error]) => error !== null)
          if (failed) throw failed[0]
          if (reading.length > 0) take(reading, results[0]![1] as Array<string | null>)
          pending = []
          if (cursor !== undefined) {
            const [next, batch] = results[results.length - 1]![1] as [string, Array<string>]
            pending = batch.slice(0, Math.max(0, limit - scanned))
            scanned += pending.length
            cursor = next === "0" || scanned >= limit ? undefined : next
          }
        }
        return { scanned, entries }
      }))

  return Store.make({
    name: "redis",
    local: false,
    get: (key) => Effect.zipWith(call("get", () => client.get(keys.entry(key))), Clock.currentTimeMillis, decode),
    getMany: (many) =>
      many.length === 0
        ? Effect.succeed([])
        : Effect.zipWith(
          call("getMany", () => client.mget(many.map(keys.entry))),
          Clock.currentTimeMillis,
          (texts, now) => texts.map((text) => decode(text, now))
        ),
    getWithVersions: (key) =>
      Effect.gen(function*() {
        const reply = yield* call("getWithVersions", () =>
          Script.run(client, Script.GET_WITH_VERSIONS, [keys.entry(key), keys.versions], []))
        if (!Array.isArray(reply) || typeof reply[0] !== "string") {
          return Option.none()
        }
        const entry = decode(reply[0], yield* Clock.currentTimeMillis)
        if (Option.isNone(entry)) {
          return Option.none()
        }
        const found = new Map<string, TagVersions.Version>()
        for (let i = 1; i + 2 < reply.length; i += 3) {
          found.set(String(reply[i]), { hard: parseVersion(reply[i + 1]), soft: parseVersion(reply[i + 2]) })
        }
        const paths = Tag.prefixesOfAll(entry.value.tags)
        // The script could not read the tags (e.g. text the Lua JSON decoder rejects): ask again.
        const versions = paths.every((path) =>
            found.has(path)
          )
          ? paths.map((path) => found.get(path)!)
          : yield* tagVersions.versions(paths)
        return Option.some([entry.value, versions] as const)
      }),
    set: (key, entry) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) => {
        const ttl = Store.expiresAt(entry) - now
        if (ttl <= 0) return Effect.asVoid(call("set", () => client.unlink(keys.entry(key))))
        const text = Store.encodeEntry(entry)
        return Effect.asVoid(call("set", () =>
          Number.isFinite(ttl)
            ? client.set(keys.entry(key), text, "PX", Math.ceil(ttl))
            : client.set(keys.entry(key), text)))
      }),
    setMany: (entries) =>
      entries.length === 0 ?
        Effect.void :
        Effect.flatMap(Clock.currentTimeMillis, (now) =>
          call("setMany", async () => {
            const pipeline = client.pipeline()
            for (const [key, entry] of entries) {
              const ttl = Store.expiresAt(entry) - now
              if (ttl <= 0) pipeline.unlink(keys.entry(key))
              else if (Number.isFinite(ttl)) {
                pipeline.set(keys.entry(key), Store.encodeEntry(entry), "PX", Math.ceil(ttl))
              } else pipeline.set(keys.entry(key), Store.encodeEntry(entry))
            }
            const results = await pipeline.exec()
            const failed = results?.find(([error]) => error !== null)
            if (failed) {
              throw failed[0]
            }
          })),
    delete: (key) => Effect.map(call("delete", () => client.unlink(keys.entry(key))), (n) => n > 0),
    deleteMany: (many) =>
      many.length === 0 ? Effect.succeed(0) : call("deleteMany", () => client.unlink(...many.map(keys.entry))),
    clear: (prefix) =>
      Effect.suspend(() => {
        let removed = 0
        return Effect.map(
          scan(prefix, Infinity, async (batch) => {
            removed += await client.unlink(...batch)
          }),
          () => removed
        )
      }),
    listEntries,
    keys: ({ limit, prefix }) =>
      Effect.suspend(() => {
        const out: Array<string> = []
        return limit <= 0 ? Effect.succeed(out) : Effect.as(
          scan(prefix, limit, async (batch) => {
            out.push(...batch.map(strip))
          }),
          out
        )
      })
  })
}
