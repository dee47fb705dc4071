/**
 * A test app for the front door: an `HttpApi` whose cached endpoints cover every kind of key the
 * door reads (a custom key, the default key with a canonical query, a `Vary` header, a private
 * per-user entry it must leave to the app), writes that invalidate and expire, a pure finishing
 * function (a security header, `Connection: close` while draining) applied in the app and at the
 * door alike, and hooks that count and log. The same app is served with the door or without it,
 * over any store, on one shared "database".
 */
import * as Http from "node:http"

import { Cache, type Store, type TagVersions } from "@cachet/core"
import { HttpApiCache, HttpServe } from "@cachet/http"
import { createServer, FrontDoor } from "@cachet/http/node"
import {
  HttpApi,
  HttpApiBuilder,
  HttpApiEndpoint,
  HttpApiGroup,
  HttpApiSchema,
  HttpApp,
  HttpServer,
  HttpServerRequest,
  HttpServerResponse
} from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { expect } from "@effect/vitest"
import { Context, Effect, Exit, FastCheck as fc, Layer, Option, Schema } from "effect"

export class Item extends Schema.Class<Item>("Item")({ id: Schema.String, value: Schema.String }) {}

export class ItemNotFound extends Schema.TaggedError<ItemNotFound>()(
  "ItemNotFound",
  { id: Schema.String },
  HttpApiSchema.annotations({ status: 404 })
) {}

const IdPath = Schema.Struct({ id: Schema.String })

class Items extends HttpApiGroup.make("items")
  .add(HttpApiEndpoint.get("getItem", "/items/:id").setPath(IdPath).addSuccess(Item).addError(ItemNotFound))
  .add(
    HttpApiEndpoint.get("listItems", "/items")
      .setUrlParams(
        Schema.Struct({ limit: Schema.optional(Schema.NumberFromString), q: Schema.optional(Schema.String) })
      )
      .addSuccess(Schema.Array(Item))
  )
  .add(HttpApiEndpoint.get("greet", "/greet").addSuccess(Schema.String))
  .add(HttpApiEndpoint.get("me", "/me").addSuccess(Schema.String))
  .add(
    HttpApiEndpoint.put("putItem", "/items/:id").setPath(IdPath).setPayload(Schema.Struct({ value: Schema.String }))
      .addSuccess(Item)
  )
  .add(HttpApiEndpoint.post("expireItem", "/items/:id/expire").setPath(IdPath))
  .add(HttpApiEndpoint.del("deleteItem", "/items/:id").setPath(IdPath))
{}

class TestApi extends HttpApi.make("door-test").add(Items) {}

/** The shared "database", and how many times the handlers ran. */
export const db = new Map<string, string>()
export const calls = { count: 0 }

const userOf = Effect.map(HttpServerRequest.HttpServerRequest, (request) => request.headers["x-user"] ?? "")

const ItemsLive = HttpApiBuilder.group(TestApi, "items", (handlers) =>
  handlers
    .handle("getItem", ({ path }) =>
      Effect.suspend(() => {
        calls.count++
        const value = db.get(path.id)
        return value === undefined ? Effect.fail(new ItemNotFound({ id: path.id })) : Effect.succeed(
          new Item({ id: path.id, value })
        )
      }))
    .handle("listItems", ({ urlParams }) =>
      Effect.sync(() => {
        calls.count++
        return [...db.entries()].sort(([a], [b]) => a < b ? -1 : 1).filter(([, value]) =>
          urlParams.q === undefined || value.includes(urlParams.q)
        ).slice(0, urlParams.limit ?? 100).map(([id, value]) => new Item({ id, value }))
      }))
    .handle("greet", () =>
      Effect.map(HttpServerRequest.HttpServerRequest, (request) => {
        calls.count++
        return `hello in ${request.headers["accept-language"] ?? "?"}, ${db.size} items`
      }))
    .handle("me", () =>
      Effect.map(userOf, (user) => {
        calls.count++
        return `page of ${user}: ${db.get(user) ?? "-"}`
      }))
    .handle("putItem", ({ path, payload }) =>
      Effect.gen(function*() {
        db.set(path.id, payload.value)
        const cache = yield* Cache.Cache
        yield* cache.invalidate([`items/${path.id}`, "lists"])
        return new Item({ id: path.id, value: payload.value })
      }))
    .handle("expireItem", ({ path }) => Effect.flatMap(Cache.Cache, (cache) => cache.expire(`items/${path.id}`)))
    .handle("deleteItem", ({ path }) =>
      Effect.gen(function*() {
        db.delete(path.id)
        const cache = yield* Cache.Cache
        yield* cache.invalidate([`items/${path.id}`, "lists"])
      })))

/** The declarations: every cached endpoint of the app. */
export const cached = HttpApiCache.middleware(TestApi)({
  items: {
    getItem: {
      ttl: "1 hour",
      key: ({ path }) => `item:${path.id}`,
      tags: ({ path }) => [`items/${path.id}`]
    },
    listItems: { ttl: "1 hour", tags: ["lists"] },
    greet: { ttl: "1 hour", vary: ["Accept-Language"], tags: ["lists"] },
    me: { ttl: "1 hour", context: userOf, tags: ["lists"] }
  }
})

/** What the app and its door share: whether it drains, what was counted, what was logged. */
export interface Hooks {
  draining: boolean
  inFlight: number
  /** Requests the door answered. */
  doorHits: number
  /** Log lines, `METHOD url status` (the app's and the door's). */
  readonly lines: Array<string>
}

export class TestHooks extends Context.Tag("test/FrontDoorHooks")<TestHooks, Hooks>() {}

/** The app's pure finishing function: a security header, and `Connection: close` while draining. */
const finishWith = (hooks: Hooks) => (response: HttpServerResponse.HttpServerResponse) => {
  const headed = HttpServerResponse.setHeader(response, "x-content-type-options", "nosniff")
  return hooks.draining ? HttpServerResponse.setHeader(headed, "connection", "close") : headed
}

const logLine = (hooks: Hooks, method: string, url: string, status: number) =>
  Effect.sync(() => {
    hooks.lines.push(`${method} ${url} ${status}`)
  }).pipe(Effect.zipRight(Effect.logInfo("request")))

/** The app: the API behind its cached endpoints, counted and logged, with its headers on every response. */
const appLayer = Layer.unwrapEffect(
  Effect.gen(function*() {
    const api = yield* HttpApiBuilder.httpApp
    const hooks = yield* TestHooks
    const finish = finishWith(hooks)
    const tracked = <E, R>(app: HttpApp.Default<E, R>) =>
      Effect.withFiberRuntime<HttpServerResponse.HttpServerResponse, E, R | HttpServerRequest.HttpServerRequest>((
        fiber
      ) => {
        const request = Context.unsafeGet(fiber.currentContext, HttpServerRequest.HttpServerRequest)
        hooks.inFlight++
        return Effect.onExit(app, (exit) =>
          Effect.suspend(() => {
            hooks.inFlight--
            return logLine(hooks, request.method, request.url, Exit.isSuccess(exit) ? exit.value.status : 500)
          }))
      })
    return HttpServer.serve(cached(api), tracked).pipe(
      Layer.locallyWith(
        HttpApp.currentPreResponseHandlers,
        () => Option.some<HttpApp.PreResponseHandler>((_request, response) => Effect.succeed(finish(response)))
      )
    )
  })
).pipe(
  HttpServe.withStrictRouting,
  Layer.provide([HttpApiBuilder.Router.Live, HttpApiBuilder.Middleware.layer]),
  Layer.provide(HttpApiBuilder.api(TestApi).pipe(Layer.provide(ItemsLive)))
)

/** The door's options: the app's finishing function, count and log. */
const doorOptions = Effect.map(TestHooks, (hooks): FrontDoor.Options => ({
  routes: [cached.frontDoor],
  finish: finishWith(hooks),
  enter: () => {
    hooks.inFlight++
    hooks.doorHits++
  },
  leave: () => {
    hooks.inFlight--
  },
  answered: ({ method, status, url }) => logLine(hooks, method, url, status)
}))

const listen = { port: 0, host: "127.0.0.1" }

/**
 * The app with the door or without it, over the `Store` and `TagVersions` given: its
 * `HttpServer`, its `Cache` and its hooks.
 */
export const serverLayer = (
  door: boolean,
  backend: Layer.Layer<Store.Store | TagVersions.TagVersions>,
  namespace = "door"
): Layer.Layer<HttpServer.HttpServer | Cache.Cache | TestHooks, unknown> =>
  appLayer.pipe(
    Layer.provideMerge(
      door ? FrontDoor.layer(listen, doorOptions) : NodeHttpServer.layer(() => createServer() as Http.Server, listen)
    ),
    Layer.provideMerge(Cache.layer({ namespace }).pipe(Layer.provide(backend))),
    Layer.provideMerge(
      Layer.sync(TestHooks, (): Hooks => ({ draining: false, inFlight: 0, doorHits: 0, lines: [] }))
    )
  )

/** A server's port. */
export const portOf = (context: Context.Context<HttpServer.HttpServer>): number => {
  const address = Context.get(context, HttpServer.HttpServer).address
  return address._tag === "TcpAddress" ? address.port : 0
}

/** A response as the property compares it: status, body, and every header but `Age` and `Date`. */
export interface Seen {
  readonly status: number
  readonly body: string
  readonly headers: Record<string, string>
}

/** A request over real HTTP (node's client, a fresh connection each time). */
export const send = (
  port: number,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: unknown
): Promise<Seen & { readonly age: string | undefined }> =>
  new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body)
    const request = Http.request({
      host: "127.0.0.1",
      port,
      method,
      path,
      agent: false,
      headers: payload === undefined
        ? headers
        : { ...headers, "content-type": "application/json", "content-length": String(Buffer.byteLength(payload)) }
    }, (response) => {
      const chunks: Array<Buffer> = []
      response.on("data", (chunk: Buffer) => chunks.push(chunk))
      response.on("end", () => {
        const seen: Record<string, string> = {}
        for (const [name, value] of Object.entries(response.headers)) {
          if (name === "age" || name === "date" || value === undefined) continue
          seen[name] = Array.isArray(value) ? value.join(", ") : value
        }
        resolve({
          status: response.statusCode ?? 0,
          body: Buffer.concat(chunks).toString("utf8"),
          headers: seen,
          age: response.headers["age"]
        })
      })
      response.on("error", reject)
    })
    request.on("error", reject)
    request.end(payload)
  })

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

/**
 * The property: random sequences against the app with the door (`on`) and without it (`off`),
 * each run from an empty cache and the same database.
 */
export const property = (
  on: Context.Context<HttpServer.HttpServer | Cache.Cache>,
  off: Context.Context<HttpServer.HttpServer | Cache.Cache>,
  numRuns: number
) =>
  Effect.promise(() =>
    fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 40 }), async (ops) => {
        db.clear()
        db.set("1", "a")
        db.set("2", "b")
        for (const context of [on, off]) await Effect.runPromise(Effect.ignore(Context.get(context, Cache.Cache).clear))
        await runBoth([portOf(on), portOf(off)], ops)
      }),
      { numRuns }
    )
  )
