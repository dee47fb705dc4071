/**
 * What any Effect HTTP service built on an `HttpApi` needs, cached or not: strict routing (a
 * path names a route only as written: the router's defaults — case-insensitive matching, `//`
 * collapsed, a trailing `/` ignored, a `;` ending the path — would let many spellings reach one
 * resource) and the `405 Method Not Allowed` answer (with `Allow`) of a path that has routes,
 * but not for the request's method, derived from the API's own endpoints.
 *
 * (The end-on-close fix for `@effect/platform-node` servers is `@cachet/http/node`.)
 *
 * @since 0.1.0
 */
import { type HttpApi, HttpRouter, HttpServerResponse } from "@effect/platform"
import { Layer } from "effect"

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
