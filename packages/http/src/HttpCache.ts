/**
 * Response caching for `@effect/platform` servers over Cachet's `Cache`: a cached read stores
 * the *encoded response* (`StoredResponse`), so a hit writes stored bytes without decoding or
 * re-encoding anything, with the HTTP semantics of RFC 9110/9111 — a strong `ETag`,
 * `If-None-Match` → `304`, `Age`, `X-Cache: HIT | MISS | STALE`, `Cache-Control` from the
 * entry's ttl and grace, `Vary`, private per-user entries, `HEAD` from `GET`.
 *
 * Two forms: {@link reader} for a handler (an `HttpApiBuilder` handler or a router route) that
 * produces a value, and {@link middleware} for the `GET`/`HEAD` routes it wraps (`HttpApiCache`
 * caches the endpoints of an `HttpApi` by declaring them). Tags, soft and hard invalidation,
 * single-flight, stale-while-revalidate, fail-open and the request memo are the `Cache`'s own.
 *
 * @since 0.1.0
 */
import type { Cache, Key, Tag } from "@cachet/core"
import type { HttpApp, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import type { Duration, Effect, Exit, Schema } from "effect"

import type * as FrontDoor from "./FrontDoor.js"
import * as door from "./internal/door.js"
import * as middlewareInternal from "./internal/middleware.js"
import * as readInternal from "./internal/read.js"
import type * as StoredResponse from "./StoredResponse.js"

/**
 * What every cached route says: how long its responses are fresh and in grace, which statuses
 * it stores, which request headers select a variant, and whether clients may store it.
 *
 * @since 0.1.0
 * @category models
 */
export interface RouteOptions {
  /** How long a response is fresh (`max-age`). */
  readonly ttl: Duration.DurationInput
  /** How long past its ttl it is served while refreshed (`stale-while-revalidate`, `stale-if-error`; default 0). */
  readonly grace?: Duration.DurationInput
  /** Statuses stored (default 200, 203, 301, 404, 410); other responses pass through. */
  readonly statuses?: ReadonlyArray<number>
  /** Request headers that select a variant (e.g. `Accept-Language`): part of the key, and sent as `Vary`. */
  readonly vary?: ReadonlyArray<string>
  /** Tell clients and proxies not to store the response (`Cache-Control: no-store`); it is still cached here. */
  readonly noStore?: boolean
}

/**
 * Typed failures of a read that are answered, and cached, as responses (e.g. a `NotFound` as a 404).
 *
 * @since 0.1.0
 * @category models
 */
export interface Failure<E, EI> {
  /** Encodes the failure into the response body (JSON). */
  readonly schema: Schema.Schema<E, EI, never>
  /** The status (default: the Schema's `HttpApiSchema` status annotation). */
  readonly status?: number
  /** How long the failure is cached (default 30 seconds). */
  readonly ttl?: Duration.DurationInput
}

/**
 * Options of a read-through handler (`reader`): how the entry is named, stored and tagged for
 * the handler's input.
 *
 * @since 0.1.0
 * @category models
 */
export interface ReaderOptions<In, A, I, E, EI, RC> extends RouteOptions {
  /**
   * The entry's key for an input (`"user:42"`, or parts encoded canonically); the store key adds
   * the `vary` values and a digest of the value's Schema, so a changed shape never reads old entries.
   */
  readonly key: (input: In) => Key.Input
  /** The value's Schema: on a miss the value is encoded by it into a JSON body. */
  readonly schema: Schema.Schema<A, I, never>
  /** The entry's tags, given or computed from the input and the lookup's outcome. */
  readonly tags?: Tag.Input | ((input: In, exit: Exit.Exit<A, E>) => Tag.Input)
  /** The status of a successful read (default 200). */
  readonly status?: number
  /** Response headers stored with the body. */
  readonly headers?: { readonly [name: string]: string }
  /** Typed failures answered and cached as responses. */
  readonly failure?: Failure<E, EI>
  /** A key part from the context (e.g. the user's id): entries are private to it (`Cache-Control: private`). */
  readonly context?: Effect.Effect<Key.Part, never, RC>
  /**
   * How long this value may be fresh at most (a response made of parts that are already partly
   * old), when shorter than `ttl`; a value with no time left is answered but not stored.
   */
  readonly freshFor?: (input: In, value: A) => Duration.DurationInput | undefined
}

/**
 * Options of the middleware.
 *
 * @since 0.1.0
 * @category models
 */
export interface MiddlewareOptions<RC> extends RouteOptions {
  /** Names the entries of this middleware apart from others' (default `"route"`). */
  readonly name?: string
  /**
   * The query parameters that are part of the key (an allow-list; default all). Others are left
   * out of the key, so they cannot multiply entries: list every parameter the routes read.
   */
  readonly query?: ReadonlyArray<string>
  /** Response headers stored with the body, beside `Location`, `Content-Language`, `Content-Encoding`, `Link`. */
  readonly keep?: ReadonlyArray<string>
  /**
   * The entry's tags, given or computed from the request, the response and the route's
   * parameters (`/items/:id` → `{ id }`, when the middleware wraps a router's route; `{}` otherwise).
   */
  readonly tags?:
    | Tag.Input
    | ((
      request: HttpServerRequest.HttpServerRequest,
      response: StoredResponse.StoredResponse,
      params: Readonly<Record<string, string | undefined>>
    ) => Tag.Input)
  /** A key part from the context (e.g. the user's id): entries are private to it (`Cache-Control: private`). */
  readonly context?: Effect.Effect<Key.Part, never, RC>
  /** Cache only the requests for which this holds (default every `GET` and `HEAD`). */
  readonly when?: (request: HttpServerRequest.HttpServerRequest) => boolean
}

/**
 * A read-through handler (`reader`): call it with an input and the lookup to run on a miss.
 *
 * @since 0.1.0
 * @category models
 */
export interface Reader<In, A, E, RC> {
  <E2 extends E, R>(
    input: In,
    lookup: Effect.Effect<A, E2, R>
  ): Effect.Effect<
    HttpServerResponse.HttpServerResponse,
    E2,
    R | RC | Cache.Cache | HttpServerRequest.HttpServerRequest
  >
  /**
   * The entry a request for `input` reads, as a `FrontDoor` (`@cachet/http/node`) answers it:
   * the store key this reader computes (with the request's `vary` values) and its policy;
   * `undefined` when the reader has a `context` key (private entries are the app's to answer).
   */
  readonly locate: (input: In, request: FrontDoor.Request) => FrontDoor.Entry | undefined
}

/**
 * A read-through handler, prepared once: its options are resolved and its Schemas compiled when
 * it is made, so each call — the input naming the entry, and the lookup to run on a miss — only
 * computes the key. On a miss the lookup runs (once for all concurrent callers), its value is
 * encoded by `schema` into a JSON body and stored with its `ETag`; a hit writes those bytes.
 * Typed failures named in `failure` are answered and cached the same way; other failures are
 * the caller's.
 *
 * @example
 * ```ts
 * import { Cache, MemoryStore } from "@cachet/core"
 * import { HttpCache } from "@cachet/http"
 * import { HttpRouter, HttpServer } from "@effect/platform"
 * import { NodeHttpServer, NodeRuntime } from "@effect/platform-node"
 * import { Effect, Layer, Schema } from "effect"
 * import { createServer } from "node:http"
 *
 * class Post extends Schema.Class<Post>("Post")({ id: Schema.String, title: Schema.String }) {}
 *
 * const findPost = (id: string) => Effect.succeed(new Post({ id, title: `Post ${id}` }))
 *
 * // The value is cached, encoded once as JSON with its ETag; a hit writes the stored bytes.
 * const postReader = HttpCache.reader({
 *   key: (id: string) => ["post", id],
 *   schema: Post,
 *   ttl: "5 minutes",
 *   tags: (id) => [`Post/${id}`]
 * })
 * const getPost = Effect.flatMap(HttpRouter.params, ({ id = "" }) => postReader(id, findPost(id)))
 *
 * HttpServer.serve(HttpRouter.empty.pipe(HttpRouter.get("/posts/:id", getPost))).pipe(
 *   Layer.provide(NodeHttpServer.layer(createServer, { port: 3000 })),
 *   Layer.provide(Cache.layer().pipe(Layer.provide(MemoryStore.layer()))),
 *   Layer.launch,
 *   NodeRuntime.runMain
 * )
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const reader: <In, A, I, E, EI = never, RC = never>(
  options: ReaderOptions<In, A, I, E, EI, RC>
) => Reader<In, A, E, RC> = readInternal.reader

/**
 * Cached routes for a `FrontDoor` (`@cachet/http/node`) from a function that locates a request's
 * entry (e.g. with a {@link Reader}'s `locate`); `undefined` hands the request to the app.
 *
 * @since 0.1.0
 * @category constructors
 */
export const frontDoorRoutes: (
  locate: (request: FrontDoor.Request) => FrontDoor.Entry | undefined
) => FrontDoor.Routes = door.makeRoutes

/**
 * Caches the `GET` and `HEAD` responses of the app it wraps, keyed by path, canonical query
 * (parameters sorted, only the allowed ones), the `vary` request headers and the `context` key.
 * `HEAD` is answered from the `GET` entry; `Set-Cookie` is never stored; statuses outside
 * `statuses` and bodies that cannot be replayed pass through.
 *
 * @example
 * ```ts
 * import { Cache, MemoryStore } from "@cachet/core"
 * import { HttpCache } from "@cachet/http"
 * import { HttpRouter, HttpServer, HttpServerResponse } from "@effect/platform"
 * import { NodeHttpServer, NodeRuntime } from "@effect/platform-node"
 * import { Effect, Layer } from "effect"
 * import { createServer } from "node:http"
 *
 * const post = Effect.map(HttpRouter.params, ({ id }) => HttpServerResponse.unsafeJson({ id, title: `Post ${id}` }))
 *
 * // GET /posts/1 twice: X-Cache MISS, then HIT with the same ETag (a 304 for If-None-Match).
 * const router = HttpRouter.empty.pipe(
 *   HttpRouter.get("/posts/:id", post.pipe(HttpCache.middleware({
 *     ttl: "5 minutes",
 *     grace: "1 minute",
 *     query: ["lang"],
 *     tags: (request) => [`posts/${request.url.split(/[/?]/)[2]}`]
 *   })))
 * )
 *
 * HttpServer.serve(router).pipe(
 *   Layer.provide(NodeHttpServer.layer(createServer, { port: 3000 })),
 *   Layer.provide(Cache.layer().pipe(Layer.provide(MemoryStore.layer()))),
 *   Layer.launch,
 *   NodeRuntime.runMain
 * )
 * ```
 *
 * @since 0.1.0
 * @category middleware
 */
export const middleware: <RC = never>(
  options: MiddlewareOptions<RC>
) => <E, R>(app: HttpApp.Default<E, R>) => HttpApp.Default<E, R | RC | Cache.Cache> = middlewareInternal.middleware

/**
 * The canonical form of a URL's query: the allowed parameters (all when `allow` is absent)
 * sorted by name, repeated ones in their order, percent-encoded alike.
 *
 * @since 0.1.0
 * @category keys
 */
export const canonicalQuery: (url: string, allow?: ReadonlySet<string>) => string = middlewareInternal.canonicalQuery
