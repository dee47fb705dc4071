import { HttpServe } from "@cachet/http"
import { Either, Schema } from "effect"
import { describe, expect, it } from "vitest"

import { Api } from "../src/Api.js"
import { describe as describeStore, parse } from "../src/CacheStore.js"
import { canonicalize, DecimalInt } from "../src/Domain/Ids.js"
import * as Text from "../src/Domain/Text.js"
import * as JsonBody from "../src/JsonBody.js"
import { rows } from "../src/Seed.js"
import { normalize as normalizeUser } from "../src/Users.js"

describe("CACHET_STORE", () => {
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

describe("ids", () => {
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

describe("JSON bodies", () => {
  it("nesting depth: one pass, strings and escapes skipped", () => {
    expect(JsonBody.nestsDeeperThan("[".repeat(65) + "]".repeat(65))).toBe(true)
    expect(JsonBody.nestsDeeperThan("[".repeat(64) + "]".repeat(64))).toBe(false)
    expect(JsonBody.nestsDeeperThan(JSON.stringify({ a: "[".repeat(1000), b: "\"[[[[" }), 2)).toBe(false)
    expect(JsonBody.nestsDeeperThan("{\"a\":[{\"b\":[1]}]}", 3)).toBe(true)
    expect(JsonBody.nestsDeeperThan("[".repeat(100_000))).toBe(true)
  })

  it("media types: JSON and +json only", () => {
    for (const type of ["application/json", "Application/JSON; charset=utf-8", "application/merge-patch+json"]) {
      expect(JsonBody.isJsonMediaType(type), type).toBe(true)
    }
    for (
      const type of [
        undefined,
        "",
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/jsonx",
        "text/json"
      ]
    ) {
      expect(JsonBody.isJsonMediaType(type), String(type)).toBe(false)
    }
  })
})

describe("routes", () => {
  const methods = HttpServe.methodsOf(Api, ["/docs"])
  it("methods by exact, case-sensitive path", () => {
    expect(methods("/users/1")).toEqual(["DELETE", "GET", "HEAD", "PATCH"])
    expect(methods("/users/1/posts")).toEqual(["GET", "HEAD", "POST"])
    expect(methods("/docs")).toEqual(["GET", "HEAD"])
    for (const path of ["/Users/1", "/users//1", "/users/1/", "/users/", "/nope"]) {
      expect(methods(path), path).toEqual([])
    }
    expect(HttpServe.isAmbiguous("/users/1;x/posts")).toBe(true)
    expect(HttpServe.isAmbiguous("/posts?cursor=a;b")).toBe(false)
  })
})

describe("normalization before validation", () => {
  it("text is NFC and trimmed; emails lower-cased; absent and null stay", () => {
    expect(Text.text("  Cafe\u0301 \n")).toBe("Café")
    expect(Text.email(" Ada@Example.COM ")).toBe("ada@example.com")
    expect(normalizeUser({ name: " Admin ", email: null })).toEqual({ name: "Admin", email: null })
    expect(normalizeUser({})).toEqual({})
  })

  it("query integers: decimal digits only", () => {
    const decode = Schema.decodeUnknownEither(DecimalInt)
    expect(decode("20")).toEqual(Either.right(20))
    expect(decode("007")).toEqual(Either.right(7))
    for (const text of ["0x10", " 5", "1e2", "5.0", "+5", "-5", "", "1_0", "9999999999"]) {
      expect(Either.isLeft(decode(text)), text).toBe(true)
    }
  })
})
