import { Store, Tag, TagVersions } from "@cachet/core"
import { Clock, Effect, Option } from "effect"
import type { Cluster, Redis } from "ioredis"

import { call, globEscape, type Keys } from "./redisStore.js"
import * as Script from "./script.js"

/**
 * Cluster keys: entries as on one node (`<keyPrefix>e:<key>`, so CRC16 of the whole key spreads
 * them over every slot), tag versions and their counter in one slot (hash tag `{tags}`), so a
 * bump stays one atomic script.
 * @internal
 */
export const keysForCluster = (keyPrefix: string): Keys => ({
  entry: (key) => `${keyPrefix}e:${key}`,
  entryPrefix: `${keyPrefix}e:`,
  counter: `${keyPrefix}{tags}:counter`,
  versions: `${keyPrefix}{tags}:versions`
})

const parseVersion = (text: unknown): number => {
  const n = typeof text === "string" ? Number(text) : typeof text === "number" ? text : 0
  return Number.isFinite(n) ? n : 0
}

/**
 * A bump whose counter never goes back across a failover: the new value is the larger of the
 * counter plus one and the shard's clock in microseconds, so a counter value lost with a master
 * that died before replicating it is overtaken by the next bump on the promoted replica.
 * @internal
 */
export const BUMP_MONOTONIC = Script.script(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local c = tonumber(redis.call('GET', KEYS[1]) or '0') + 1
if now > c then c = now end
local s = string.format('%.0f', c)
redis.call('SET', KEYS[1], s)
local fields = {}
for i = 2, #ARGV do
  fields[#fields + 1] = ARGV[1] .. ARGV[i]
  fields[#fields + 1] = s
end
if #fields > 0 then redis.call('HSET', KEYS[2], unpack(fields)) end
return s
`)

const replicasOf = (role: unknown): number =>
  Array.isArray(role) && role[0] === "master" && Array.isArray(role[2]) ? role[2].length : 0

/**
 * Tag versions on a cluster. A bump runs the monotonic script on the versions shard, then, if
 * that master has replicas, waits (`WAIT 1`) until one acknowledged it: a bump that returns
 * survives a failover; one not acknowledged within `ackTimeoutMillis` fails. A master with no
 * replica (after its replica was promoted, until a replica rejoins) has nothing to wait for.
 * @internal
 */
export const makeClusterTagVersions = (client: Cluster, keys: Keys, ackTimeoutMillis: number): TagVersions.Service => ({
  counter: Effect.map(call("counter", () => client.get(keys.counter)), parseVersion),
  versions: (paths) =>
    paths.length === 0
      ? Effect.succeed([])
      : Effect.map(
        call("versions", () => client.hmget(keys.versions, ...paths.flatMap((path) => [`h:${path}`, `s:${path}`]))),
        (values) => paths.map((_, i) => ({ hard: parseVersion(values[2 * i]), soft: parseVersion(values[2 * i + 1]) }))
      ),
  bump: (paths, mode) =>
    call("bump", async () => {
      // A single command, so the client follows MOVED/ASK (and learns the new slot owner).
      const counter = parseVersion(
        await client.eval(
          BUMP_MONOTONIC.source,
          2,
          keys.counter,
          keys.versions,
          mode === "hard" ? "h:" : "s:",
          ...paths
        )
      )
      // A pipeline goes to one node: the keyed `EXISTS` routes `ROLE` and `WAIT` to the
      // versions' master, which the bump has just located.
      const role = await client.pipeline().exists(keys.counter).role().exec()
      if (replicasOf(role?.[1]?.[1]) === 0) return counter
      const acked = await client.pipeline().exists(keys.counter).wait(1, ackTimeoutMillis).exec()
      const acks = acked?.[1]?.[1]
      if (typeof acks !== "number" || acks < 1) {
        throw new Error(
          `invalidation not acknowledged by a replica within ${ackTimeoutMillis} ms (it may be lost in a failover)`
        )
      }
      return counter
    })
})

const masters = (client: Cluster): ReadonlyArray<Redis> => client.nodes("master")

/**
 * Entries on a cluster: single-key commands only (a multi-key command would cross slots), sent
 * together so the client pipelines them per node — one round trip per shard, in parallel.
 * `keys` and `clear` scan every master.
 * @internal
 */
export const makeClusterStore = (client: Cluster, keys: Keys, tagVersions: TagVersions.Service): Store.Service => {
  const decode = (text: string | null, now: number): Option.Option<Store.Entry> => {
    if (text === null) return Option.none()
    const entry = Store.decodeEntry(text)
    return Option.isSome(entry) && Store.expiresAt(entry.value) <= now ? Option.none() : entry
  }

  const write = (key: string, entry: Store.Entry, now: number): Promise<unknown> => {
    const ttl = Store.expiresAt(entry) - now
    if (ttl <= 0) return client.unlink(keys.entry(key))
    const text = Store.encodeEntry(entry)
    return Number.isFinite(ttl)
      ? client.set(keys.entry(key), text, "PX", Math.ceil(ttl))
      : client.set(keys.entry(key), text)
  }

  /** Scans every master for keys under a prefix, at most `limit`. */
  const scan = (prefix: string, limit: number, onBatch: (node: Redis, keys: Array<string>) => Promise<void>) =>
    call("scan", async () => {
      let seen = 0
      const match = `${globEscape(keys.entry(prefix))}*`
      for (const node of masters(client)) {
        let cursor = "0"
        do {
          const [next, batch] = await node.scan(cursor, "MATCH", match, "COUNT", 1000)
          cursor = next
          const taken = batch.slice(0, Math.max(0, limit - seen))
          seen += taken.length
          if (taken.length > 0) await onBatch(node, taken)
        } while (cursor !== "0" && seen < limit)
        if (seen >= limit) break
      }
      return seen
    })

  const get = (key: string) =>
    Effect.zipWith(call("get", () => client.get(keys.entry(key))), Clock.currentTimeMillis, decode)

  return Store.make({
    name: "redis-cluster",
    local: false,
    get,
    getMany: (many) =>
      many.length === 0
        ? Effect.succeed([])
        : Effect.zipWith(
          call("getMany", () => Promise.all(many.map((key) => client.get(keys.entry(key))))),
          Clock.currentTimeMillis,
          (texts, now) => texts.map((text) => decode(text, now))
        ),
    // The entry from its shard; the versions from `tagVersions` (cached per process by the layer).
    getWithVersions: (key) =>
      Effect.flatMap(get(key), (entry) =>
        Option.isNone(entry)
          ? Effect.succeedNone
          : Effect.map(
            tagVersions.versions(Tag.prefixesOfAll(entry.value.tags)),
            (versions) => Option.some([entry.value, versions] as const)
          )),
    set: (key, entry) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) => Effect.asVoid(call("set", () => write(key, entry, now)))),
    setMany: (entries) =>
      entries.length === 0 ?
        Effect.void :
        Effect.flatMap(Clock.currentTimeMillis, (now) =>
          Effect.asVoid(call("setMany", () =>
            Promise.all(entries.map(([key, entry]) => write(key, entry, now)))))),
    delete: (key) => Effect.map(call("delete", () => client.unlink(keys.entry(key))), (n) => n > 0),
    deleteMany: (many) =>
      many.length === 0
        ? Effect.succeed(0)
        : Effect.map(call("deleteMany", () => Promise.all(many.map((key) => client.unlink(keys.entry(key))))), (ns) =>
          ns.reduce((a, b) => a + b, 0)),
    clear: (prefix) =>
      Effect.suspend(() => {
        let removed = 0
        return Effect.map(
          scan(prefix, Infinity, async (node, batch) => {
            // Keys of one node still lie in many slots: one UNLINK each, pipelined.
            const pipeline = node.pipeline()
            for (const key of batch) pipeline.unlink(key)
            for (const [error, n] of (await pipeline.exec()) ?? []) {
              if (error === null && typeof n === "number") removed += n
            }
          }),
          () => removed
        )
      }),
    keys: ({ limit, prefix }) =>
      Effect.suspend(() => {
        const out: Array<string> = []
        return limit <= 0 ? Effect.succeed(out) : Effect.as(
          scan(prefix, limit, async (_, batch) => {
            out.push(...batch.map((key) => key.slice(keys.entryPrefix.length)))
          }),
          out
        )
      })
  })
}
