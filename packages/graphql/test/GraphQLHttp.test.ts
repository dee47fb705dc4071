import { Cache, MemoryStore } from "@cachet/core"
import { HttpClient, HttpClientRequest, HttpServer } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"

import { GraphQLCache, GraphQLHttp } from "../src/index.js"
import { makeBlog } from "./blog.js"

const blog = makeBlog({ post: {}, user: {} })

const ServerLive = HttpServer.serve(
  GraphQLHttp.router({ schema: blog.schema, maxDepth: 6, introspection: false, maxDocumentBytes: 2_000 })
).pipe(
  Layer.provide(
    Layer.mergeAll(Cache.layer().pipe(Layer.provide(MemoryStore.layer())), GraphQLCache.layer({ extensions: true }))
  ),
  Layer.provideMerge(NodeHttpServer.layerTest)
)

const post = (body: unknown, headers: Record<string, string> = {}) =>
  HttpClient.execute(
    HttpClientRequest.post("/graphql").pipe(
      HttpClientRequest.bodyText(typeof body === "string" ? body : JSON.stringify(body), "application/json"),
      HttpClientRequest.setHeaders(headers)
    )
  )

const get = (params: Record<string, string>, headers: Record<string, string> = {}) =>
  HttpClient.execute(
    HttpClientRequest.get("/graphql").pipe(
      HttpClientRequest.setUrlParams(params),
      HttpClientRequest.setHeaders(headers)
    )
  )

describe("GraphQLHttp", () => {
  it.layer(ServerLive)((it) => {
    it.effect("POST with JSON answers application/graphql-response+json", () =>
      Effect.gen(function*() {
        const response = yield* post({ query: `query($id: ID!) { post(id: $id) { title } }`, variables: { id: "1" } })
        expect(response.status).toBe(200)
        expect(response.headers["content-type"]).toContain(GraphQLHttp.mediaType)
        expect(yield* response.json).toMatchObject({ data: { post: { title: "Post 1" } } })
      }))

    it.effect("GET runs queries; mutations over GET are 405", () =>
      Effect.gen(function*() {
        const ok = yield* get({ query: `{ user(id: "2") { name } }` })
        expect(ok.status).toBe(200)
        expect(yield* ok.json).toMatchObject({ data: { user: { name: "Bob" } } })
        const mutation = yield* get({ query: `mutation { addComment(postId: "1", body: "x") { id } }` })
        expect(mutation.status).toBe(405)
        expect(mutation.headers["allow"]).toBe("POST")
      }))

    it.effect("400 for unparsable documents, invalid documents and invalid variables", () =>
      Effect.gen(function*() {
        expect((yield* post({ query: `{ post(id: ` })).status).toBe(400)
        expect((yield* post({ query: `{ nope }` })).status).toBe(400)
        expect((yield* post(`{"query": `)).status).toBe(400)
        expect(
          (yield* post({ query: `query($id: ID!) { post(id: $id) { title } }`, variables: { id: { no: 1 } } })).status
        ).toBe(400)
        expect((yield* post({ query: `query($id: ID!) { post(id: $id) { title } }`, variables: [] })).status).toBe(400)
        expect((yield* get({ query: `{ post(id: "1") { title } }`, variables: "{nope" })).status).toBe(400)
        const missing = yield* post({ query: `query($id: ID!) { post(id: $id) { title } }` })
        expect(missing.status).toBe(400)
        expect(((yield* missing.json) as { errors: Array<unknown> }).errors.length).toBeGreaterThan(0)
      }))

    it.effect("limits: depth (400), document size (413), introspection off (400), other methods (405), other bodies (415)", () =>
      Effect.gen(function*() {
        const deep = `{ post(id: "1") { author { posts { author { posts { author { posts { id } } } } } } } }`
        expect((yield* post({ query: deep })).status).toBe(400)
        expect(
          (yield* post({
            query: `{ ${Array.from({ length: 500 }, (_, i) => `a${i}: post(id: "1") { id }`).join(" ")} }`
          })).status
        ).toBe(413)
        expect((yield* post({ query: `{ __schema { types { name } } }` })).status).toBe(400)
        const put = yield* HttpClient.execute(
          HttpClientRequest.put("/graphql").pipe(HttpClientRequest.bodyText("{}", "application/json"))
        )
        expect(put.status).toBe(404)
        const text = yield* HttpClient.execute(
          HttpClientRequest.post("/graphql").pipe(HttpClientRequest.bodyText("{ x }", "text/plain"))
        )
        expect(text.status).toBe(415)
      }))

    it.effect("a GET served entirely from the cache carries an ETag and answers If-None-Match with 304", () =>
      Effect.gen(function*() {
        const query = `{ post(id: "3") { title } user(id: "1") { name } }`
        const first = yield* get({ query })
        expect(first.headers["etag"]).toBeUndefined()
        const second = yield* get({ query })
        const etag = second.headers["etag"]
        expect(etag).toMatch(/^W\/"/)
        const notModified = yield* get({ query }, { "if-none-match": etag! })
        expect(notModified.status).toBe(304)
        const partial = yield* get({ query: `{ post(id: "3") { title } posts(limit: 1) { id } }` })
        expect(partial.headers["etag"]).toBeUndefined()
      }))
  })
})
