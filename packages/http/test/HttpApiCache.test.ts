/**
 * `HttpApiCache` ahead of a real `HttpApi` (and `HttpServe`'s strict routing and 405 table over
 * the same API): declared endpoints are answered from the cache, keyed and tagged from the API's
 * own routes and schemas; everything else is the API's.
 */
import * as Http from "node:http"

import { Cache, MemoryStore } from "@cachet/core"
import { HttpApiCache, HttpServe } from "@cachet/http"
import {
  HttpApi,
  HttpApiBuilder,
  HttpApiEndpoint,
  HttpApiGroup,
  HttpApiSchema,
  HttpServer,
  HttpServerResponse
} from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { describe, expect, it, layer } from "@effect/vitest"
import { Effect, Exit, Layer, Schema } from "effect"

import { get, request } from "./server.js"

class Item extends Schema.Class<Item>("Item")({ id: Schema.String, owner: Schema.String, value: Schema.String }) {}

class ItemNotFound extends Schema.TaggedError<ItemNotFound>()(
  "ItemNotFound",
  { id: Schema.String },
  HttpApiSchema.annotations({ status: 404 })
) {}

const IdPath = Schema.Struct({ id: Schema.String })
const Page = Schema.Struct({ limit: Schema.optional(Schema.NumberFromString) })

class ItemsApi extends HttpApiGroup.make("items")
  .add(HttpApiEndpoint.get("getItem", "/items/:id").setPath(IdPath).addSuccess(Item).addError(ItemNotFound))
  .add(HttpApiEndpoint.get("newest", "/items/newest").addSuccess(Item))
  .add(HttpApiEndpoint.get("listItems", "/items").setUrlParams(Page).addSuccess(Schema.Array(Item)))
  .add(HttpApiEndpoint.get("plain", "/plain/:id").setPath(IdPath).addSuccess(Item))
  .add(HttpApiEndpoint.put("putItem", "/items/:id").setPath(IdPath).setPayload(Item).addSuccess(Item))
{}

class TestApi extends HttpApi.make("test").add(ItemsApi) {}

const db = new Map<string, Item>()
const calls = { count: 0 }

const find = (id: string) =>
  Effect.suspend(() => {
    calls.count++
    const item = db.get(id)
    return item === undefined ? Effect.fail(new ItemNotFound({ id })) : Effect.succeed(item)
  })

const ItemsLive = HttpApiBuilder.group(TestApi, "items", (handlers) =>
  handlers
    .handle("getItem", ({ path }) => find(path.id))
    .handle("newest", () => Effect.orDie(find("newest")))
    .handle("listItems", ({ urlParams }) =>
      Effect.sync(() => {
        calls.count++
        return [...db.values()].slice(0, urlParams.limit ?? 100)
      }))
    .handle("plain", ({ path }) => Effect.orDie(find(path.id)))
    .handle("putItem", ({ payload }) =>
      Effect.gen(function*() {
        db.set(payload.id, payload)
        const cache = yield* Cache.Cache
        yield* Effect.orDie(cache.invalidate([`owners/${payload.owner}`, `items/${payload.id}`]))
        return payload
      })))

/** The declarations: the whole of what makes these endpoints cached. */
const cached = HttpApiCache.middleware(TestApi)({
  items: {
    getItem: {
      ttl: "1 hour",
      // Its own key, from the decoded path (the default is the endpoint and its parameters as written).
      key: ({ path }) => `item:${path.id}`,
      // Tagged from the decoded path and the decoded outcome (the success or the 404's error).
      tags: ({ path }, exit) => Exit.isSuccess(exit) ? [`owners/${exit.value.owner}`] : [`items/${path.id}`]
    },
    listItems: { ttl: "1 hour", tags: ({ urlParams }) => [`lists/${urlParams.limit ?? "all"}`, "owners"] }
  }
})

const ServerLive = Layer.unwrapEffect(
  Effect.map(HttpApiBuilder.httpApp, (app) => HttpServer.serve(cached(app)))
).pipe(
  HttpServe.withStrictRouting,
  Layer.provide([HttpApiBuilder.Router.Live, HttpApiBuilder.Middleware.layer]),
  Layer.provide(HttpApiBuilder.api(TestApi).pipe(Layer.provide(ItemsLive))),
  Layer.provideMerge(NodeHttpServer.layer(() => Http.createServer(), { port: 0, host: "127.0.0.1" })),
  Layer.provideMerge(Cache.layer({ namespace: "api-test" }).pipe(Layer.provide(MemoryStore.layer())))
)

/** What an effect answered, and how many times the handlers looked the database up while it ran. */
const ran = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.suspend(() => {
    const before = calls.count
    return Effect.map(effect, (result) => [result, calls.count - before] as const)
  })

const put = (item: Item) => request("PUT", `/items/${item.id}`, {}, item)

layer(ServerLive)("HttpApiCache ahead of an HttpApi", (it) => {
  describe("declared endpoints", () => {
    it.effect("MISS then HIT with the API's own bytes, invalidated by the tag derived from the decoded value", () =>
      Effect.gen(function*() {
        db.set("1", new Item({ id: "1", owner: "ada", value: "one" }))
        const [first, ranFirst] = yield* ran(get("/items/1"))
        expect([first.status, first.cache, ranFirst]).toEqual([200, "MISS", 1])
        expect(JSON.parse(first.text)).toEqual({ id: "1", owner: "ada", value: "one" })
        const [second, ranSecond] = yield* ran(get("/items/1"))
        expect([second.status, second.cache, ranSecond, second.text]).toEqual([200, "HIT", 0, first.text])
        expect(second.headers.get("etag")).toBe(first.headers.get("etag"))
        const cache = yield* Cache.Cache
        expect(yield* cache.keys({ prefix: "item:1:" })).toHaveLength(1)
        const notModified = yield* get("/items/1", { "if-none-match": first.headers.get("etag")! })
        expect(notModified.status).toBe(304)
        const head = yield* request("HEAD", "/items/1")
        expect([head.status, head.cache]).toEqual([200, "HIT"])
        // The write invalidates `owners/ada`, which only the decoded value names.
        yield* put(new Item({ id: "1", owner: "ada", value: "two" }))
        const [third, ranThird] = yield* ran(get("/items/1"))
        expect([third.cache, ranThird, JSON.parse(third.text).value]).toEqual(["MISS", 1, "two"])
      }))

    it.effect("a failure the API answers with a stored status is cached, tagged from the decoded path", () =>
      Effect.gen(function*() {
        const [missing, ranMissing] = yield* ran(get("/items/2"))
        expect([missing.status, missing.cache, ranMissing, JSON.parse(missing.text)._tag]).toEqual([
          404,
          "MISS",
          1,
          "ItemNotFound"
        ])
        const [again, ranAgain] = yield* ran(get("/items/2"))
        expect([again.status, again.cache, ranAgain]).toEqual([404, "HIT", 0])
        yield* put(new Item({ id: "2", owner: "bob", value: "new" }))
        const [found, ranFound] = yield* ran(get("/items/2"))
        expect([found.status, found.cache, ranFound]).toEqual([200, "MISS", 1])
      }))

    it.effect("the key holds only the endpoint's URL parameters; tags get them decoded", () =>
      Effect.gen(function*() {
        const [first, ranFirst] = yield* ran(get("/items?limit=1&utm=a"))
        expect([first.status, first.cache, ranFirst]).toEqual([200, "MISS", 1])
        const [other, ranOther] = yield* ran(get("/items?utm=b&limit=1"))
        expect([other.cache, ranOther, other.text]).toEqual(["HIT", 0, first.text])
        const cache = yield* Cache.Cache
        yield* cache.invalidate("lists/1")
        expect((yield* get("/items?limit=1")).cache).toBe("MISS")
        // Invalid parameters: the API's 400, not stored.
        const bad = yield* get("/items?limit=x")
        expect([bad.status, bad.cache]).toEqual([400, null])
      }))
  })

  describe("what stays the API's", () => {
    it.effect("undeclared endpoints, a literal route beside a cached pattern, other spellings and methods", () =>
      Effect.gen(function*() {
        db.set("3", new Item({ id: "3", owner: "cy", value: "three" }))
        db.set("newest", new Item({ id: "newest", owner: "cy", value: "latest" }))
        // (`;` ends the path for the router: the app's guard answers it 404 with `HttpServe.isAmbiguous`.)
        for (const path of ["/plain/3", "/items/newest", "/items/%33", "/items/3;x"]) {
          const [first, ranFirst] = yield* ran(get(path))
          const [second, ranSecond] = yield* ran(get(path))
          expect([first.status, first.cache, ranFirst, second.cache, ranSecond], path).toEqual([200, null, 1, null, 1])
        }
        for (const path of ["/items/3/", "/Items/3", "/items//3"]) {
          const response = yield* get(path)
          expect([response.status, response.cache], path).toEqual([404, null])
        }
      }))
  })
})

describe("HttpServe over the same API", () => {
  const methods = HttpServe.methodsOf(TestApi, ["/docs"])
  it("methods by exact, case-sensitive path; HEAD wherever GET is", () => {
    expect(methods("/items/1")).toEqual(["GET", "HEAD", "PUT"])
    expect(methods("/items")).toEqual(["GET", "HEAD"])
    expect(methods("/docs")).toEqual(["GET", "HEAD"])
    for (const path of ["/Items/1", "/items//1", "/items/1/", "/items/", "/nope"]) {
      expect(methods(path), path).toEqual([])
    }
    expect(HttpServe.isAmbiguous("/items/1;x")).toBe(true)
    expect(HttpServe.isAmbiguous("/items?q=a;b")).toBe(false)
  })

  it("a 405 names the allowed methods", async () => {
    const response = HttpServe.methodNotAllowed("DELETE", ["GET", "HEAD"])
    expect(response.status).toBe(405)
    expect(response.headers.allow).toBe("GET, HEAD")
    expect(HttpServerResponse.isServerResponse(response)).toBe(true)
  })
})
