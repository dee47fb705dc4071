/**
 * Strict routing: a path names a route only as written. The router's defaults (case-insensitive
 * matching, `//` collapsed, a trailing `/` ignored, a `;` ending the path) would let many
 * spellings reach one resource; here they are 404s. A path that names a route under another
 * method is a 405 with `Allow`.
 *
 * @since 0.1.0
 */
import { HttpApi, HttpRouter, HttpServerResponse } from "@effect/platform"
import { Layer } from "effect"

type RouterConfig = Parameters<typeof HttpRouter.setRouterConfig>[0]

/**
 * The router settings: case-sensitive, no slash collapsing, no trailing-slash folding.
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
 * Builds `layer` (the one that turns the API into an app) with strict routing.
 *
 * @since 0.1.0
 * @category layers
 */
export const withStrictRouting = <A, E, R>(layer: Layer.Layer<A, E, R>): Layer.Layer<A, E, R> =>
  Layer.locally(layer, HttpRouter.currentRouterConfig, strict)

/**
 * Whether the raw path (before `?`) has a spelling the router would fold into another one:
 * a `;` (the router ends the path there).
 *
 * @since 0.1.0
 * @category predicates
 */
export const isAmbiguous = (url: string): boolean => {
  const query = url.indexOf("?")
  return (query === -1 ? url : url.slice(0, query)).includes(";")
}

interface Route {
  readonly method: string
  readonly segments: ReadonlyArray<string>
}

const segmentsOf = (path: string): ReadonlyArray<string> => path.split("/")

const matches = (route: Route, segments: ReadonlyArray<string>): boolean =>
  route.segments.length === segments.length &&
  route.segments.every((part, i) => part.startsWith(":") ? segments[i] !== "" : part === segments[i])

/**
 * The methods of an API's routes (plus extra `GET` paths such as the docs), looked up by path.
 *
 * @since 0.1.0
 * @category constructors
 */
export const methodsOf = (
  api: HttpApi.HttpApi.Any,
  extraGetPaths: ReadonlyArray<string> = []
): (path: string) => ReadonlyArray<string> => {
  const routes: Array<Route> = extraGetPaths.map((path) => ({ method: "GET", segments: segmentsOf(path) }))
  HttpApi.reflect(api as unknown as HttpApi.HttpApi<string, never, never, never>, {
    onGroup: () => {},
    onEndpoint: ({ endpoint }) => routes.push({ method: endpoint.method, segments: segmentsOf(endpoint.path) })
  })
  return (path) => {
    const segments = segmentsOf(path)
    const methods = new Set(routes.filter((route) => matches(route, segments)).map((route) => route.method))
    if (methods.has("GET")) methods.add("HEAD")
    return [...methods].sort()
  }
}

/**
 * The 405 of a path that has routes, but not for the request's method.
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
