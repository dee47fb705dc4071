import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"

import { Cache, Store } from "@cachet/core"
import { FaultyStore, StoreSuite } from "@cachet/core/testing"
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import * as SqlClient from "@effect/sql/SqlClient"
import { describe, expect, it } from "@effect/vitest"
import { Clock, Context, Effect, Layer, Option } from "effect"

import { SqliteStore } from "../src/index.js"

const tempFile = (name: string) => Path.join(Fs.mkdtempSync(Path.join(Os.tmpdir(), "cachet-sqlite-")), name)

StoreSuite.storeSuite("SqliteStore (file)", SqliteStore.layer({ filename: tempFile("suite.db") }))
StoreSuite.storeSuite("SqliteStore (:memory:)", SqliteStore.layer({ filename: ":memory:" }))

const entry = (value: string, now: number): Store.Entry => ({
  value,
  stamp: 1,
  createdAt: now,
  ttl: 60_000,
  grace: 0,
  tags: ["users/1"],
  failed: false
})

describe("SqliteStore durability", () => {
  it.live("data written before closing the layer is there after reopening the file", () =>
    Effect.gen(function*() {
      const filename = tempFile("durable.db")
      const now = Date.now()
      yield* Effect.gen(function*() {
        const store = yield* Store.Store
        yield* store.setMany([["a", entry("\"one\"", now)], ["b", entry("\"two\"", now)]])
      }).pipe(Effect.provide(SqliteStore.layer({ filename })))
      const read = yield* Effect.gen(function*() {
        const store = yield* Store.Store
        return yield* store.getMany(["a", "b", "c"])
      }).pipe(Effect.provide(SqliteStore.layer({ filename })))
      expect(read.map(Option.map((e) => e.value))).toEqual([
        Option.some("\"one\""),
        Option.some("\"two\""),
        Option.none()
      ])
    }))

  it.live("a corrupted row is a miss, not a crash", () =>
    Effect.gen(function*() {
      const filename = tempFile("corrupt.db")
      const layer = SqliteStore.layerClient().pipe(Layer.provideMerge(SqliteClient.layer({ filename })))
      yield* Effect.gen(function*() {
        const store = yield* Store.Store
        const sql = yield* SqlClient.SqlClient
        const now = Date.now()
        yield* store.setMany([["good", entry("1", now)], ["bad", entry("2", now)]])
        yield* sql`UPDATE cachet_entries SET value = ${"{not json"} WHERE key = 'bad'`
        expect(Option.isNone(yield* store.get("bad"))).toBe(true)
        const many = yield* store.getMany(["bad", "good"])
        expect(many.map(Option.isSome)).toEqual([false, true])
        expect(Option.isNone(yield* store.getWithVersions!("bad"))).toBe(true)
        // The next write replaces the corrupted row.
        yield* store.set("bad", entry("3", now))
        expect(Option.map(yield* store.get("bad"), (e) => e.value)).toEqual(Option.some("3"))
      }).pipe(Effect.provide(layer))
    }))

  it.live("the purge deletes expired rows and the migration is idempotent across opens", () =>
    Effect.gen(function*() {
      const filename = tempFile("purge.db")
      const program = Effect.gen(function*() {
        const sqlite = yield* SqliteStore.make({ purgeInterval: "1 hour" })
        const sql = yield* SqlClient.SqlClient
        const now = Date.now()
        yield* sqlite.store.set("old", { ...entry("1", now - 10_000), ttl: 1_000 })
        yield* sqlite.store.set("new", entry("2", now))
        // Written already expired: not stored at all.
        const rows = yield* sql<{ key: string }>`SELECT key FROM cachet_entries ORDER BY key`
        expect(rows.map((r) => r.key)).toEqual(["new"])
        yield* sql`INSERT INTO cachet_entries (key, value, expires_at) VALUES ('stale', 'x', ${now - 1})`
        expect(yield* sqlite.purge).toBe(1)
      }).pipe(Effect.scoped)
      yield* program.pipe(Effect.provide(SqliteClient.layer({ filename })))
      yield* program.pipe(Effect.provide(SqliteClient.layer({ filename })))
    }))
})

describe("SqliteStore usage", () => {
  it.effect("counts the live entries under a prefix, their bytes, and the oldest and newest creation times", () =>
    Effect.gen(function*() {
      const store = yield* Store.Store
      const empty = yield* store.usage!("ns:")
      expect(empty).toEqual({ entries: 0, bytes: 0, oldestCreatedAt: null, newestCreatedAt: null })
      const now = yield* Clock.currentTimeMillis
      const at = (createdAt: number, ttl = 60_000): Store.Entry => ({ ...entry("\"v\"", createdAt), ttl })
      yield* store.setMany([["ns:a", at(now - 5_000)], ["ns:b", at(now - 1_000)], ["other:c", at(now - 9_000)], [
        "ns:gone",
        at(now - 10_000, 100)
      ]])
      const usage = yield* store.usage!("ns:")
      expect(usage.entries).toBe(2)
      expect(usage.bytes).toBe(Store.encodeEntry(at(now - 5_000)).length + Store.encodeEntry(at(now - 1_000)).length)
      expect(usage.oldestCreatedAt).toBe(now - 5_000)
      expect(usage.newestCreatedAt).toBe(now - 1_000)
    }).pipe(Effect.provide(SqliteStore.layer({ filename: ":memory:" }))))
})

describe("SqliteStore listing", () => {
  it.live("inspectListing reads 2,500 entries in one listEntries call and agrees with keys + inspectMany", () =>
    Effect.gen(function*() {
      const layer = Cache.layer({ namespace: "inspect-listing" }).pipe(
        Layer.provideMerge(FaultyStore.layer(SqliteStore.layer({ filename: tempFile("listing.db") })))
      )
      const context = yield* Layer.build(layer)
      const cache = Context.get(context, Cache.Cache)
      const faults = Context.get(context, FaultyStore.FaultControl)
      yield* cache.setMany(
        Array.from({ length: 2_500 }, (_, i) => ({ key: `post:${i}`, value: { id: i }, tags: [`posts/${i % 50}`] }))
      )
      yield* cache.expire("posts/7")
      faults.calls.clear()
      const listed = Option.getOrThrow(yield* cache.inspectListing({ limit: 5_000 }))
      const byTag = Option.getOrThrow(yield* cache.inspectListing({ prefix: "post:1", limit: 5_000, tag: "posts/7" }))
      const few = Option.getOrThrow(yield* cache.inspectListing({ limit: 1_200 }))
      expect(faults.calls.get("listEntries")).toBe(3)
      expect(faults.calls.get("getMany") ?? 0).toBe(0)
      expect(faults.calls.get("keys") ?? 0).toBe(0)

      const keys = yield* cache.keys({ limit: 5_000 })
      const many = (yield* cache.inspectMany(keys)).flatMap((info) => Option.isSome(info) ? [info.value] : [])
      const comparable = (infos: ReadonlyArray<Cache.EntryInfo>) =>
        infos.map(({ ageMillis: _, ...rest }) => rest).sort((a, b) => (a.key < b.key ? -1 : 1))
      expect(listed.scanned).toBe(2_500)
      expect(comparable(listed.entries)).toEqual(comparable(many))
      // post:1, post:10..19, post:100..199, post:1000..1999
      expect(byTag.scanned).toBe(1_111)
      expect(comparable(byTag.entries)).toEqual(
        comparable(many.filter((info) => info.key.startsWith("post:1") && info.tags[0] === "posts/7"))
      )
      expect(byTag.entries.map((info) => info.state)).toEqual(byTag.entries.map(() => "stale"))
      expect(byTag.entries.length).toBe(22)
      expect([few.scanned, few.entries.length]).toEqual([1_200, 1_200])
    }).pipe(Effect.scoped))
})
