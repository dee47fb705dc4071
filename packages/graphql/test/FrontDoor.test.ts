/**
 * `GraphQLHttp.make(...).frontDoor` behind `@cachet/http/node`'s `FrontDoor`: the same table of
 * requests sent to an app served with the door and to one served without it (each on its own
 * copy of the blog and its own memory cache) gets the same status, body and headers (bar `Age`
 * and `Date`), and the requests the door should answer never reach the Effect app.
 */
import * as Http from "node:http"

import { Cache, MemoryStore } from "@cachet/core"
import { createServer, FrontDoor } from "@cachet/http/node"
import { HttpRouter, HttpServer } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Layer } from "effect"

import { GraphQLCache, GraphQLHttp } from "../src/index.js"
import { makeBlog } from "./blog.js"

interface Seen {
  readonly status: number
  readonly body: string
  readonly headers: Record<string, string>
}

/** One request over real HTTP on a fresh connection; the headers but `Age` and `Date`. */
const send = (
  port: number,
  method: string,
  path: string,
  headers: Record<string, string>,
  body: string | undefined
): Effect.Effect<Seen> =>
  Effect.async((resume) => {
    const request = Http.request({
      host: "127.0.0.1",
      port,
      method,
      path,
      agent: false,
      headers: body === undefined ? headers : { ...headers, "content-length": String(Buffer.byteLength(body)) }
    }, (response) => {
      const chunks: Array<Buffer> = []
      response.on("data", (chunk: Buffer) => chunks.push(chunk))
      response.on("end", () => {
        const seen: Record<string, string> = {}
        for (const [name, value] of Object.entries(response.headers)) {
          if (name === "age" || name === "date" || value === undefined) continue
          seen[name] = Array.isArray(value) ? value.join(", ") : value
        }
        resume(
          Effect.succeed({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString(), headers: seen })
        )
      })
    })
    request.on("error", (error) => resume(Effect.die(error)))
    request.end(body)
  })

/** A server of its own blog: its port, and how many requests reached the Effect app. */
const server = (door: boolean) =>
  Effect.gen(function*() {
    const blog = makeBlog({ post: {}, user: {}, author: {}, me: { contextKey: ["user"] } })
    const endpoint = GraphQLHttp.make({ schema: blog.schema, responseCache: { vary: ["X-Tenant"] } })
    const reached = { count: 0 }
    const counted = Effect.zipRight(Effect.sync(() => reached.count++), endpoint.handler)
    const listen = { port: 0, host: "127.0.0.1" }
    const context = yield* HttpServer.serve(
      HttpRouter.empty.pipe(HttpRouter.get("/graphql", counted), HttpRouter.post("/graphql", counted))
    ).pipe(
      Layer.provideMerge(
        door
          ? FrontDoor.layer(listen, Effect.succeed({ routes: [endpoint.frontDoor] }))
          : NodeHttpServer.layer(() => createServer(), listen)
      ),
      Layer.provideMerge(
        Layer.mergeAll(
          Cache.layer({ ttl: "1 minute" }).pipe(Layer.provide(MemoryStore.layer())),
          GraphQLCache.layer({ extensions: true, invalidateMutations: true })
        )
      ),
      Layer.build
    )
    const address = Context.get(context, HttpServer.HttpServer).address
    return { port: address._tag === "TcpAddress" ? address.port : 0, reached, calls: blog.calls }
  })

const url = (query: string, rest = "") => `/graphql?query=${encodeURIComponent(query)}${rest}`

const postTitle = `{ post(id: "1") { title author { name } } }`
const byVariable = `query P($id: ID!) { post(id: $id) { title } }`
const json = { "content-type": "application/json" }

/** One step: the request, whether the door answers it, and what it must say at least. */
interface Step {
  readonly name: string
  readonly method: "GET" | "HEAD" | "POST"
  readonly path: string
  readonly headers?: Record<string, string>
  /** `If-None-Match` with the `ETag` of the step named. */
  readonly ifNoneMatch?: string
  readonly body?: string
  readonly door: boolean
  readonly status: number
  readonly cache?: "HIT" | "MISS"
}

const steps: ReadonlyArray<Step> = [
  { name: "first GET", method: "GET", path: url(postTitle), door: false, status: 200, cache: "MISS" },
  { name: "repeated GET", method: "GET", path: url(postTitle), door: true, status: 200, cache: "HIT" },
  { name: "revalidation", method: "GET", path: url(postTitle), ifNoneMatch: "repeated GET", door: true, status: 304 },
  {
    name: "another ETag",
    method: "GET",
    path: url(postTitle),
    headers: { "if-none-match": "W/\"other\"" },
    door: true,
    status: 200,
    cache: "HIT"
  },
  {
    name: "plain JSON",
    method: "GET",
    path: url(postTitle),
    headers: { accept: "application/json" },
    door: true,
    status: 200,
    cache: "HIT"
  },
  {
    name: "tenant a",
    method: "GET",
    path: url(postTitle),
    headers: { "x-tenant": "a" },
    door: false,
    status: 200,
    cache: "MISS"
  },
  {
    name: "tenant a again",
    method: "GET",
    path: url(postTitle),
    headers: { "x-tenant": "a" },
    door: true,
    status: 200,
    cache: "HIT"
  },
  { name: "HEAD", method: "HEAD", path: url(postTitle), door: false, status: 405 },
  {
    name: "POST",
    method: "POST",
    path: "/graphql",
    headers: json,
    body: JSON.stringify({ query: postTitle }),
    door: false,
    status: 200
  },
  {
    name: "GET with a body",
    method: "GET",
    path: url(postTitle),
    body: "{}",
    door: false,
    status: 200,
    cache: "HIT"
  },
  {
    name: "variables",
    method: "GET",
    path: url(byVariable, `&variables=${encodeURIComponent(`{"id":"2"}`)}`),
    door: false,
    status: 200,
    cache: "MISS"
  },
  {
    name: "variables again",
    method: "GET",
    path: url(byVariable, `&variables=${encodeURIComponent(`{"id":"2"}`)}`),
    door: true,
    status: 200,
    cache: "HIT"
  },
  {
    name: "same parameters, another URL",
    method: "GET",
    path: url(byVariable, `&variables=${encodeURIComponent(`{ "id": "2" }`)}`),
    door: false,
    status: 200,
    cache: "HIT"
  },
  {
    name: "that URL again",
    method: "GET",
    path: url(byVariable, `&variables=${encodeURIComponent(`{ "id": "2" }`)}`),
    door: true,
    status: 200,
    cache: "HIT"
  },
  {
    name: "a mutation by GET",
    method: "GET",
    path: url(`mutation { renameUsers(ids: ["2"], name: "x") { id } }`),
    door: false,
    status: 405
  },
  { name: "invalid", method: "GET", path: url(`{ nope }`), door: false, status: 400 },
  { name: "invalid again", method: "GET", path: url(`{ nope }`), door: false, status: 400 },
  { name: "unparsable", method: "GET", path: url(`{ post(`), door: false, status: 400 },
  { name: "uncached root", method: "GET", path: url(`{ posts(limit: 2) { id } }`), door: false, status: 200 },
  { name: "uncached root again", method: "GET", path: url(`{ posts(limit: 2) { id } }`), door: false, status: 200 },
  { name: "per user", method: "GET", path: url(`{ me { name } }`), door: false, status: 200 },
  { name: "per user again", method: "GET", path: url(`{ me { name } }`), door: false, status: 200 },
  {
    name: "rename the author",
    method: "POST",
    path: "/graphql",
    headers: json,
    body: JSON.stringify({ query: `mutation { renameUsers(ids: ["1"], name: "Ann") { id name } }` }),
    door: false,
    status: 200
  },
  { name: "after the write", method: "GET", path: url(postTitle), door: false, status: 200, cache: "MISS" },
  { name: "after the write, again", method: "GET", path: url(postTitle), door: true, status: 200, cache: "HIT" },
  {
    name: "old ETag after the write",
    method: "GET",
    path: url(postTitle),
    ifNoneMatch: "repeated GET",
    door: true,
    status: 200,
    cache: "HIT"
  }
]

describe("GraphQLHttp front door", () => {
  it.scoped("answers fresh whole GET responses as the handler does, and hands everything else over", () =>
    Effect.gen(function*() {
      const on = yield* server(true)
      const off = yield* server(false)
      const etags = new Map<string, string>()
      for (const step of steps) {
        const headers = { ...step.headers }
        if (step.ifNoneMatch !== undefined) headers["if-none-match"] = etags.get(step.ifNoneMatch)!
        const before = on.reached.count
        const withDoor = yield* send(on.port, step.method, step.path, headers, step.body)
        const without = yield* send(off.port, step.method, step.path, headers, step.body)
        expect({ step: step.name, ...withDoor }).toEqual({ step: step.name, ...without })
        expect({ step: step.name, status: withDoor.status }).toEqual({ step: step.name, status: step.status })
        if (step.cache !== undefined) {
          expect({ step: step.name, cache: withDoor.headers["x-cache"] }).toEqual({
            step: step.name,
            cache: step.cache
          })
        }
        expect({ step: step.name, door: on.reached.count === before }).toEqual({ step: step.name, door: step.door })
        if (withDoor.headers["etag"] !== undefined) etags.set(step.name, withDoor.headers["etag"])
      }
      // The answers the door gave were the handler's: weak ETags, `Vary: Accept, X-Tenant`, the media type by `Accept`.
      const hit = yield* send(on.port, "GET", url(postTitle), { accept: "application/json" }, undefined)
      expect(hit.headers["etag"]).toMatch(/^W\//)
      expect(hit.headers["vary"]).toBe("Accept, X-Tenant")
      expect(hit.headers["content-type"]).toBe("application/json; charset=utf-8")
      expect(JSON.parse(hit.body)).toMatchObject({ data: { post: { title: "Post 1", author: { name: "Ann" } } } })
      // Hits run no resolver, at the door or in the app.
      expect(Object.fromEntries(on.calls)).toEqual(Object.fromEntries(off.calls))
    }))
})
