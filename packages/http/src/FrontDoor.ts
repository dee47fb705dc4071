/**
 * A front door for a node server: it owns the `node:http` server under `@effect/platform`'s
 * `HttpServer` (it stands where `NodeHttpServer.layer` stands) and answers a `GET`/`HEAD` of a
 * cached route from the cache **before** the request enters Effect's HTTP server, when the
 * entry is a fresh hit the cache can read synchronously (`Cache.peekFresh`: an in-process store,
 * its tags valid, no invalidation pending). Everything else — misses, stale or invalidated
 * entries, other methods, bodies, routes not cached, private entries, a store read over the
 * network — is handed to the Effect app unchanged, which judges it in full.
 *
 * A hit is the response the app would have written: the same key (the routes are the cached
 * routes' own, e.g. `HttpApiCache.middleware(...).frontDoor`), the same stored bytes and headers
 * (`ETag`/`304`, `Age`, `X-Cache: HIT`, `Cache-Control`, `Vary`, `HEAD` from `GET`), finished by
 * the app's own pure response function (security headers, `Connection: close` while draining),
 * counted and logged by the app's hooks, and in a span when a tracer is installed.
 *
 * @since 0.1.0
 */
import * as Http from "node:http"
import type * as Net from "node:net"

import { Cache } from "@cachet/core"
import type { HttpServerResponse } from "@effect/platform"
import { type HttpPlatform, type HttpServer, HttpTraceContext } from "@effect/platform"
import type { Etag } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import type { NodeContext } from "@effect/platform-node"
import type { ServeError } from "@effect/platform/HttpServerError"
import { Effect, Layer, Option, Runtime } from "effect"

import * as door from "./internal/door.js"
import { respond } from "./internal/respond.js"
import { SettlingResponse } from "./NodeServer.js"
import * as StoredResponse from "./StoredResponse.js"

/**
 * Cached routes as the door reads them (e.g. `HttpApiCache.middleware(Api)(...).frontDoor`):
 * a request's entry key and policy, or nothing when the app must answer it.
 *
 * @since 0.1.0
 * @category models
 */
export interface Routes {
  readonly [door.TypeId]: door.TypeId
}

/**
 * What the door reads of a request: node's `IncomingMessage` and the platform's request alike.
 *
 * @since 0.1.0
 * @category models
 */
export interface Request extends door.RequestLike {}

/**
 * A request's entry as the door answers it: the store key (without the namespace), the route's
 * policy, and what the route does to a stored response before answering it (`reshape`), all as
 * the route answers a hit itself. Made by the route (e.g. `HttpCache.Reader`'s `locate`).
 *
 * @since 0.1.0
 * @category models
 */
export interface Entry extends door.Located {}

/**
 * A request the door answered, as its hooks see it.
 *
 * @since 0.1.0
 * @category models
 */
export interface Answered {
  readonly method: string
  readonly url: string
  readonly status: number
  /** From the request's arrival to the response handed to the socket. */
  readonly durationMillis: number
}

/**
 * What the door does besides reading the cache; each is the app's own, so a hit answered at the
 * door is finished, counted and logged as the app finishes, counts and logs its requests.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The cached routes, first match wins. */
  readonly routes: ReadonlyArray<Routes>
  /**
   * Applied to every response the door writes (the app's pre-response handler, as a pure
   * function: security headers, `Connection: close` while draining).
   */
  readonly finish?: (response: HttpServerResponse.HttpServerResponse) => HttpServerResponse.HttpServerResponse
  /** Called when the door takes a request (e.g. counts it in flight). */
  readonly enter?: () => void
  /** Called once its response has been written or its connection closed (e.g. counts it out). */
  readonly leave?: () => void
  /** Run (synchronously, with the server's runtime) once a response is written: the request log line. */
  readonly answered?: (answered: Answered) => Effect.Effect<void>
}

/** Effect's default tracer, which records nothing: no span is opened for it. */
const nativeTracer = Effect.runSync(Effect.tracer)

type Listener = (request: Http.IncomingMessage, response: Http.ServerResponse) => void

type AnyListener = (...args: Array<any>) => void

/**
 * A node server whose `request` listener is the door: the platform's handler, registered as the
 * `request` listener, is what the door hands over to. Its responses settle as
 * `@cachet/http/node`'s `createServer`'s do.
 */
class DoorServer extends Http.Server {
  handoff: Listener | undefined = undefined
  door: ((request: Http.IncomingMessage, response: Http.ServerResponse) => boolean) | undefined = undefined
  constructor() {
    super({ ServerResponse: SettlingResponse })
    super.on("request", (request: Http.IncomingMessage, response: Http.ServerResponse) => {
      if (this.door !== undefined && this.door(request, response)) return
      this.handoff?.(request, response)
    })
  }
  override on(event: string | symbol, listener: AnyListener): this {
    if (event !== "request") return super.on(event as string, listener)
    this.handoff = listener as unknown as Listener
    return this
  }
  override addListener(event: string | symbol, listener: AnyListener): this {
    return this.on(event, listener)
  }
  override off(event: string | symbol, listener: AnyListener): this {
    if (event !== "request") return super.off(event as string, listener)
    if (this.handoff === (listener as unknown)) this.handoff = undefined
    return this
  }
  override removeListener(event: string | symbol, listener: AnyListener): this {
    return this.off(event, listener)
  }
}

const write = (
  method: string,
  response: HttpServerResponse.HttpServerResponse,
  res: Http.ServerResponse,
  done: () => void
) => {
  // As `@effect/platform-node` writes a response: the headers, and the bytes unless `HEAD`.
  res.writeHead(response.status, response.headers as Http.OutgoingHttpHeaders)
  const body = response.body
  if (method !== "HEAD" && body._tag === "Uint8Array") res.end(body.body, done)
  else res.end(done)
}

/**
 * The door of a server: answers a request when it can, and says whether it did.
 */
const makeDoor = (
  cache: Cache.Service,
  options: Options,
  runtime: Runtime.Runtime<never>
) => {
  const routes = options.routes as unknown as ReadonlyArray<door.Routes>
  const { answered, enter, finish, leave } = options
  const runSync = Runtime.runSync(runtime)
  const clock = Runtime.runSync(runtime)(Effect.clock)
  const traced = Runtime.runSync(runtime)(Effect.tracer) !== nativeTracer

  const locate = (request: door.RequestLike): door.Located | undefined => {
    for (const table of routes) {
      const located = table.locate(request)
      if (located !== undefined) return located
    }
    return undefined
  }

  /** The stored response a request would be answered with now, or `undefined` when the app answers it. */
  const find = (request: door.RequestLike): HttpServerResponse.HttpServerResponse | undefined => {
    const located = locate(request)
    if (located === undefined) return undefined
    const peeked = cache.peekFresh(located.key, StoredResponse.StoredResponse)
    if (peeked === undefined) return undefined
    const stored = respond(request, peeked.value, located.policy, "HIT", peeked.ageMillis)
    const response = located.reshape === undefined ? stored : located.reshape(stored)
    return finish === undefined ? response : finish(response)
  }

  const answer = (
    request: door.RequestLike,
    response: HttpServerResponse.HttpServerResponse,
    res: Http.ServerResponse,
    start: number
  ): void => {
    enter?.()
    try {
      write(request.method, response, res, leave ?? noop)
    } catch (error) {
      leave?.()
      throw error
    }
    if (answered !== undefined) {
      runSync(answered({
        method: request.method,
        url: request.url,
        status: response.status,
        durationMillis: clock.unsafeCurrentTimeMillis() - start
      }))
    }
  }

  const inSpan = (
    request: door.RequestLike,
    response: HttpServerResponse.HttpServerResponse,
    res: Http.ServerResponse,
    start: number
  ): void =>
    runSync(Effect.useSpan(`http.server ${request.method}`, {
      parent: Option.getOrUndefined(HttpTraceContext.fromHeaders(request.headers as never)),
      kind: "server",
      captureStackTrace: false,
      attributes: { "http.request.method": request.method, "cachet.front_door": true }
    }, (span) =>
      Effect.sync(() => {
        const queryAt = request.url.indexOf("?")
        span.attribute("url.path", queryAt === -1 ? request.url : request.url.slice(0, queryAt))
        if (queryAt !== -1 && queryAt < request.url.length - 1) {
          span.attribute("url.query", request.url.slice(queryAt + 1))
        }
        answer(request, response, res, start)
        span.attribute("http.response.status_code", response.status)
      })))

  return (incoming: Http.IncomingMessage, res: Http.ServerResponse): boolean => {
    const method = incoming.method
    if (method !== "GET" && method !== "HEAD") return false
    const request = incoming as unknown as door.RequestLike
    try {
      const start = clock.unsafeCurrentTimeMillis()
      const response = find(request)
      if (response === undefined) return false
      // Only a hit answered here opens a span; the app's own span covers what it answers.
      if (traced) inSpan(request, response, res, start)
      else answer(request, response, res, start)
      return true
    } catch {
      // Whatever went wrong before a byte was written: the app answers.
      return res.headersSent
    }
  }
}

const noop = () => {}

/**
 * The node server, with the door in front of the platform's handler: what
 * `NodeHttpServer.layer(createServer, listen)` provides, over the `Cache` the door reads. The
 * door's options come from an effect, so they may use the app's services (its in-flight count).
 * Pass `server` (from `createServer`) when the app needs the node server itself.
 *
 * @example
 * ```ts
 * import { Cache, MemoryStore } from "@cachet/core"
 * import { HttpApiCache } from "@cachet/http"
 * import { FrontDoor } from "@cachet/http/node"
 * import { HttpApi, HttpApiBuilder, HttpApiEndpoint, HttpApiGroup, HttpServer } from "@effect/platform"
 * import { NodeRuntime } from "@effect/platform-node"
 * import { Effect, Layer, Schema } from "effect"
 *
 * class Api extends HttpApi.make("blog").add(
 *   HttpApiGroup.make("posts").add(HttpApiEndpoint.get("hello", "/hello").addSuccess(Schema.String))
 * ) {}
 *
 * const cached = HttpApiCache.middleware(Api)({ posts: { hello: { ttl: "5 minutes" } } })
 * const PostsLive = HttpApiBuilder.group(Api, "posts", (handlers) =>
 *   handlers.handle("hello", () => Effect.succeed("hi")))
 * const ApiLive = HttpApiBuilder.api(Api).pipe(Layer.provide(PostsLive))
 *
 * const serve = Layer.unwrapEffect(Effect.map(HttpApiBuilder.httpApp, (app) => HttpServer.serve(cached(app)))).pipe(
 *   Layer.provide([ApiLive, HttpApiBuilder.Router.Live, HttpApiBuilder.Middleware.layer])
 * )
 *
 * // A second GET /hello is answered by the door, before the request reaches Effect's server.
 * serve.pipe(
 *   Layer.provide(FrontDoor.layer({ port: 3000 }, Effect.succeed({ routes: [cached.frontDoor] }))),
 *   Layer.provide(Cache.layer().pipe(Layer.provide(MemoryStore.layer()))),
 *   Layer.launch,
 *   NodeRuntime.runMain
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = <E, R>(
  listen: Net.ListenOptions,
  options: Effect.Effect<Options, E, R>,
  server: Http.Server = createServer()
): Layer.Layer<
  HttpServer.HttpServer | HttpPlatform.HttpPlatform | Etag.Generator | NodeContext.NodeContext,
  E | ServeError,
  R | Cache.Cache
> =>
  Layer.unwrapEffect(Effect.gen(function*() {
    const cache = yield* Cache.Cache
    const resolved = yield* options
    const runtime = yield* Effect.runtime<never>()
    if (!(server instanceof DoorServer)) {
      return yield* Effect.dieMessage("FrontDoor.layer: the server must come from FrontDoor.createServer")
    }
    server.door = makeDoor(cache, resolved, runtime)
    return NodeHttpServer.layer(() => server, listen)
  }))

/**
 * A node server for `layer` (when the app needs the server itself, e.g. to drain it): its
 * responses settle as `createServer`'s do; the door is installed when the layer is built.
 *
 * @since 0.1.0
 * @category constructors
 */
export const createServer = (): Http.Server => new DoorServer()
