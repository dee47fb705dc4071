import { StoredResponse } from "@cachet/http"
import { describe, expect, it } from "@effect/vitest"
import { Schema } from "effect"

const stored = (body: Uint8Array) =>
  StoredResponse.make({
    status: 200,
    body,
    contentType: "application/json",
    producedAt: 1,
    ttlMillis: 2,
    graceMillis: 3,
    headers: { Link: "<a>", "Set-Cookie": "x=1" }
  })

describe("StoredResponse", () => {
  it("drops Set-Cookie, lower-cases header names, computes the ETag", () => {
    const response = stored(new TextEncoder().encode("{}"))
    expect(response.headers).toEqual({ link: "<a>" })
    expect(response.etag).toMatch(/^"[A-Za-z0-9_-]{22}"$/)
  })

  it.each(
    [
      ["JSON text", new TextEncoder().encode("{\"title\":\"héllo ✓\"}"), false],
      ["text with a byte-order mark", new Uint8Array([0xef, 0xbb, 0xbf, 0x61]), false],
      ["bytes that are not UTF-8", new Uint8Array([0xff, 0x00, 0xfe, 0x80]), true],
      ["no bytes", new Uint8Array(0), false]
    ] as const
  )("%s round-trips byte for byte through the store form", (_, body, base64) => {
    const encoded = Schema.encodeSync(StoredResponse.StoredResponse)(stored(body))
    expect(encoded.base64 === true).toBe(base64)
    const decoded = Schema.decodeUnknownSync(StoredResponse.StoredResponse)(JSON.parse(JSON.stringify(encoded)))
    expect(Array.from(decoded.body)).toEqual(Array.from(body))
    expect(decoded.etag).toBe(stored(body).etag)
  })

  it("JSON bodies stay readable in the store", () => {
    const encoded = Schema.encodeSync(StoredResponse.StoredResponse)(stored(new TextEncoder().encode("{\"id\":\"1\"}")))
    expect(JSON.parse(encoded.body)).toEqual({ id: "1" })
  })
})
