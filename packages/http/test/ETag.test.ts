import { ETag } from "@cachet/http"
import { describe, expect, it } from "@effect/vitest"

describe("ETag", () => {
  const body = new TextEncoder().encode("{\"a\":1}")
  const etag = ETag.strong(body)

  it("strong tags: equal bytes, equal tag; other bytes, another", () => {
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{22}"$/)
    expect(ETag.strong(new TextEncoder().encode("{\"a\":1}"))).toBe(etag)
    expect(ETag.strong(new TextEncoder().encode("{\"a\":2}"))).not.toBe(etag)
  })

  it("If-None-Match: exact, weak, lists, * and malformed members", () => {
    expect(ETag.matches(etag, etag)).toBe(true)
    expect(ETag.matches(`W/${etag}`, etag)).toBe(true)
    expect(ETag.matches(`"x", ${etag}`, etag)).toBe(true)
    expect(ETag.matches(`"x",W/${etag}`, etag)).toBe(true)
    expect(ETag.matches(" * ", etag)).toBe(true)
    expect(ETag.matches("\"x\"", etag)).toBe(false)
    expect(ETag.matches("", etag)).toBe(false)
    expect(ETag.matches(undefined, etag)).toBe(false)
    expect(ETag.matches(`garbage, ${etag}`, etag)).toBe(true)
    expect(ETag.matches(etag.slice(0, -1), etag)).toBe(false)
    // A comma inside a tag does not split it.
    expect(ETag.parseList(`"a,b", W/"c"`)).toEqual(["\"a,b\"", "\"c\""])
    expect(ETag.parseList("*")).toBe("*")
  })
})
