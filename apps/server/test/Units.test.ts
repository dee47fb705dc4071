import { Either } from "effect"
import { describe, expect, it } from "vitest"
import { describe as describeStore, parse } from "../src/CacheStore.js"
import { canonicalize } from "../src/Domain/Ids.js"
import { etagOf, ifNoneMatch } from "../src/HttpCache.js"
import { rows } from "../src/Seed.js"

describe("CACHE_STORE", () => {
  it.each([
    ["memory", { _tag: "Memory" }],
    ["", { _tag: "Memory" }],
    ["sqlite:./data/cache.db", { _tag: "Sqlite", filename: "./data/cache.db" }],
    ["redis://:pw@127.0.0.1:6379/2", { _tag: "Redis", url: "redis://:pw@127.0.0.1:6379/2" }],
    ["memcached://127.0.0.1:11211,10.0.0.2:11211", { _tag: "Memcached", servers: "127.0.0.1:11211,10.0.0.2:11211" }]
  ])("%s", (text, spec) => {
    expect(parse(text)).toEqual(Either.right(spec))
  })

  it.each(["postgres://x", "sqlite:", "memcached://nohostport", "redis://"])("rejects %s", (text) => {
    expect(Either.isLeft(parse(text))).toBe(true)
  })

  it("never prints a password", () => {
    expect(describeStore({ _tag: "Redis", url: "redis://user:hunter2@cache:6379" })).not.toContain("hunter2")
  })
})

describe("HTTP validators", () => {
  it("If-None-Match: exact, weak, lists and *", () => {
    const etag = etagOf({ a: 1 })
    expect(ifNoneMatch(etag, etag)).toBe(true)
    expect(ifNoneMatch(`W/${etag}`, etag)).toBe(true)
    expect(ifNoneMatch(`"x", ${etag}`, etag)).toBe(true)
    expect(ifNoneMatch("*", etag)).toBe(true)
    expect(ifNoneMatch("\"x\"", etag)).toBe(false)
    expect(ifNoneMatch(undefined, etag)).toBe(false)
    expect(etagOf({ a: 1 })).toBe(etag)
    expect(etagOf({ a: 2 })).not.toBe(etag)
  })

  it("only canonical ids name records", () => {
    expect(canonicalize("42")._tag).toBe("Some")
    for (const id of ["0", "01", "-1", "1e3", "1.0", " 1", "../1", "9999999999999999"]) {
      expect(canonicalize(id)._tag, id).toBe("None")
    }
  })
})

describe("seed", () => {
  it("is deterministic and referentially sound", () => {
    const counts = { users: 20, posts: 100, comments: 300 }
    const a = rows(counts)
    expect(rows(counts)).toEqual(a)
    expect(a.users).toHaveLength(20)
    expect(new Set(a.users.map((u) => u.email)).size).toBe(20)
    expect(a.posts.every((p) => p.userId >= 1 && p.userId <= 20)).toBe(true)
    expect(a.comments.every((c) => c.postId >= 1 && c.postId <= 100 && c.authorId <= 20)).toBe(true)
  })
})
