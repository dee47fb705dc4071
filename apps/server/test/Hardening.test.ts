/**
 * Hostile and sloppy input against the real server: nesting bombs, huge wrong-typed bodies,
 * paths spelled to reach a resource another way, non-JSON bodies, unnormalized text, and
 * integers in other notations. Each answer is a small 4xx, never a 500 or an echo.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"

import { type Server, start, testEnv } from "./harness.js"

const TOKEN = { authorization: "Bearer test-token" }
const json = { "content-type": "application/json" }

let counter = 0
const unique = (label: string) => `${label}-${process.pid}-${++counter}`

describe("hardening", () => {
  let server: Server
  beforeAll(async () => {
    server = await start(testEnv({ CACHET_SEED_USERS: "5", CACHET_SEED_POSTS: "5", CACHET_SEED_COMMENTS: "5" }))
  })
  afterAll(() => server?.close())

  describe("bodies", () => {
    const deep = "[".repeat(3000) + "]".repeat(3000)
    it.each([
      ["POST", "/users", `{"name":${deep},"email":"a@example.com"}`],
      ["PATCH", "/users/1", `{"name":${deep}}`],
      ["POST", "/users/1/posts", `{"title":${deep},"body":"x"}`],
      ["PATCH", "/posts/1", `{"title":${deep}}`],
      ["POST", "/posts/1/comments", `{"authorId":"1","body":${deep}}`],
      ["POST", "/cache/invalidate", `{"tags":${deep}}`]
    ])("%s %s with 3,000 levels of nested arrays is a 400", async (method, path, rawBody) => {
      const response = await server.request(method, path, { rawBody, headers: { ...json, ...TOKEN } })
      expect(response.status).toBe(400)
      expect(response.json.error).toBe("BadRequest")
    })

    it("a nesting bomb sent chunked is a 400 too", async () => {
      const response = await fetch(`${server.url}/users`, {
        method: "POST",
        headers: json,
        body: new ReadableStream({
          start(controller) {
            controller.enqueue(new TextEncoder().encode(`{"name":${deep}}`))
            controller.close()
          }
        }),
        duplex: "half"
      } as RequestInit)
      expect(response.status).toBe(400)
    })

    it("a ~1 MB body with 80k keys in a wrong-typed field: a small 400 that echoes nothing", async () => {
      const keys: Record<string, number> = {}
      for (let i = 0; i < 80_000; i++) keys[String(i)] = 0
      const rawBody = JSON.stringify({ name: keys, email: "a@example.com" })
      expect(rawBody.length).toBeGreaterThan(700_000)
      const response = await server.request("POST", "/users", { rawBody, headers: json })
      expect(response.status).toBe(400)
      expect(response.text.length).toBeLessThan(1_000)
      expect(response.json).toEqual({
        error: "BadRequest",
        message: expect.any(String),
        errors: [{ field: "name", rule: "type", message: "must be a string or null" }]
      })
    })

    it("400 bodies are short and stable: field paths and rules, no Schema text", async () => {
      for (
        const [path, body] of [["/users", { name: 123, email: ["x"] }], ["/users", [1, 2]], ["/users/1/posts", {
          title: { a: 1 }
        }]] as const
      ) {
        const response = await server.post(path, body)
        expect(response.status).toBe(400)
        expect(response.json.error).toBe("BadRequest")
        for (const error of response.json.errors) {
          expect(Object.keys(error).sort()).toEqual(["field", "message", "rule"])
        }
        expect(response.text).not.toMatch(/readonly|└|Expected \{|actual/)
      }
      const invalidate = await server.post("/cache/invalidate", { tags: "x".repeat(50_000) }, TOKEN)
      expect(invalidate.status).toBe(400)
      expect(invalidate.text.length).toBeLessThan(1_000)
      expect(invalidate.json.errors[0].field).toBe("tags")
    })

    it.each([
      ["application/x-www-form-urlencoded", "name=Form+User&email=form%40example.com"],
      [
        "multipart/form-data; boundary=x",
        "--x\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nForm User\r\n--x--\r\n"
      ],
      ["text/plain", "{\"name\":\"Plain User\",\"email\":\"plain@example.com\"}"]
    ])("a %s body on a JSON endpoint is a 415", async (contentType, rawBody) => {
      const response = await server.request("POST", "/users", { rawBody, headers: { "content-type": contentType } })
      expect(response.status).toBe(415)
      expect(
        (await server.request("POST", "/cache/invalidate", {
          rawBody,
          headers: { "content-type": contentType, ...TOKEN }
        })).status
      ).toBe(415)
    })

    it("JSON with parameters or a +json type is accepted", async () => {
      const response = await server.request("POST", "/users", {
        rawBody: JSON.stringify({ name: "Charset User", email: `${unique("charset")}@example.com` }),
        headers: { "content-type": "application/json; charset=utf-8" }
      })
      expect(response.status).toBe(201)
    })
  })

  describe("paths", () => {
    it.each([
      "/users/1;x/posts",
      "/users/1;x",
      "/USERS/1",
      "/Users/1/posts",
      "//users/1",
      "/users//1",
      "/users/1/",
      "/POSTS?limit=1"
    ])(
      "GET %s is 404",
      async (path) => {
        const response = await server.get(path)
        expect(response.status).toBe(404)
      }
    )

    it("a known path under another method is a 405 with Allow", async () => {
      const put = await server.request("PUT", "/users/1", { body: {} })
      expect(put.status).toBe(405)
      expect(put.headers.get("allow")).toBe("DELETE, GET, HEAD, PATCH")
      const del = await server.del("/posts")
      expect(del.status).toBe(405)
      expect(del.headers.get("allow")).toBe("GET, HEAD")
      expect((await server.request("POST", "/health", { body: {} })).status).toBe(405)
      // Unknown paths stay 404.
      expect((await server.request("PUT", "/nope", { body: {} })).status).toBe(404)
    })
  })

  describe("headers", () => {
    it("every response says nosniff; HTML pages carry a restrictive CSP", async () => {
      for (const path of ["/users/1", "/nope", "/posts?limit=abc", "/openapi.json", "/docs"]) {
        expect((await server.get(path)).headers.get("x-content-type-options"), path).toBe("nosniff")
      }
      expect((await server.request("PUT", "/users/1", { body: {} })).headers.get("x-content-type-options")).toBe(
        "nosniff"
      )
      const docs = await server.get("/docs")
      const csp = docs.headers.get("content-security-policy") ?? ""
      expect(csp).toContain("default-src 'none'")
      expect(csp).toContain("frame-ancestors 'none'")
      expect(csp).toMatch(/script-src 'self' 'sha256-[A-Za-z0-9+/=]+'/)
      expect(csp).not.toContain("unsafe")
      expect((await server.get("/users/1")).headers.get("content-security-policy")).toBeNull()
    })
  })

  describe("validation normalizes before it judges", () => {
    const rulesOf = (response: { json: { errors: Array<{ field: string; rule: string }> } }) =>
      response.json.errors.map(({ field, rule }) => `${field}:${rule}`)

    it("\" Admin \" is the reserved name", async () => {
      const response = await server.post("/users", { name: " Admin ", email: `${unique("admin")}@example.com` })
      expect(response.status).toBe(422)
      expect(rulesOf(response)).toEqual(["name:exclusion"])
    })

    it("emails are trimmed, lower-cased and unique whatever their case", async () => {
      const local = unique("Mixed.Case")
      const created = await server.post("/users", { name: "  Mixed Case  ", email: `  ${local}@Example.COM ` })
      expect(created.status).toBe(201)
      expect(created.json.email).toBe(`${local.toLowerCase()}@example.com`)
      expect(created.json.name).toBe("Mixed Case")
      const again = await server.post("/users", { name: "Other Person", email: `${local.toUpperCase()}@EXAMPLE.com` })
      expect(again.status).toBe(422)
      expect(rulesOf(again)).toEqual(["email:uniqueness"])
      const other = await server.post("/users", { name: "Third Person", email: `${unique("third")}@example.com` })
      const taken = await server.patch(`/users/${other.json.id}`, { email: `${local.toUpperCase()}@example.com` })
      expect(rulesOf(taken)).toEqual(["email:uniqueness"])
    })

    it("a whitespace-only comment, title or name is empty", async () => {
      const fieldsOf = (
        response: { status: number; json: { errors: Array<{ field: string }> } }
      ) => [response.status, response.json.errors.map(({ field }) => field)]
      expect(fieldsOf(await server.post("/posts/1/comments", { authorId: "1", body: " \n\t " }))).toEqual([422, [
        "body"
      ]])
      expect(fieldsOf(await server.post("/users/1/posts", { title: "   ", body: "text" }))).toEqual([422, ["title"]])
      expect(fieldsOf(await server.post("/users", { name: "   ", email: `${unique("blank")}@example.com` }))).toEqual([
        422,
        ["name"]
      ])
    })

    it("lengths count code points: an emoji is one character", async () => {
      const emoji = "😀"
      const ok = await server.post("/users", { name: emoji.repeat(255), email: `${unique("emoji")}@example.com` })
      expect(ok.status).toBe(201)
      const tooLong = await server.post("/users", { name: emoji.repeat(256), email: `${unique("emoji")}@example.com` })
      expect(rulesOf(tooLong)).toEqual(["name:maxLength"])
      expect((await server.post("/users", { name: emoji.repeat(2), email: `${unique("emoji")}@example.com` })).status)
        .toBe(201)
    })
  })

  describe("query integers", () => {
    it.each(["0x10", "%205", "1e2", "5.0", "+5", "-5", "5%20", "1_0", "0b1", ""])(
      "limit=%s is a 400",
      async (limit) => {
        const response = await server.get(`/posts?limit=${limit}`)
        expect(response.status).toBe(400)
        expect(response.json.errors[0].field).toBe("limit")
      }
    )

    it("limit=5 and limit=05 are 5", async () => {
      expect((await server.get("/posts?limit=5")).json.items).toHaveLength(5)
      expect((await server.get("/posts?limit=05")).json.items).toHaveLength(5)
    })
  })
})
