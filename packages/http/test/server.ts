/**
 * A real server for the tests: a plain `HttpRouter` on a free loopback port whose routes read a
 * mutable map (the "database"), each cached route next to its uncached twin, over a
 * `Cache` on a `MemoryStore`. `calls` counts how often the routes themselves ran.
 */
import * as Http from "node:http"

import { Cache, MemoryStore } from "@cachet/core"
import { HttpCache } from "@cachet/http"
import { HttpRouter, HttpServer, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import type { ServeError } from "@effect/platform/HttpServerError"
import { Context, Duration, Effect, Layer, Schema } from "effect"

export class Item extends Schema.Class<Item>("Item")({ id: Schema.String, value: Schema.String }) {}

export class ItemNotFound extends Schema.TaggedError<ItemNotFound>()("ItemNotFound", { id: Schema.String }) {}

export interface World {
  readonly db: Map<string, string>
  readonly calls: { count: number }
}

export class TestWorld extends Context.Tag("test/World")<TestWorld, World>() {}

const world: World = { db: new Map(), calls: { count: 0 } }

const item = Effect.gen(function*() {
  const { id } = yield* HttpRouter.params
  world.calls.count++
  const value = world.db.get(id!)
  return value === undefined
    ? HttpServerResponse.unsafeJson({ error: "not found", id }, { status: 404 })
    : HttpServerResponse.unsafeJson({ id, value })
})

const write = Effect.gen(function*() {
  const { id } = yield* HttpRouter.params
  const request = yield* HttpServerRequest.HttpServerRequest
  const { mode, value } = (yield* request.json) as { readonly value: string; readonly mode: "hard" | "soft" }
  world.db.set(id!, value)
  const cache = yield* Cache.Cache
  yield* (mode === "hard" ? cache.invalidate(`items/${id}`) : cache.expire(`items/${id}`))
  return HttpServerResponse.empty()
})

const lookup = (id: string) =>
  Effect.suspend(() => {
    world.calls.count++
    const value = world.db.get(id)
    return value === undefined ? Effect.fail(new ItemNotFound({ id })) : Effect.succeed(new Item({ id, value }))
  })

/** The route's own parameter (`/items/:id`), given to the middleware's `tags`. */
const idTag = (
  _request: HttpServerRequest.HttpServerRequest,
  _response: unknown,
  params: Readonly<Record<string, string | undefined>>
) => `items/${params.id}`

const counted = (response: HttpServerResponse.HttpServerResponse) =>
  Effect.sync(() => {
    world.calls.count++
    return response
  })

const itemReader = HttpCache.reader({
  key: (id: string) => ["item", id],
  schema: Item,
  ttl: "1 hour",
  grace: "10 minutes",
  tags: (id: string) => [`items/${id}`],
  failure: { schema: ItemNotFound, status: 404 }
})

/** Made apart from `itemReader` with the same options (a different `key` function giving the same keys). */
const twinReader = HttpCache.reader({
  key: (id: string) => ["item", id],
  schema: Item,
  ttl: "1 hour",
  grace: "10 minutes",
  tags: (id: string) => [`items/${id}`],
  failure: { schema: ItemNotFound, status: 404 }
})

/** A reader whose values may be fresh only for the milliseconds the input says they have left. */
const leftReader = HttpCache.reader({
  key: (input: { readonly id: string; readonly left: number }) => ["left", input.id],
  schema: Item,
  ttl: "1 hour",
  tags: (input: { readonly id: string; readonly left: number }) => [`items/${input.id}`],
  freshFor: (input) => Duration.millis(input.left),
  failure: { schema: ItemNotFound, status: 404 }
})

/** The test app's routes. */
const router = HttpRouter.empty.pipe(
  HttpRouter.get("/items/:id", item.pipe(HttpCache.middleware({ ttl: "1 hour", grace: "1 hour", tags: idTag }))),
  HttpRouter.get("/uncached/items/:id", item),
  HttpRouter.post("/items/:id", write),
  HttpRouter.get(
    "/left/:id/:left",
    Effect.flatMap(HttpRouter.params, ({ id, left }) => leftReader({ id: id!, left: Number(left) }, lookup(id!)))
  ),
  HttpRouter.get(
    "/reader/:id",
    Effect.flatMap(HttpRouter.params, ({ id }) => itemReader(id!, lookup(id!)))
  ),
  HttpRouter.get(
    "/twin/:id",
    // A second reader with `/reader/:id`'s options: its entries are that route's.
    Effect.flatMap(HttpRouter.params, ({ id }) => twinReader(id!, lookup(id!)))
  ),
  HttpRouter.get(
    "/cookie",
    counted(HttpServerResponse.unsafeSetCookie(HttpServerResponse.text("hello"), "session", "s3cr3t")).pipe(
      HttpCache.middleware({ ttl: "1 hour", name: "cookie" })
    )
  ),
  HttpRouter.get(
    "/status/:code",
    Effect.flatMap(
      HttpRouter.params,
      ({ code }) => counted(HttpServerResponse.text(`status ${code}`, { status: Number(code) }))
    ).pipe(
      HttpCache.middleware({ ttl: "1 hour", name: "status" })
    )
  ),
  HttpRouter.get(
    "/lang",
    Effect.flatMap(
      HttpServerRequest.HttpServerRequest,
      (request) => counted(HttpServerResponse.text(`hello in ${request.headers["accept-language"] ?? "?"}`))
    ).pipe(
      HttpCache.middleware({ ttl: "1 hour", name: "lang", vary: ["Accept-Language"] })
    )
  ),
  HttpRouter.get(
    "/me",
    Effect.flatMap(
      HttpServerRequest.HttpServerRequest,
      (request) => counted(HttpServerResponse.text(`private page of ${request.headers["x-user"] ?? "nobody"}`))
    ).pipe(
      HttpCache.middleware({
        ttl: "1 hour",
        name: "me",
        context: Effect.map(HttpServerRequest.HttpServerRequest, (request) => request.headers["x-user"] ?? "")
      })
    )
  ),
  HttpRouter.get(
    "/search",
    Effect.flatMap(
      HttpServerRequest.HttpServerRequest,
      (request) =>
        counted(HttpServerResponse.text(`results for ${HttpCache.canonicalQuery(request.url, new Set(["q", "page"]))}`))
    ).pipe(
      HttpCache.middleware({ ttl: "1 hour", name: "search", query: ["q", "page"] })
    )
  ),
  HttpRouter.get(
    "/secret",
    counted(HttpServerResponse.text("do not keep")).pipe(
      HttpCache.middleware({ ttl: "1 hour", name: "secret", noStore: true })
    )
  )
)

/** The server on a free port over a fresh cache, with the world. */
export const ServerLive: Layer.Layer<HttpServer.HttpServer | Cache.Cache | TestWorld, ServeError> = HttpServer.serve(
  router
).pipe(
  Layer.provideMerge(NodeHttpServer.layer(() => Http.createServer(), { port: 0, host: "127.0.0.1" })),
  Layer.provideMerge(Cache.layer({ namespace: "http-test" }).pipe(Layer.provide(MemoryStore.layer()))),
  Layer.merge(Layer.succeed(TestWorld, world))
)

export interface Answer {
  readonly status: number
  readonly headers: Headers
  readonly text: string
  readonly cache: string | null
}

/** A request to the server over real HTTP. */
export const request = (method: string, path: string, headers: Record<string, string> = {}, body?: unknown) =>
  Effect.gen(function*() {
    const server = yield* HttpServer.HttpServer
    const address = server.address
    const port = address._tag === "TcpAddress" ? address.port : 0
    return yield* Effect.promise(async (): Promise<Answer> => {
      const response = await fetch(`http://127.0.0.1:${port}${path}`, {
        method,
        headers: body === undefined ? headers : { ...headers, "content-type": "application/json" },
        ...(body === undefined ? {} : { body: JSON.stringify(body) })
      })
      const text = await response.text()
      return { status: response.status, headers: response.headers, text, cache: response.headers.get("x-cache") }
    })
  })

/** `GET` a path. */
export const get = (path: string, headers: Record<string, string> = {}) => request("GET", path, headers)

/** How many times the routes ran while `effect` did. */
export const callsDuring = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const before = world.calls.count
    const result = yield* effect
    return [result, world.calls.count - before] as const
  })

/** The cache's keys under a prefix. */
export const keysUnder = (prefix: string) =>
  Effect.flatMap(Cache.Cache, (cache) => cache.keys({ prefix, limit: 1000 })).pipe(Effect.map((keys) => keys.length))
