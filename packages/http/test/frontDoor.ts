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
import { Context, Effect, Exit, Layer, Option, Schema } from "effect"

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
