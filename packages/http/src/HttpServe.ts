/**
 * What any Effect HTTP service built on an `HttpApi` needs, cached or not: strict routing (a
 * path names a route only as written: the router's defaults — case-insensitive matching, `//`
 * collapsed, a trailing `/` ignored, a `;` ending the path — would let many spellings reach one
 * resource) and the `405 Method Not Allowed` answer (with `Allow`) of a path that has routes,
 * but not for the request's method, derived from the API's own endpoints.
 *
 * And for a graceful shutdown, {@link endStreamWhen}: a streamed body (Server-Sent Events such as
 * the inspector's `GET /cache/events`) ends when the server starts to drain instead of holding it.
 *
 * (The end-on-close fix for `@effect/platform-node` servers is `@cachet/http/node`.)
 *
 * @since 0.1.0
 */
import { type HttpApi, HttpBody, HttpRouter, HttpServerResponse } from "@effect/platform"
import { type Effect, Layer, Stream } from "effect"

import { matches, routesOf, segmentsOf } from "./internal/routes.js"

/**
 * The router's settings.
 *
 * @since 0.1.0
 * @category models
 */
export type RouterConfig = Parameters<typeof HttpRouter.setRouterConfig>[0]

/**
 * Strict router settings: case-sensitive, no slash collapsing, no trailing-slash folding.
 *
 * @since 0.1.0
 * @category constants
 */
export const strict: RouterConfig = {
  caseSensitive: true,
  ignoreDuplicateSlashes: false,
  ignoreTrailingSlash: false
}

/**
 * Builds `layer` (the one that turns the API into an app, e.g. `HttpApiBuilder.serve()`) with
 * strict routing.
 *
 * @since 0.1.0
 * @category layers
 */
export const withStrictRouting = <A, E, R>(layer: Layer.Layer<A, E, R>): Layer.Layer<A, E, R> =>
  Layer.locally(layer, HttpRouter.currentRouterConfig, strict)

/**
 * Whether the raw path (before `?`) has a spelling the router would fold into another one: a
 * `;` (the router ends the path there). Answer those 404.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isAmbiguous = (url: string): boolean => {
  const query = url.indexOf("?")
  return (query === -1 ? url : url.slice(0, query)).includes(";")
}

/**
 * The methods an API (plus extra `GET` paths such as the docs) has routes for at a path, as
 * written; `HEAD` wherever `GET` is. Empty when no route has the path.
 *
 * @since 0.1.0
 * @category constructors
 */
export const methodsOf = (
  api: HttpApi.HttpApi.Any,
  extraGetPaths: ReadonlyArray<string> = []
): (path: string) => ReadonlyArray<string> => {
  const routes = routesOf(api, extraGetPaths)
  return (path) => {
    const segments = segmentsOf(path)
    const methods = new Set(routes.filter((route) => matches(route, segments)).map((route) => route.method))
    if (methods.has("GET")) methods.add("HEAD")
    return [...methods].sort()
  }
}

/**
 * The 405 of a path that has routes, but not for the request's method (JSON, with `Allow`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const methodNotAllowed = (
  method: string,
  allowed: ReadonlyArray<string>
): HttpServerResponse.HttpServerResponse =>
  HttpServerResponse.unsafeJson(
    { error: "MethodNotAllowed", message: `${method} is not allowed here; allowed: ${allowed.join(", ")}` },
    { status: 405, headers: { allow: allowed.join(", ") } }
  )

/**
 * The response, its streamed body (if it has one) ending as soon as `signal` completes: what a
 * server that drains on shutdown applies to every response (e.g. in a pre-response handler),
 * so that an event stream or any other endless body ends at once, cleanly (the client sees the
 * end of the body), instead of holding the shutdown until its timeout. A body streamed after
 * the signal ends at once. Other responses are returned as they are.
 *
 * @example
 * ```ts
 * import { HttpServe } from "@cachet/http"
 * import { HttpApp } from "@effect/platform"
 * import { Effect } from "effect"
 *
 * // opened when the server starts to drain
 * const draining = Effect.unsafeMakeLatch(false)
 *
 * export const endStreamsOnDrain: HttpApp.PreResponseHandler = (_request, response) =>
 *   Effect.succeed(HttpServe.endStreamWhen(response, draining.await))
 * ```
 *
 * @since 0.1.0
 * @category shutdown
 */
export const endStreamWhen = (
  response: HttpServerResponse.HttpServerResponse,
  signal: Effect.Effect<void>
): HttpServerResponse.HttpServerResponse => {
  const body = response.body
  if (body._tag !== "Stream") return response
  return HttpServerResponse.setBody(
    response,
    HttpBody.stream(Stream.interruptWhen(body.stream, signal), body.contentType, body.contentLength)
  )
}
