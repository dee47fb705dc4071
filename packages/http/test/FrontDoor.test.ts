/**
 * `FrontDoor`: the same app served with the door and without it, on one database, answers every
 * request alike — status, body and every header bar `Age`/`Date` — over random sequences of
 * reads (`If-None-Match`, `HEAD`, `Vary`, per-user), writes and invalidations; and a hit answered
 * at the door is finished, counted and logged as the app does it, and never survives an
 * invalidation. Bad input reaches the app as before.
 */
import * as Net from "node:net"

import { Cache, MemoryStore } from "@cachet/core"
import { describe, expect, it } from "@effect/vitest"
import { Effect, FastCheck as fc, Layer } from "effect"

import { calls, db, portOf, type Seen, send, serverLayer, TestHooks } from "./frontDoor.js"

/** One step of a sequence. */
type Op =
  | {
    readonly _tag: "get"
    readonly method: "GET" | "HEAD"
    readonly path: string
    readonly etag: "none" | "last" | "other"
  }
  | { readonly _tag: "greet"; readonly lang: string | undefined; readonly etag: "none" | "last" }
  | { readonly _tag: "me"; readonly user: string }
  | { readonly _tag: "put"; readonly id: string; readonly value: string }
  | { readonly _tag: "expire"; readonly id: string }
  | { readonly _tag: "delete"; readonly id: string }

const id = fc.constantFrom("1", "2", "3")

const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      _tag: fc.constant("get" as const),
      method: fc.constantFrom("GET" as const, "HEAD" as const),
      path: fc.oneof(
        id.map((id) => `/items/${id}`),
        fc.constantFrom("/items", "/items?limit=2", "/items?q=a&limit=1", "/items?limit=1&q=a", "/items?x=1")
      ),
      etag: fc.constantFrom("none" as const, "last" as const, "other" as const)
    })
  },
  {
    weight: 2,
    arbitrary: fc.record({
      _tag: fc.constant("greet" as const),
      lang: fc.constantFrom("en", "fr", undefined),
      etag: fc.constantFrom("none" as const, "last" as const)
    })
  },
  { weight: 1, arbitrary: fc.record({ _tag: fc.constant("me" as const), user: fc.constantFrom("1", "2") }) },
  {
    weight: 2,
    arbitrary: fc.record({ _tag: fc.constant("put" as const), id, value: fc.constantFrom("a", "b", "ab", "c") })
  },
  { weight: 1, arbitrary: fc.record({ _tag: fc.constant("expire" as const), id }) },
  { weight: 1, arbitrary: fc.record({ _tag: fc.constant("delete" as const), id }) }
)

/** The request an op makes, given the ETags seen so far (by path and variant). */
const requestOf = (step: Op, etags: Map<string, string>) => {
  switch (step._tag) {
    case "get": {
      const headers: Record<string, string> = {}
      const last = etags.get(step.path)
      if (step.etag === "last" && last !== undefined) headers["if-none-match"] = last
      if (step.etag === "other") headers["if-none-match"] = "\"not-it\""
      return { method: step.method, path: step.path, headers, memo: step.path }
    }
    case "greet": {
      const headers: Record<string, string> = step.lang === undefined ? {} : { "accept-language": step.lang }
      const memo = `/greet:${step.lang}`
      const last = etags.get(memo)
      if (step.etag === "last" && last !== undefined) headers["if-none-match"] = last
      return { method: "GET", path: "/greet", headers, memo }
    }
    case "me":
      return { method: "GET", path: "/me", headers: { "x-user": step.user }, memo: undefined }
    case "put":
      return { method: "PUT", path: `/items/${step.id}`, headers: {}, body: { value: step.value }, memo: undefined }
    case "expire":
      return { method: "POST", path: `/items/${step.id}/expire`, headers: {}, memo: undefined }
    case "delete":
      return { method: "DELETE", path: `/items/${step.id}`, headers: {}, memo: undefined }
  }
}

/** Runs a sequence against both servers, one request at a time: every answer must be equal. */
const runBoth = async (ports: readonly [on: number, off: number], ops: ReadonlyArray<Op>) => {
  const etags = new Map<string, string>()
  for (const step of ops) {
    const { body, headers, memo, method, path } = requestOf(step, etags) as ReturnType<typeof requestOf> & {
      readonly body?: unknown
    }
    const off: Seen = await send(ports[1], method, path, headers, body)
    const on: Seen = await send(ports[0], method, path, headers, body)
    expect({ step, ...on }).toEqual({ step, ...off })
    const etag = off.headers["etag"]
    if (memo !== undefined && etag !== undefined) etags.set(memo, etag)
  }
}

const memory = () => MemoryStore.layer()

describe("FrontDoor on the memory store", () => {
  it.scoped("answers exactly as the app does, with the door on and off, on one database", () =>
    Effect.gen(function*() {
      const on = yield* Layer.build(serverLayer(true, memory(), "on"))
      const off = yield* Layer.build(serverLayer(false, memory(), "off"))
      const caches = [on, off].map((context) => context.unsafeMap.get(Cache.Cache.key) as Cache.Service)
      const hooks = on.unsafeMap.get(TestHooks.key) as { doorHits: number }
      yield* Effect.promise(() =>
        fc.assert(
          fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 40 }), async (ops) => {
            db.clear()
            db.set("1", "a")
            db.set("2", "b")
            for (const cache of caches) await Effect.runPromise(Effect.ignore(cache.clear))
            await runBoth([portOf(on), portOf(off)], ops)
          }),
          { numRuns: 40 }
        )
      )
      // The door did answer (the property is not about an idle door).
      expect(hooks.doorHits).toBeGreaterThan(0)
    }), { timeout: 120_000 })

  it.scoped("a hit at the door: the app's headers, counted and logged, HEAD and 304, never after a write", () =>
    Effect.gen(function*() {
      const on = yield* Layer.build(serverLayer(true, memory(), "hooks"))
      const port = portOf(on)
      const hooks = on.unsafeMap.get(TestHooks.key) as {
        doorHits: number
        inFlight: number
        draining: boolean
        lines: Array<string>
      }
      db.set("7", "seven")
      const first = yield* Effect.promise(() => send(port, "GET", "/items/7"))
      expect([first.status, first.headers["x-cache"], hooks.doorHits]).toEqual([200, "MISS", 0])
      const before = calls.count
      const hit = yield* Effect.promise(() => send(port, "GET", "/items/7"))
      expect([hit.status, hit.headers["x-cache"], hit.body, hooks.doorHits, calls.count - before]).toEqual([
        200,
        "HIT",
        first.body,
        1,
        0
      ])
      expect(hit.headers["x-content-type-options"]).toBe("nosniff")
      expect(hit.headers["etag"]).toBe(first.headers["etag"])
      expect(hit.headers["cache-control"]).toBe("max-age=3600")
      expect(hooks.lines.at(-1)).toBe("GET /items/7 200")
      expect(hooks.inFlight).toBe(0)
      const head = yield* Effect.promise(() => send(port, "HEAD", "/items/7"))
      expect([head.status, head.body, head.headers["content-length"], hooks.doorHits]).toEqual([
        200,
        "",
        String(Buffer.byteLength(first.body)),
        2
      ])
      const notModified = yield* Effect.promise(() =>
        send(port, "GET", "/items/7", { "if-none-match": first.headers["etag"]! })
      )
      expect([notModified.status, notModified.body, notModified.headers["x-cache"], hooks.doorHits]).toEqual([
        304,
        "",
        "HIT",
        3
      ])
      // While draining, the door's answers ask the client to close.
      hooks.draining = true
      const closing = yield* Effect.promise(() => send(port, "GET", "/items/7"))
      expect([closing.headers["connection"], closing.headers["x-cache"]]).toEqual(["close", "HIT"])
      hooks.draining = false
      // A write through the app: the door never answers the old body.
      yield* Effect.promise(() => send(port, "PUT", "/items/7", {}, { value: "eight" }))
      const after = yield* Effect.promise(() => send(port, "GET", "/items/7"))
      expect([after.headers["x-cache"], JSON.parse(after.body).value]).toEqual(["MISS", "eight"])
      // Private entries are the app's: the door hands them over.
      const hitsBefore = hooks.doorHits
      yield* Effect.promise(() => send(port, "GET", "/me", { "x-user": "7" }))
      const me = yield* Effect.promise(() => send(port, "GET", "/me", { "x-user": "7" }))
      expect([me.headers["x-cache"], me.headers["cache-control"], hooks.doorHits]).toEqual([
        "HIT",
        "private, max-age=3600",
        hitsBefore
      ])
    }))

  it.scoped("bad input is the app's: malformed URLs, huge headers, garbage after a request", () =>
    Effect.gen(function*() {
      const on = yield* Layer.build(serverLayer(true, memory(), "bad-on"))
      const off = yield* Layer.build(serverLayer(false, memory(), "bad-off"))
      db.set("9", "nine")
      for (const port of [portOf(on), portOf(off)]) {
        yield* Effect.promise(() => send(port, "GET", "/items/9"))
      }
      const raw = (port: number, text: string) =>
        Effect.async<string>((resume) => {
          const socket = Net.connect(port, "127.0.0.1")
          let out = ""
          socket.on("data", (chunk) => (out += chunk.toString("latin1")))
          socket.on("close", () => resume(Effect.succeed(out)))
          socket.on("error", () => resume(Effect.succeed(out)))
          socket.end(text)
        })
      const statusLines = (text: string) =>
        text.split("\r\n").filter((line) => line.startsWith("HTTP/1.1")).map((line) => line.slice(0, 12))
      const cases = [
        "GET /items/%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        "GET /items/9;x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        "GET //items/9 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        `GET /items/9 HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`,
        "GET /items/9 HTTP/1.1\r\nHost: x\r\n\r\nGARBAGE \x00\x01 NOT HTTP\r\n\r\n",
        "GET /items/9 HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabcGET /items/9 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
      ]
      for (const text of cases) {
        const [withDoor, without] = [yield* raw(portOf(on), text), yield* raw(portOf(off), text)]
        expect(statusLines(without).length).toBeGreaterThan(0)
        expect({ text: text.slice(0, 40), lines: statusLines(withDoor) }).toEqual({
          text: text.slice(0, 40),
          lines: statusLines(without)
        })
      }
      // The valid requests among them were answered, some at the door.
      expect((on.unsafeMap.get(TestHooks.key) as { doorHits: number }).doorHits).toBeGreaterThan(0)
    }))
})
