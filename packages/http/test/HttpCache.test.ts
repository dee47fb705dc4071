import { describe, expect, layer } from "@effect/vitest"
import { Effect } from "effect"

import { callsDuring, get, keysUnder, request, ServerLive } from "./server.js"

let counter = 0
const fresh = (label: string) => `${label}-${++counter}`

const put = (id: string, value: string, mode: "hard" | "soft" = "hard") =>
  request("POST", `/items/${id}`, {}, { value, mode })

layer(ServerLive)("HttpCache over a real server", (it) => {
  describe("read-through and headers", () => {
    it.effect("MISS then HIT with the same bytes, a strong ETag, Age and Cache-Control", () =>
      Effect.gen(function*() {
        const id = fresh("a")
        yield* put(id, "one")
        const [first, ran] = yield* callsDuring(get(`/items/${id}`))
        expect(ran).toBe(1)
        expect(first.status).toBe(200)
        expect(first.cache).toBe("MISS")
        expect(first.headers.get("age")).toBe("0")
        expect(first.headers.get("etag")).toMatch(/^"[A-Za-z0-9_-]{22}"$/)
        expect(first.headers.get("cache-control")).toBe(
          "max-age=3600, stale-while-revalidate=3600, stale-if-error=3600"
        )
        expect(first.headers.get("content-type")).toBe("application/json")
        const [second, ranAgain] = yield* callsDuring(get(`/items/${id}`))
        expect(ranAgain).toBe(0)
        expect(second.cache).toBe("HIT")
        expect(second.text).toBe(first.text)
        expect(second.headers.get("etag")).toBe(first.headers.get("etag"))
        expect(Number(second.headers.get("age"))).toBeGreaterThanOrEqual(0)
      }))

    it.effect("If-None-Match: matching, weak, in a list and * answer 304 with no body; others 200", () =>
      Effect.gen(function*() {
        const id = fresh("inm")
        yield* put(id, "v")
        const etag = (yield* get(`/items/${id}`)).headers.get("etag")!
        for (const header of [etag, `W/${etag}`, `"nope", ${etag}`, `"a",W/${etag} ,"b"`, "*"]) {
          const response = yield* get(`/items/${id}`, { "if-none-match": header })
          expect(response.status, header).toBe(304)
          expect(response.text, header).toBe("")
          expect(response.headers.get("etag"), header).toBe(etag)
          expect(response.headers.get("cache-control"), header).toContain("max-age=")
          expect(response.cache, header).toBe("HIT")
        }
        for (const header of ["\"other\"", "W/\"other\", \"x\"", etag.slice(0, -2) + "\""]) {
          const response = yield* get(`/items/${id}`, { "if-none-match": header })
          expect(response.status, header).toBe(200)
          expect(JSON.parse(response.text)).toEqual({ id, value: "v" })
        }
      }))

    it.effect("a 404 is stored without an ETag, and * does not match it", () =>
      Effect.gen(function*() {
        const id = fresh("missing")
        const [first, ran] = yield* callsDuring(get(`/items/${id}`, { "if-none-match": "*" }))
        expect(first.status).toBe(404)
        expect(first.headers.get("etag")).toBeNull()
        const [second, ranAgain] = yield* callsDuring(get(`/items/${id}`))
        expect([ran, ranAgain]).toEqual([1, 0])
        expect(second.status).toBe(404)
        expect(second.cache).toBe("HIT")
      }))

    it.effect("HEAD is answered from the GET entry, with its headers and no body", () =>
      Effect.gen(function*() {
        const id = fresh("head")
        yield* put(id, "headed")
        const got = yield* get(`/items/${id}`)
        const [head, ran] = yield* callsDuring(request("HEAD", `/items/${id}`))
        expect(ran).toBe(0)
        expect(head.status).toBe(200)
        expect(head.text).toBe("")
        expect(head.cache).toBe("HIT")
        expect(head.headers.get("etag")).toBe(got.headers.get("etag"))
        expect(head.headers.get("content-length")).toBe(String(got.text.length))
        // A HEAD miss fills the entry a GET then hits.
        const other = fresh("head-first")
        yield* put(other, "x")
        expect((yield* request("HEAD", `/items/${other}`)).cache).toBe("MISS")
        const [after, ranAfter] = yield* callsDuring(get(`/items/${other}`))
        expect(ranAfter).toBe(0)
        expect(after.cache).toBe("HIT")
        expect(JSON.parse(after.text)).toEqual({ id: other, value: "x" })
      }))

    it.effect("a write's invalidation is seen by the next read (hard: MISS; soft: STALE once, then refreshed)", () =>
      Effect.gen(function*() {
        const id = fresh("inv")
        yield* put(id, "v1")
        yield* get(`/items/${id}`)
        yield* put(id, "v2", "hard")
        const hard = yield* get(`/items/${id}`)
        expect(hard.cache).toBe("MISS")
        expect(JSON.parse(hard.text).value).toBe("v2")
        yield* put(id, "v3", "soft")
        const stale = yield* get(`/items/${id}`)
        expect(stale.cache).toBe("STALE")
        expect(JSON.parse(stale.text).value).toBe("v2")
        expect(stale.headers.get("cache-control")).toContain("max-age=0")
      }))
  })

  describe("what is never stored", () => {
    it.effect("Set-Cookie reaches the response that produced it, and is never replayed", () =>
      Effect.gen(function*() {
        const first = yield* get("/cookie")
        expect(first.headers.get("set-cookie")).toContain("session=s3cr3t")
        const [second, ran] = yield* callsDuring(get("/cookie"))
        expect(ran).toBe(0)
        expect(second.cache).toBe("HIT")
        expect(second.text).toBe("hello")
        expect(second.headers.get("set-cookie")).toBeNull()
      }))

    it.effect("only 200, 203, 301, 404 and 410 are stored by default", () =>
      Effect.gen(function*() {
        for (
          const [code, stored] of [
            [200, true],
            [203, true],
            [301, true],
            [404, true],
            [410, true],
            [201, false],
            [302, false],
            [400, false],
            [403, false],
            [500, false],
            [503, false]
          ] as const
        ) {
          const [first] = yield* callsDuring(get(`/status/${code}`))
          expect(first.status, String(code)).toBe(code)
          const [, ran] = yield* callsDuring(get(`/status/${code}`))
          expect(ran, `status ${code} stored: ${stored}`).toBe(stored ? 0 : 1)
        }
      }))

    it.effect("no-store routes tell clients so, and are still cached here", () =>
      Effect.gen(function*() {
        const first = yield* get("/secret")
        expect(first.headers.get("cache-control")).toBe("no-store")
        const [second, ran] = yield* callsDuring(get("/secret"))
        expect(ran).toBe(0)
        expect(second.headers.get("cache-control")).toBe("no-store")
      }))
  })

  describe("keys", () => {
    it.effect("Vary: each Accept-Language has its own entry, and says Vary", () =>
      Effect.gen(function*() {
        const [en, ranEn] = yield* callsDuring(get("/lang", { "accept-language": "en" }))
        const [fr, ranFr] = yield* callsDuring(get("/lang", { "accept-language": "fr" }))
        const [en2, ranEn2] = yield* callsDuring(get("/lang", { "accept-language": "en" }))
        expect([ranEn, ranFr, ranEn2]).toEqual([1, 1, 0])
        expect(en.text).toBe("hello in en")
        expect(fr.text).toBe("hello in fr")
        expect(en2.text).toBe("hello in en")
        expect(en.headers.get("vary")).toBe("Accept-Language")
      }))

    it.effect("a private entry is never served to another user", () =>
      Effect.gen(function*() {
        const ada = yield* get("/me", { "x-user": "ada" })
        const alan = yield* get("/me", { "x-user": "alan" })
        const [adaAgain, ran] = yield* callsDuring(get("/me", { "x-user": "ada" }))
        expect(ada.text).toBe("private page of ada")
        expect(alan.text).toBe("private page of alan")
        expect(alan.cache).toBe("MISS")
        expect(adaAgain.text).toBe("private page of ada")
        expect([adaAgain.cache, ran]).toEqual(["HIT", 0])
        expect(ada.headers.get("cache-control")).toMatch(/^private, max-age=/)
        const [anonymous] = yield* callsDuring(get("/me"))
        expect(anonymous.text).toBe("private page of nobody")
      }))

    it.effect("query parameter order does not split entries; unknown parameters add none", () =>
      Effect.gen(function*() {
        const [first, ran] = yield* callsDuring(get("/search?q=cache&page=2"))
        expect([first.cache, ran]).toEqual(["MISS", 1])
        for (
          const path of [
            "/search?page=2&q=cache",
            "/search?q=cache&page=2&utm=x",
            "/search?utm=y&page=2&q=cach%65",
            "/search?q=cache&fbclid=1&page=2"
          ]
        ) {
          const [again, ranAgain] = yield* callsDuring(get(path))
          expect([again.cache, ranAgain], path).toEqual(["HIT", 0])
          expect(again.text).toBe(first.text)
        }
        // A hundred junk parameters: still one entry for the route.
        for (let i = 0; i < 100; i++) yield* get(`/search?q=cache&page=2&junk${i}=${i}`)
        expect(yield* keysUnder("http:m1:search")).toBe(1)
        // Repeated parameters keep their order.
        const ab = yield* get("/search?q=a&q=b")
        const ba = yield* get("/search?q=b&q=a")
        expect(ab.text).not.toBe(ba.text)
      }))
  })

  describe("read-through form", () => {
    it.effect("stores the encoded value and the typed failure as responses", () =>
      Effect.gen(function*() {
        const id = fresh("read")
        const [missing, ran] = yield* callsDuring(get(`/reader/${id}`))
        expect(missing.status).toBe(404)
        expect(JSON.parse(missing.text)).toEqual({ _tag: "ItemNotFound", id })
        expect(ran).toBe(1)
        expect(missing.headers.get("cache-control")).toBe("max-age=30, stale-while-revalidate=600, stale-if-error=600")
        yield* put(id, "now here") // invalidates items/<id>, the tag of the read's entries
        const [found, ranFound] = yield* callsDuring(get(`/reader/${id}`))
        expect([found.status, found.cache, ranFound]).toEqual([200, "MISS", 1])
        expect(JSON.parse(found.text)).toEqual({ id, value: "now here" })
        const [hit, ranHit] = yield* callsDuring(get(`/reader/${id}`, { "if-none-match": found.headers.get("etag")! }))
        expect([hit.status, hit.cache, ranHit]).toEqual([304, "HIT", 0])
      }))
  })
})
