import * as Fs from "node:fs"
import * as Path from "node:path"

import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import * as SqlClient from "@effect/sql/SqlClient"
import { Effect, ManagedRuntime } from "effect"
import { describe, expect, it } from "vitest"

import { Output } from "../src/index.js"
import { cachet, json, oneLineError, tempDir } from "./cachet.js"

const timeout = 120_000

/** A connection of the test's own to a SQLite file, to lock or break it under the CLI. */
const openDatabase = (filename: string) => {
  const runtime = ManagedRuntime.make(SqliteClient.layer({ filename }))
  const run = (statement: string) =>
    runtime.runPromise(Effect.flatMap(SqlClient.SqlClient, (sql) => sql.unsafe(statement)))
  return { run, close: () => runtime.dispose() }
}

describe("cachet reports store failures instead of hiding them", () => {
  it("set on a SQLite file locked by another writer exits 1 with the reason, and stores nothing", async () => {
    const store = `sqlite:${Path.join(tempDir("locked"), "cache.db")}`
    expect((await cachet(["set", "k", `"old"`, "--store", store])).code).toBe(0)
    const db = openDatabase(store.slice("sqlite:".length))
    await db.run("BEGIN IMMEDIATE")
    try {
      const set = await cachet(["set", "k", `"new"`, "--store", store])
      expect(set.code).toBe(1)
      expect(set.stdout).toBe("")
      expect(oneLineError(set)).toMatch(/locked|busy/i)
    } finally {
      await db.run("ROLLBACK")
      await db.close()
    }
    expect(await cachet(["get", "k", "--store", store])).toMatchObject({ code: 0, stdout: "old\n" })
  }, timeout)

  it(
    "a store failure on a read is its reason in one line (not a false \"not found\"), without --log-level",
    async () => {
      const file = Path.join(tempDir("broken"), "cache.db")
      const store = `sqlite:${file}`
      expect((await cachet(["set", "k", `"v"`, "--store", store])).code).toBe(0)
      const db = openDatabase(file)
      await db.run("ALTER TABLE cachet_entries RENAME TO cachet_entries_moved")
      await db.close()
      const get = await cachet(["get", "k", "--store", store])
      expect(get.code).toBe(1)
      expect(oneLineError(get)).toContain("no such table: cachet_entries")
      expect(oneLineError(get)).not.toContain("not found")
    },
    timeout
  )
})

describe("cachet read-only commands create nothing", () => {
  it(
    "get, keys, inspect and stats on a missing SQLite file create neither its directory nor the database",
    async () => {
      const home = tempDir("fresh")
      const explicit = Path.join(home, "elsewhere", "deep", "cache.db")
      const [get, keys, inspect, stats, getExplicit] = await Promise.all([
        cachet(["get", "k"], { XDG_CACHE_HOME: home }),
        cachet(["keys"], { XDG_CACHE_HOME: home }),
        cachet(["inspect", "k"], { XDG_CACHE_HOME: home }),
        cachet(["stats", "--json"], { XDG_CACHE_HOME: home }),
        cachet(["get", "k", "--store", `sqlite:${explicit}`])
      ])
      expect(oneLineError(get)).toBe("cachet: not found: k")
      expect(get.code).toBe(1)
      expect(keys).toMatchObject({ code: 0, stdout: "" })
      expect(inspect.code).toBe(1)
      expect(stats.code).toBe(0)
      expect(json(stats)).toMatchObject({ usage: { entries: 0, bytes: 0 }, hits: 0 })
      expect(getExplicit.code).toBe(1)
      expect(Fs.readdirSync(home)).toEqual([])
      // A write still creates them.
      expect((await cachet(["set", "k", "1"], { XDG_CACHE_HOME: home })).code).toBe(0)
      expect(Fs.existsSync(Path.join(home, "cachet", "cachet.db"))).toBe(true)
    },
    timeout
  )
})

describe("cachet output is safe to print", () => {
  it("keys with newlines and control characters are printed escaped, on one line each", async () => {
    const store = `sqlite:${Path.join(tempDir("escape"), "cache.db")}`
    const key = "evil\nkey\u001b[31m\\x"
    const set = await cachet(["set", key, "1", "--store", store])
    expect(set.code).toBe(0)
    expect(set.stdout).toBe("stored evil\\nkey\\x1b[31m\\\\x (ttl 5m, grace 0s)\n")
    const [keys, inspect, missing, asJson] = await Promise.all([
      cachet(["keys", "--store", store]),
      cachet(["inspect", key, "--store", store]),
      cachet(["get", "no\nsuch\u0007key", "--store", store]),
      cachet(["keys", "--json", "--store", store])
    ])
    expect(keys.stdout).toBe("evil\\nkey\\x1b[31m\\\\x\n")
    expect(inspect.stdout).toMatch(/^key\s+evil\\nkey\\x1b\[31m\\\\x$/m)
    expect(inspect.stdout).not.toContain("\u001b")
    expect(oneLineError(missing)).toBe("cachet: not found: no\\nsuch\\x07key")
    // JSON keeps the exact key.
    expect(json(asJson)).toEqual([key])
  }, timeout)

  it("absurd ttls and graces are usage errors (exit 2)", async () => {
    const cases: ReadonlyArray<readonly [ReadonlyArray<string>, string]> = [
      [["--ttl", "100000000w"], "too long"],
      [["--ttl", "0"], "--ttl must be longer than 0"],
      [["--ttl", "0s"], "--ttl must be longer than 0"],
      [["--grace", "5000000d"], "too long"],
      [["--ttl", "99999999999999999999"], "invalid duration"],
      [["--ttl", "0.0001ms"], "below a millisecond"]
    ]
    const results = await Promise.all(cases.map(([flags]) => cachet(["set", "k", "1", ...flags, "--store", "memory"])))
    results.forEach((result, i) => {
      expect(result.code, cases[i]![0].join(" ")).toBe(2)
      expect(oneLineError(result)).toContain(cases[i]![1])
    })
    const longest = await cachet(["set", "k", "1", "--ttl", "3650d", "--grace", "forever", "--store", "memory"])
    expect(longest.code).toBe(0)
  }, timeout)

  it("colours only on a terminal: piped output is plain, NO_COLOR wins over FORCE_COLOR", async () => {
    const [piped, forced, noColor] = await Promise.all([
      cachet(["--help"], { FORCE_COLOR: "" }),
      cachet(["--help"], { FORCE_COLOR: "1" }),
      cachet(["--help"], { FORCE_COLOR: "1", NO_COLOR: "1" })
    ])
    expect(piped.code).toBe(0)
    expect(piped.stdout).toContain("USAGE")
    expect(piped.stdout).not.toContain("\u001b")
    expect(forced.stdout).toContain("\u001b[")
    expect(noColor.stdout).not.toContain("\u001b")
  }, timeout)

  it("Output.colors: a terminal gets colours unless NO_COLOR, FORCE_COLOR=0 or TERM=dumb", () => {
    expect(Output.colors(true, {})).toBe(true)
    expect(Output.colors(false, {})).toBe(false)
    expect(Output.colors(true, { NO_COLOR: "1" })).toBe(false)
    expect(Output.colors(true, { NO_COLOR: "" })).toBe(true)
    expect(Output.colors(true, { FORCE_COLOR: "0" })).toBe(false)
    expect(Output.colors(false, { FORCE_COLOR: "1" })).toBe(true)
    expect(Output.colors(true, { TERM: "dumb" })).toBe(false)
    expect(Output.stripAnsi("\u001b[0;1mUSAGE\u001b[0m \u001b]8;;http://x\u0007link\u001b]8;;\u0007")).toBe(
      "USAGE link"
    )
  })
})

describe("cachet stats", () => {
  it("on a persistent store shows the store's own figures and labels the per-process counters", async () => {
    const store = `sqlite:${Path.join(tempDir("stats"), "cache.db")}`
    const before = Date.now()
    await cachet(["set", "a", `"one"`, "--store", store])
    await cachet(["set", "b", `{"n":2}`, "--store", store])
    await cachet(["set", "c", "3", "--store", store, "--namespace", "other"])
    const [asJson, table] = await Promise.all([
      cachet(["stats", "--json", "--store", store]),
      cachet(["stats", "--store", store])
    ])
    const stats = json(asJson) as {
      readonly counters: string
      readonly hits: number
      readonly usage: {
        readonly entries: number
        readonly bytes: number
        readonly oldestCreatedAt: number
        readonly newestCreatedAt: number
      }
    }
    expect(stats.counters).toBe("this process only")
    expect(stats.hits).toBe(0)
    expect(stats.usage.entries).toBe(2)
    expect(stats.usage.bytes).toBeGreaterThan(0)
    expect(stats.usage.oldestCreatedAt).toBeGreaterThanOrEqual(before)
    expect(stats.usage.newestCreatedAt).toBeGreaterThanOrEqual(stats.usage.oldestCreatedAt)
    expect(table.stdout).toMatch(/^entries\s+2$/m)
    expect(table.stdout).toMatch(/^oldest entry\s+\d{4}-\d\d-\d\dT/m)
    expect(table.stdout).toMatch(/^counters\s+this process only$/m)
    expect(table.stdout).toMatch(/^ {2}hits\s+0$/m)
  }, timeout)
})
