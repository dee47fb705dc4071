/**
 * The cached reads' fast path: a plain `HttpRouter` with the API's cached `GET` routes, ahead of
 * the `HttpApi`. A cached read answers there with its stored response (`@cachet/http`), without
 * the `HttpApi`'s per-request routing, context merge and decoding; anything it does not answer
 * with a response — another route or spelling of a path (routing is as strict as the API's), a
 * method other than `GET`/`HEAD`, a request with a body, invalid query parameters, an id that
 * names nothing, any failure — goes on to the `HttpApi` and its guard, which answer it as before
 * (same handlers, same errors).
 *
 * @since 0.1.0
 */
import { Cache } from "@cachet/core"
import { HttpApiBuilder, HttpRouter, HttpServerRequest } from "@effect/platform"
import { Cause, Effect, Either, Layer, Schema } from "effect"
import { PageParams } from "./Posts/Api.js"
import { Posts } from "./Posts.js"
import * as Routes from "./Routes.js"
import { Users } from "./Users.js"

/**
 * The `HttpApi` middleware that serves cached reads ahead of the API.
 *
 * @since 0.1.0
 * @category layers
 */
export const CachedReadsLive = HttpApiBuilder.middleware(
  Effect.gen(function* () {
    const users = yield* Users
    const posts = yield* Posts
    const cache = yield* Cache.Cache
    const decodePage = Schema.decodeUnknownEither(PageParams)
    const id = Effect.map(HttpRouter.params, (params) => params["id"] ?? "")
    const router = HttpRouter.empty.pipe(
      HttpRouter.get("/users/:id", Effect.flatMap(id, users.get)),
      HttpRouter.get("/users/:id/posts", Effect.flatMap(id, users.posts)),
      HttpRouter.get("/posts/:id", Effect.flatMap(id, posts.get)),
      HttpRouter.get(
        "/posts",
        Effect.flatMap(HttpServerRequest.ParsedSearchParams, (params) =>
          Either.match(decodePage(params), {
            // The API answers it: 400 with the parse error.
            onLeft: () => Effect.fail(new Cause.NoSuchElementException()),
            onRight: posts.list
          }))
      )
    )
    // Paths named as the API names them (strict routing), nothing else.
    const routed = yield* HttpRouter.toHttpApp(router).pipe(Effect.locally(HttpRouter.currentRouterConfig, Routes.strict))
    const fast = Effect.provideService(routed, Cache.Cache, cache)
    return (app) =>
      Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) =>
        // What the API's guard refuses or reads (ambiguous paths, bodies) is the API's to answer.
        Routes.isAmbiguous(request.url) || (request.headers["content-length"] ?? "0") !== "0" ||
          request.headers["transfer-encoding"] !== undefined
          ? app
          : Effect.catchAllCause(fast, (cause) =>
            // An interruption (only) carries no failure of the fast path's.
            Cause.isInterruptedOnly(cause) ? Effect.failCause(cause as Cause.Cause<never>) : app))
  })
).pipe(Layer.provide([Users.Default, Posts.Default]))
