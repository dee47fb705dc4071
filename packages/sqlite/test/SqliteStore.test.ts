import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"

import { Store } from "@cachet/core"
import { StoreSuite } from "@cachet/core/testing"
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import * as SqlClient from "@effect/sql/SqlClient"
import { describe, expect, it } from "@effect/vitest"
import { Clock, Effect, Layer, Option } from "effect"

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
