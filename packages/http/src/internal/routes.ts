/** @internal */
import { HttpApi, type HttpApiEndpoint, type HttpApiGroup } from "@effect/platform"

/** One route of an `HttpApi` (or an extra path), by method and path segments. @internal */
export interface Route {
  readonly method: string
  readonly path: string
  readonly segments: ReadonlyArray<string>
  readonly group: HttpApiGroup.HttpApiGroup.AnyWithProps | undefined
  readonly endpoint: HttpApiEndpoint.HttpApiEndpoint.AnyWithProps | undefined
}

/** @internal */
export const segmentsOf = (path: string): ReadonlyArray<string> => path.split("/")

/** Whether a route's pattern names these segments, as written (a parameter takes one non-empty segment). @internal */
export const matches = (route: Route, segments: ReadonlyArray<string>): boolean => {
  const pattern = route.segments
  if (pattern.length !== segments.length) return false
  for (let i = 0; i < pattern.length; i++) {
    const part = pattern[i]!
    if (part.startsWith(":") ? segments[i] === "" : part !== segments[i]) return false
  }
  return true
}

/** Every endpoint of an API as a route (plus extra `GET` paths, such as the docs). @internal */
export const routesOf = (api: HttpApi.HttpApi.Any, extraGetPaths: ReadonlyArray<string> = []): Array<Route> => {
  const routes: Array<Route> = extraGetPaths.map((path) => ({
    method: "GET",
    path,
    segments: segmentsOf(path),
    group: undefined,
    endpoint: undefined
  }))
  HttpApi.reflect(api as unknown as HttpApi.HttpApi<string, never, never, never>, {
    onGroup: () => {},
    onEndpoint: ({ endpoint, group }) =>
      routes.push({
        method: endpoint.method,
        path: endpoint.path,
        segments: segmentsOf(endpoint.path),
        group,
        endpoint: endpoint as unknown as HttpApiEndpoint.HttpApiEndpoint.AnyWithProps
      })
  })
  return routes
}
