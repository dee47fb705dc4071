/**
 * Whole-response caching of `GET` queries: an execution's coverage (complete only when every
 * root field is a shared cached fragment and nothing failed; the tags of every fragment read or
 * written, nested ones included), and `GraphQLHttp`'s `responseCache` serving identical GETs
 * from `@cachet/http` until a tag of a fragment they show is invalidated.
 */
import { Cache, MemoryStore } from "@cachet/core"
import { HttpClient, HttpClientRequest, HttpRouter, HttpServer } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, TestClock } from "effect"

import { GraphQLCache, GraphQLHttp } from "../src/index.js"
import { makeBlog } from "./blog.js"
import { twoConcurrentMisses } from "./concurrent.js"

const Caches = Layer.mergeAll(
  Cache.layer().pipe(Layer.provide(MemoryStore.layer())),
  GraphQLCache.layer({ extensions: true })
)

describe("coverage", () => {
  const blog = makeBlog({ post: {}, user: {}, author: { tags: () => "extra/author" }, me: { contextKey: ["user"] } })
  const report = (source: string) =>
    GraphQLCache.executeReport({ schema: blog.schema, source, contextValue: { user: "1" } })

  it.layer(Caches)((it) => {
    it.effect("complete for cached roots, on the miss and on the hit, with every fragment's tags (nested extras too)", () =>
      Effect.gen(function*() {
        const query = `{ post(id: "1") { title author { name } } }`
        const miss = yield* report(query)
        expect(miss.fullyCached).toBe(false)
        expect(miss.coverage.complete).toBe(true)
        expect(miss.coverage.tags).toEqual(expect.arrayContaining([
          GraphQLCache.ownFieldsTag("Post", "1"),
          GraphQLCache.ownFieldsTag("User", "1"),
          "extra/author"
        ]))
        const hit = yield* report(query)
        expect(hit.fullyCached).toBe(true)
        expect(hit.coverage.complete).toBe(true)
        // The root fragment, written on the miss, carries its nested fragment's extra tag.
        expect(hit.coverage.tags).toEqual(
          expect.arrayContaining(["extra/author", GraphQLCache.ownFieldsTag("User", "1")])
        )
      }))

    it.effect("incomplete with an uncached root, a context-keyed fragment, or errors", () =>
      Effect.gen(function*() {
        // An uncached root or a context-keyed fragment: never complete, whatever the moment.
        expect((yield* report(`{ posts(limit: 1) { id } post(id: "2") { title } }`)).coverage).toEqual({
          complete: false,
          tags: [],
          neverComplete: true
        })
        expect((yield* report(`{ me { name } }`)).coverage).toMatchObject({ complete: false, neverComplete: true })
        // An error: incomplete this time only.
        blog.failing.comment = "3-a"
        const failed = yield* report(`{ post(id: "3") { comments { body } } }`)
        blog.failing.comment = ""
        expect(failed.result.errors?.length).toBeGreaterThan(0)
        expect(failed.coverage).toEqual({ complete: false, tags: [] })
      }))
  })

  it.effect("incomplete for the execution that took its fragment from another's flight (it may predate this one)", () =>
    Effect.gen(function*() {
      const { calls, reports } = yield* twoConcurrentMisses
      expect(calls).toBe(1)
      expect(reports.map((report) => report.coverage.complete).sort()).toEqual([false, true])
    }).pipe(Effect.provide(Caches)))

  it.effect("fresh until the earliest fragment it shows stops being fresh, counted from when that fragment was rendered", () =>
    Effect.gen(function*() {
      const query = `{ post(id: "7") { title author { name } } }`
      const first = yield* report(query)
      // Rendered at 0 under the cache's default ttl (1 minute here).
      expect(first.coverage.freshUntilMillis).toBe(60_000)
      yield* TestClock.adjust("30 seconds")
      const hit = yield* report(query)
      expect(hit.fullyCached).toBe(true)
      expect(hit.coverage.freshUntilMillis).toBe(60_000)
      // A response showing that fragment and a newly rendered one is fresh only as long as the older.
      const mixed = yield* report(`{ post(id: "7") { title author { name } } user(id: "2") { name } }`)
      expect(mixed.coverage.complete).toBe(true)
      expect(mixed.coverage.freshUntilMillis).toBe(60_000)
    }).pipe(Effect.provide(Layer.mergeAll(
      Cache.layer({ ttl: "1 minute" }).pipe(Layer.provide(MemoryStore.layer())),
      GraphQLCache.layer({})
    ))))

  it.effect("incomplete when the fragment cache is off", () =>
    report(`{ post(id: "1") { title } }`).pipe(
      Effect.map((off) => expect(off.coverage.complete).toBe(false)),
      Effect.provide(
        Layer.mergeAll(Cache.layer().pipe(Layer.provide(MemoryStore.layer())), GraphQLCache.layer({ enabled: false }))
      )
    ))
})

describe("GraphQLHttp responseCache and fragment ages", () => {
  const blog = makeBlog({ post: {}, user: {}, author: {}, me: { contextKey: ["user"] } })
  const ServerLive = HttpServer.serve(GraphQLHttp.router({ schema: blog.schema, responseCache: { ttl: "1 minute" } }))
    .pipe(
      Layer.provideMerge(
        Layer.mergeAll(
          Cache.layer({ ttl: "1 minute" }).pipe(Layer.provide(MemoryStore.layer())),
          GraphQLCache.layer({})
        )
      ),
      Layer.provideMerge(NodeHttpServer.layerTest)
    )
  const get = (query: string) =>
    HttpClient.execute(HttpClientRequest.get("/graphql").pipe(HttpClientRequest.setUrlParams({ query })))

  it.effect("a response showing a fragment rendered earlier is fresh only as long as that fragment", () =>
    Effect.gen(function*() {
      expect((yield* get(`{ post(id: "8") { title } }`)).headers["x-cache"]).toBe("MISS")
      expect((yield* get(`{ post(id: "8") { title } }`)).headers["x-cache"]).toBe("HIT")
      yield* TestClock.adjust("30 seconds")
      // Another document showing the same fragment, now 30 s old: stored for the 30 s it has left.
      const other = `{ post(id: "8") { title }  }`
      const first = yield* get(other)
      expect(first.headers["x-cache"]).toBe("MISS")
      expect(first.headers["cache-control"]).toContain("max-age=30")
      expect((yield* get(other)).headers["x-cache"]).toBe("HIT")
      // Both end together; the fragment is rendered afresh and the response stored for a minute.
      yield* TestClock.adjust("30 seconds")
      const renewed = yield* get(other)
      expect(renewed.headers["x-cache"]).toBe("MISS")
      expect(renewed.headers["cache-control"]).toContain("max-age=60")
      expect((yield* get(other)).headers["x-cache"]).toBe("HIT")
    }).pipe(Effect.provide(ServerLive)))
})

describe("GraphQLHttp responseCache", () => {
  const blog = makeBlog({ post: {}, user: {}, author: {}, me: { contextKey: ["user"] } })
  // One server (it.layer shares built layers within a file): /graphql, and /tenant with a vary header.
  const app = HttpRouter.concat(
    GraphQLHttp.router({ schema: blog.schema, responseCache: true, context: () => Effect.succeed({ user: "1" }) }),
    GraphQLHttp.router({ schema: blog.schema, responseCache: { vary: ["X-Tenant"] } }, "/tenant")
  )
  const ServerLive = HttpServer.serve(app).pipe(
    Layer.provideMerge(Caches),
    Layer.provideMerge(NodeHttpServer.layerTest)
  )
  const get = (query: string, headers: Record<string, string> = {}) =>
    HttpClient.execute(
      HttpClientRequest.get("/graphql").pipe(
        HttpClientRequest.setUrlParams({ query }),
        HttpClientRequest.setHeaders(headers)
      )
    )

  it.layer(ServerLive)((it) => {
    it.effect("a repeated GET is a HIT with the same bytes; invalidating a nested fragment's tag makes the next GET fresh", () =>
      Effect.gen(function*() {
        const query = `{ post(id: "4") { title author { name } } }`
        const first = yield* get(query)
        expect(first.headers["x-cache"]).toBe("MISS")
        const body = yield* first.text
        const second = yield* get(query)
        expect(second.headers["x-cache"]).toBe("HIT")
        expect(yield* second.text).toBe(body)
        expect(JSON.parse(body).extensions).toEqual({ cachet: { response: "stored" } })
        const etag = second.headers["etag"]!
        expect(etag).toMatch(/^W\/"/)
        expect((yield* get(query, { "if-none-match": etag })).status).toBe(304)
        const author = blog.users.find((user) => user.id === blog.posts[3]!.userId)!
        author.name = "Renamed"
        // Unchanged until the change is announced: the fragments still hold the old name.
        expect((yield* get(query)).headers["x-cache"]).toBe("HIT")
        yield* Effect.flatMap(Cache.Cache, (cache) => cache.invalidate(GraphQLCache.ownFieldsTag("User", author.id)))
        const after = yield* get(query)
        expect(after.headers["x-cache"]).toBe("MISS")
        expect(yield* after.json).toMatchObject({ data: { post: { author: { name: "Renamed" } } } })
      }))

    it.effect("an uncached root, a context-keyed fragment and POST are never served from it", () =>
      Effect.gen(function*() {
        for (const query of [`{ posts(limit: 1) { id } }`, `{ me { name } }`]) {
          yield* get(query)
          const again = yield* get(query)
          expect(again.status).toBe(200)
          expect(again.headers["x-cache"]).toBeUndefined()
        }
        const query = `{ post(id: "5") { title } }`
        yield* get(query)
        expect((yield* get(query)).headers["x-cache"]).toBe("HIT")
        const posted = yield* HttpClient.execute(
          HttpClientRequest.post("/graphql").pipe(
            HttpClientRequest.bodyText(JSON.stringify({ query }), "application/json")
          )
        )
        expect(posted.headers["x-cache"]).toBeUndefined()
        expect(yield* posted.json).toMatchObject({ extensions: { cachet: { hits: 1 } } })
      }))

    it.effect("introspection and __typename (the schema's alone) are stored under the schema's identity", () =>
      Effect.gen(function*() {
        const query = `{ __typename __schema { queryType { name } } }`
        expect((yield* get(query)).headers["x-cache"]).toBe("MISS")
        const again = yield* get(query)
        expect(again.headers["x-cache"]).toBe("HIT")
        expect(yield* again.json).toMatchObject({
          data: { __typename: "Query", __schema: { queryType: { name: "Query" } } }
        })
      }))

    it.effect("the vary headers key entries apart and are announced beside Accept", () =>
      Effect.gen(function*() {
        const tenant = (name: string) =>
          HttpClient.execute(
            HttpClientRequest.get("/tenant").pipe(
              HttpClientRequest.setUrlParams({ query: `{ post(id: "6") { title } }` }),
              HttpClientRequest.setHeaders({ "x-tenant": name })
            )
          )
        expect((yield* tenant("a")).headers["x-cache"]).toBe("MISS")
        const b = yield* tenant("b")
        expect(b.headers["x-cache"]).toBe("MISS")
        expect(b.headers["vary"]).toBe("Accept, X-Tenant")
        expect((yield* tenant("a")).headers["x-cache"]).toBe("HIT")
      }))
  })
})
