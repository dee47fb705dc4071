/**
 * `SecurityHeaders.apply`: the headers every response gets, as a pure function of the response
 * (the server remembers the last one, since a cached hit answers the same response again).
 */
import { HttpServerResponse } from "@effect/platform"
import { describe, expect, it } from "vitest"

import * as SecurityHeaders from "../src/SecurityHeaders.js"

describe("SecurityHeaders.apply", () => {
  it("adds nosniff to every response, and a CSP (by hash) only to HTML without one", () => {
    const json = SecurityHeaders.apply(HttpServerResponse.unsafeJson({ a: 1 }, { headers: { etag: "\"x\"" } }))
    expect(json.headers["x-content-type-options"]).toBe("nosniff")
    expect(json.headers["content-security-policy"]).toBeUndefined()
    expect(json.headers["etag"]).toBe("\"x\"")
    const page = SecurityHeaders.apply(
      HttpServerResponse.text("<html><script>go()</script></html>", { contentType: "text/html" })
    )
    expect(page.headers["content-security-policy"]).toContain("script-src 'self' 'sha256-")
    const own = SecurityHeaders.apply(
      HttpServerResponse.text("<p>x</p>", {
        contentType: "text/html",
        headers: { "content-security-policy": "default-src 'self'" }
      })
    )
    expect(own.headers["content-security-policy"]).toBe("default-src 'self'")
  })

  it("the same response twice gives the same headed response; another response its own", () => {
    const hit = HttpServerResponse.text("cached", { headers: { "x-cache": "HIT" } })
    const first = SecurityHeaders.apply(hit)
    expect(SecurityHeaders.apply(hit)).toBe(first)
    const other = SecurityHeaders.apply(HttpServerResponse.text("other", { status: 404 }))
    expect(other.status).toBe(404)
    expect(other.headers["x-content-type-options"]).toBe("nosniff")
    expect(other.headers["x-cache"]).toBeUndefined()
    const again = SecurityHeaders.apply(hit)
    expect(again.headers["x-cache"]).toBe("HIT")
    expect(again.headers["x-content-type-options"]).toBe("nosniff")
  })
})
