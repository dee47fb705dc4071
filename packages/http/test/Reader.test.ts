/**
 * `HttpCache.reader` (a read-through prepared once): entries named by the options alone, so two
 * readers made with the same options share them; `freshFor`; typed failures; how reads were served.
 */
import { describe, expect, layer } from "@effect/vitest"
import { Effect } from "effect"

import { callsDuring, get, request, ServerLive } from "./server.js"

let counter = 0
const fresh = (label: string) => `${label}-${++counter}`

const put = (id: string, value: string, mode: "hard" | "soft" = "hard") =>
  request("POST", `/items/${id}`, {}, { value, mode })

const suite = (name: string, server: typeof ServerLive) =>
  layer(server)(name, (it) => {
    describe("reader", () => {
      it.effect("a twin made with the same options shares the entries: one's MISS is the other's HIT", () =>
        Effect.gen(function*() {
          const id = fresh("shared")
          yield* put(id, "one")
          const [first, ran] = yield* callsDuring(get(`/twin/${id}`))
          expect([first.status, first.cache, ran]).toEqual([200, "MISS", 1])
          const [second, ranAgain] = yield* callsDuring(get(`/reader/${id}`))
          expect([second.status, second.cache, ranAgain]).toEqual([200, "HIT", 0])
          expect(second.text).toBe(first.text)
          expect(second.headers.get("etag")).toBe(first.headers.get("etag"))
          expect(second.headers.get("cache-control")).toBe(first.headers.get("cache-control"))
          // The twin's tags are the reader's: the write's invalidation reaches both.
          yield* put(id, "two")
          const [third, ranThird] = yield* callsDuring(get(`/reader/${id}`))
          expect([third.cache, ranThird]).toEqual(["MISS", 1])
          expect(JSON.parse(third.text)).toEqual({ id, value: "two" })
          const [fourth, ranFourth] = yield* callsDuring(get(`/twin/${id}`))
          expect([fourth.cache, ranFourth, fourth.text]).toEqual(["HIT", 0, third.text])
        }))

      it.effect("freshFor: a value with less time left is stored for that long; one with none is answered, not stored", () =>
        Effect.gen(function*() {
          const id = fresh("left")
          yield* put(id, "v")
          const short = yield* get(`/left/${id}/30000`)
          expect([short.status, short.cache, short.headers.get("cache-control")]).toEqual([200, "MISS", "max-age=30"])
          expect((yield* get(`/left/${id}/30000`)).cache).toBe("HIT")
          const spent = fresh("spent")
          yield* put(spent, "w")
          const [first, ran] = yield* callsDuring(get(`/left/${spent}/0`))
          expect([first.status, JSON.parse(first.text), ran]).toEqual([200, { id: spent, value: "w" }, 1])
          const [again, ranAgain] = yield* callsDuring(get(`/left/${spent}/0`))
          expect([again.status, ranAgain]).toEqual([200, 1])
        }))

      it.effect("answers and caches the typed failure; 304 on a matching If-None-Match", () =>
        Effect.gen(function*() {
          const id = fresh("reader-missing")
          const [missing, ran] = yield* callsDuring(get(`/reader/${id}`))
          expect([missing.status, ran]).toEqual([404, 1])
          expect(JSON.parse(missing.text)).toEqual({ _tag: "ItemNotFound", id })
          const [again, ranAgain] = yield* callsDuring(get(`/reader/${id}`))
          expect([again.status, again.cache, ranAgain]).toEqual([404, "HIT", 0])
          yield* put(id, "here")
          const found = yield* get(`/reader/${id}`)
          expect([found.status, found.cache]).toEqual([200, "MISS"])
          const [hit, ranHit] = yield* callsDuring(
            get(`/reader/${id}`, { "if-none-match": found.headers.get("etag")! })
          )
          expect([hit.status, hit.cache, hit.text, ranHit]).toEqual([304, "HIT", "", 0])
        }))
    })

    describe("how each read was served", () => {
      it.effect("MISS, HIT, STALE after a soft invalidation (then refreshed), MISS after a hard one", () =>
        Effect.gen(function*() {
          const id = fresh("served")
          yield* put(id, "v1")
          expect((yield* get(`/items/${id}`)).cache).toBe("MISS")
          expect((yield* get(`/items/${id}`)).cache).toBe("HIT")
          yield* put(id, "v2", "soft")
          const stale = yield* get(`/items/${id}`)
          // Only the cache knows this one is stale: its age is below the ttl.
          expect(stale.cache).toBe("STALE")
          expect(JSON.parse(stale.text)).toEqual({ id, value: "v1" })
          yield* put(id, "v3")
          const miss = yield* get(`/items/${id}`)
          expect(miss.cache).toBe("MISS")
          expect(JSON.parse(miss.text)).toEqual({ id, value: "v3" })
          expect(miss.headers.get("age")).toBe("0")
        }))

      it.effect("concurrent reads of different entries each get their own report", () =>
        Effect.gen(function*() {
          const cached = fresh("cached")
          yield* put(cached, "x")
          yield* get(`/reader/${cached}`)
          const fresh_ = Array.from({ length: 8 }, (_, i) => fresh(`new${i}`))
          for (const id of fresh_) yield* put(id, "y")
          const answers = yield* Effect.all(
            [...fresh_.map((id) => get(`/reader/${id}`)), ...fresh_.map(() => get(`/reader/${cached}`))],
            { concurrency: "unbounded" }
          )
          expect(answers.map((answer) => answer.cache)).toEqual([
            ...fresh_.map(() => "MISS"),
            ...fresh_.map(() => "HIT")
          ])
        }))
    })
  })

suite("HttpCache.reader", ServerLive)
