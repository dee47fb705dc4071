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
import { Context, Effect, Layer, Tracer } from "effect"

import { calls, db, portOf, property, send, serverLayer, TestHooks } from "./frontDoor.js"

const memory = () => MemoryStore.layer()

describe("FrontDoor on the memory store", () => {
  it.scopedLive(
    "answers exactly as the app does, with the door on and off, on one database",
    () =>
      Effect.gen(function*() {
        const on = yield* Layer.build(serverLayer(true, memory(), "on"))
        const off = yield* Layer.build(serverLayer(false, memory(), "off"))
        yield* property(on, off, 40)
        // The door did answer (the property is not about an idle door).
        expect((on.unsafeMap.get(TestHooks.key) as { doorHits: number }).doorHits).toBeGreaterThan(0)
      }),
    { timeout: 120_000 }
  )

  it.scopedLive("a hit at the door: the app's headers, counted and logged, HEAD and 304, never after a write", () =>
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

  it.scopedLive("a hit at the door counts as a cache hit, and opens a server span when a tracer is installed", () =>
    Effect.gen(function*() {
      const spans: Array<Tracer.Span> = []
      const native = yield* Effect.tracer
      const recording = Tracer.make({
        span: (...args) => {
          const span = native.span(...args)
          spans.push(span)
          return span
        },
        context: (f) => f()
      })
      const on = yield* Layer.build(
        serverLayer(true, memory(), "traced").pipe(Layer.provide(Layer.setTracer(recording)))
      )
      const port = portOf(on)
      const cache = Context.get(on, Cache.Cache)
      db.set("11", "eleven")
      yield* Effect.promise(() => send(port, "GET", "/items/11"))
      const hitsBefore = (yield* cache.stats).hits
      const doorBefore = (on.unsafeMap.get(TestHooks.key) as { doorHits: number }).doorHits
      const spansBefore = spans.length
      const hit = yield* Effect.promise(() => send(port, "GET", "/items/11?"))
      const again = yield* Effect.promise(() => send(port, "GET", "/items/11"))
      expect([hit.headers["x-cache"], again.headers["x-cache"]]).toEqual(["HIT", "HIT"])
      expect((on.unsafeMap.get(TestHooks.key) as { doorHits: number }).doorHits).toBe(doorBefore + 2)
      expect((yield* cache.stats).hits).toBe(hitsBefore + 2)
      const doorSpans = spans.slice(spansBefore).filter((span) => span.attributes.get("cachet.front_door") === true)
      expect(doorSpans.map((span) => [span.name, span.kind, span.attributes.get("http.response.status_code")]))
        .toEqual([["http.server GET", "server", 200], ["http.server GET", "server", 200]])
      expect(doorSpans.map((span) => span.status._tag)).toEqual(["Ended", "Ended"])
    }))

  it.scopedLive("bad input is the app's: malformed URLs, huge headers, garbage after a request", () =>
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
