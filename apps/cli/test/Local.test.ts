import * as Fs from "node:fs"
import * as Path from "node:path"

import { describe, expect, it } from "vitest"

import { cachet, json, oneLineError, tempDir } from "./cachet.js"

const timeout = 120_000

describe("cachet on a SQLite file", () => {
  const dir = tempDir("sqlite")
  const store = `sqlite:${Path.join(dir, "cache.db")}`

  it("set, get, inspect, keys, invalidate and del across separate invocations (a missing key exits 1)", async () => {
    const set = await cachet([
      "set",
      "users/1",
      `{"name":"Ada"}`,
      "--ttl",
      "60s",
      "--grace",
      "1h",
      "--tag",
      "users/1",
      "--store",
      store
    ])
    expect(set).toMatchObject({ code: 0, stderr: "" })
    expect(set.stdout).toContain("stored users/1 (ttl 1m, grace 1h, tags users/1)")

    // The store can also come from CACHET_STORE, and the shared options may precede the command.
    const [get, inspect, keys] = await Promise.all([
      cachet(["get", "users/1"], { CACHET_STORE: store }),
      cachet(["--store", store, "inspect", "users/1", "--json"]),
      cachet(["keys", "--json", "--prefix", "users/", "--store", store])
    ])
    expect(get.code).toBe(0)
    expect(get.stdout).toContain(`"name": "Ada"`)
    expect(json(inspect)).toMatchObject({
      key: "users/1",
      state: "fresh",
      tags: ["users/1"],
      ttlMillis: 60_000,
      graceMillis: 3_600_000,
      failed: false,
      value: `{"name":"Ada"}`
    })
    expect(json(keys)).toEqual(["users/1"])

    // Invalidating a parent tag hits the child: never served again.
    const invalidate = await cachet(["invalidate", "users", "--store", store])
    expect(invalidate).toMatchObject({ code: 0, stdout: "invalidated users\n" })
    const [gone, table] = await Promise.all([
      cachet(["get", "users/1", "--json", "--store", store]),
      cachet(["inspect", "users/1", "--store", store])
    ])
    expect(gone.code).toBe(1)
    expect(gone.stdout).toBe("")
    expect(oneLineError(gone)).toBe("cachet: not found: users/1")
    expect(table.stdout).toMatch(/^state\s+invalidated$/m)
    expect(table.stdout).toMatch(/^tags\s+users\/1$/m)
    expect(table.stdout).toMatch(/^grace\s+1h$/m)

    const del = await cachet(["del", "users/1", "--json", "--store", store])
    expect(json(del)).toEqual({ key: "users/1", deleted: true })
  }, timeout)

  it("soft invalidation keeps serving in grace; clear", async () => {
    await cachet([
      "set",
      "posts/7",
      `"hello"`,
      "--grace",
      "1h",
      "--tag",
      "posts/7",
      "--tag",
      "users/2",
      "--store",
      store
    ])
    const soft = await cachet(["invalidate", "users", "--soft", "--json", "--store", store])
    expect(json(soft)).toEqual({ tags: ["users"], soft: true })
    const [stale, value] = await Promise.all([
      cachet(["inspect", "posts/7", "--json", "--store", store]),
      cachet(["get", "posts/7", "--store", store])
    ])
    expect(json(stale)).toMatchObject({ state: "stale", tags: ["posts/7", "users/2"] })
    expect(value).toMatchObject({ code: 0, stdout: "hello\n" })

    const clear = await cachet(["clear", "--yes", "--json", "--store", store])
    expect(json(clear)).toEqual({ cleared: 1 })
  }, timeout)
})

describe("cachet usage", () => {
  it("usage errors exit 2 with one line on stderr", async () => {
    const cases: ReadonlyArray<readonly [ReadonlyArray<string>, string]> = [
      [["get"], "Missing argument <key>"],
      [["set", "k", "not json", "--store", "memory"], "value is not JSON"],
      [["set", "k", "1", "--ttl", "5q", "--store", "memory"], `invalid duration "5q"`],
      [["--store", "bogus", "get", "k"], `unknown store "bogus"`],
      [["clear", "--store", "memory"], "confirm with --yes"],
      [["frobnicate"], "Invalid subcommand"]
    ]
    const results = await Promise.all(cases.map(([args]) => cachet(args)))
    results.forEach((result, i) => {
      expect(result.code, cases[i]![0].join(" ")).toBe(2)
      expect(oneLineError(result)).toContain(cases[i]![1])
    })
  }, timeout)

  it("--help on every command, --version, --completions", async () => {
    const [help, setHelp, version, bash] = await Promise.all([
      cachet(["--help"]),
      cachet(["set", "--help"]),
      cachet(["--version"]),
      cachet(["--completions", "bash"])
    ])
    expect(help.code).toBe(0)
    for (const command of ["get", "set", "del", "invalidate", "clear", "inspect", "keys", "stats", "bench"]) {
      expect(help.stdout).toContain(`- ${command} `)
    }
    expect(setHelp.code).toBe(0)
    expect(setHelp.stdout).toContain("--ttl DURATION")
    expect(setHelp.stdout).toContain("--tag TAG")
    expect(version.code).toBe(0)
    expect(version.stdout.trim()).toBe("0.1.0")
    expect(bash.stdout).toContain("complete -F")
  }, timeout)

  it("defaults to a SQLite file in the user's cache directory, so values persist", async () => {
    const home = tempDir("xdg")
    const set = await cachet(["set", "greeting", `"hi"`], { XDG_CACHE_HOME: home })
    expect(set.code).toBe(0)
    expect(Fs.existsSync(Path.join(home, "cachet", "cachet.db"))).toBe(true)
    const get = await cachet(["get", "greeting"], { XDG_CACHE_HOME: home })
    expect(get).toMatchObject({ code: 0, stdout: "hi\n" })
  }, timeout)

  it("bench reports ops/s and p50/p99 for the hit, miss and invalidate paths", async () => {
    const bench = await cachet(["bench", "--store", "memory", "--ops", "200", "--concurrency", "4", "--json"])
    expect(bench.code).toBe(0)
    const report = json(bench) as { readonly results: ReadonlyArray<Record<string, unknown>> }
    expect(report.results.map((r) => r.path)).toEqual(["hit", "miss", "invalidate"])
    for (const r of report.results) {
      expect(r.ops).toBe(200)
      expect(r.opsPerSecond).toBeGreaterThan(0)
      expect(r.p99Millis).toBeGreaterThanOrEqual(r.p50Millis as number)
    }
    // Hits never fetch; misses and invalidated reads fetch once per operation.
    expect(report.results.map((r) => r.fetches)).toEqual([0, 200, 200])
  }, timeout)
})
