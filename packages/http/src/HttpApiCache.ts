/**
 * Response caching for an `HttpApi`: an endpoint is cached by declaring it, by group and name,
 * with its ttl and tags; the routes are the API's own (`HttpApi.reflect`), and the entries hold
 * what the API answered, so the cached body is the endpoint's success (or error) schema's
 * encoding by construction — nothing to keep in sync by hand. The middleware goes ahead of the
 * whole API: a hit writes the stored bytes (with `ETag`/`304`, `Age`, `X-Cache`, `Vary`,
 * `Cache-Control`, as {@link HttpCache.middleware}) without the API's routing, decoding or
 * encoding; a miss runs the API and stores its response, tagged from the request's decoded
 * parameters and the decoded outcome.
 *
 * Only paths written exactly as the API names them are answered from the cache (a `;`, a
 * percent-encoded parameter or a request with a body goes to the API), so the entries match what
 * strict routing (`HttpServe.withStrictRouting`) serves.
 *
 * @since 0.1.0
 */
import type { Cache, Key, Tag } from "@cachet/core"
import type { HttpApi, HttpApiEndpoint, HttpApiGroup, HttpApp } from "@effect/platform"
import type { Effect, Exit } from "effect"

import type * as FrontDoor from "./FrontDoor.js"
import type * as HttpCache from "./HttpCache.js"
import * as door from "./internal/door.js"
import * as internal from "./internal/httpApiCache.js"

/**
 * The decoded parameters of a request to an endpoint.
 *
 * @since 0.1.0
 * @category models
 */
export interface Request<Path, UrlParams> {
  readonly path: Path
  readonly urlParams: UrlParams
}

/**
 * How one endpoint is cached.
 *
 * @since 0.1.0
 * @category models
 */
export interface EndpointOptions<Path, UrlParams, Success, Error, RC = never> extends HttpCache.RouteOptions {
  /**
   * The entry's key from the decoded request (`({ path }) => \`post:${path.id}\``), when the
   * endpoint names its own: requests whose parameters the API refuses then go to the API. By
   * default the key is the endpoint, its path parameters as written and the canonical query of
   * its URL parameters, and a hit decodes nothing. The store key adds the `vary` values and a
   * digest of the endpoint's schemas, so a changed shape never reads old entries.
   */
  readonly key?: (request: Request<Path, UrlParams>) => Key.Input
  /**
   * The entry's tags, given or computed from the request's parameters and the endpoint's
   * outcome (its success, or a failure the API answered with a stored status such as a 404),
   * both decoded by the endpoint's own schemas.
   */
  readonly tags?: Tag.Input | ((request: Request<Path, UrlParams>, exit: Exit.Exit<Success, Error>) => Tag.Input)
  /** A key part from the context (e.g. the user's id): entries are private to it (`Cache-Control: private`). */
  readonly context?: Effect.Effect<Key.Part, never, RC>
  /** Response headers stored with the body, beside `Location`, `Content-Language`, `Content-Encoding`, `Link`. */
  readonly keep?: ReadonlyArray<string>
}

/**
 * The options of an endpoint, from its type.
 *
 * @since 0.1.0
 * @category models
 */
export type OptionsOf<Endpoint extends HttpApiEndpoint.HttpApiEndpoint.Any, GroupError, RC> = EndpointOptions<
  [HttpApiEndpoint.HttpApiEndpoint.PathParsed<Endpoint>] extends [never] ? {}
    : HttpApiEndpoint.HttpApiEndpoint.PathParsed<Endpoint>,
  [HttpApiEndpoint.HttpApiEndpoint.UrlParams<Endpoint>] extends [never] ? {}
    : HttpApiEndpoint.HttpApiEndpoint.UrlParams<Endpoint>,
  HttpApiEndpoint.HttpApiEndpoint.Success<Endpoint>,
  HttpApiEndpoint.HttpApiEndpoint.Error<Endpoint> | GroupError,
  RC
>

/** The `GET` endpoints of a group. */
type GetEndpoints<Group> = Extract<HttpApiGroup.HttpApiGroup.Endpoints<Group>, { readonly method: "GET" }>

/**
 * The cached endpoints of an API, by group and endpoint name (only `GET` endpoints).
 *
 * @since 0.1.0
 * @category models
 */
export type Endpoints<Groups extends HttpApiGroup.HttpApiGroup.Any, ApiError, RC> = {
  readonly [Group in Groups as HttpApiGroup.HttpApiGroup.Name<Group>]?: {
    readonly [Endpoint in GetEndpoints<Group> as HttpApiEndpoint.HttpApiEndpoint.Name<Endpoint>]?: OptionsOf<
      Endpoint,
      HttpApiGroup.HttpApiGroup.Error<Group> | ApiError,
      RC
    >
  }
}

/**
 * Options of the whole middleware.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /**
   * Names the default keys of this API apart from others' (default `"api"`; an endpoint's own
   * `key` is used as given).
   */
  readonly name?: string
}

/**
 * The middleware of an API's cached endpoints (wrap the API's app with it), with the same
 * endpoints as the front door reads them (`FrontDoor` in `@cachet/http/node`).
 *
 * @since 0.1.0
 * @category models
 */
export interface Middleware<RC> {
  <E, R>(app: HttpApp.Default<E, R>): HttpApp.Default<E, R | RC | Cache.Cache>
  /**
   * The cached endpoints for a `FrontDoor`: the same keys, so a hit the door answers is the one
   * this middleware would have answered. Endpoints with a `context` key are left to the app.
   */
  readonly frontDoor: FrontDoor.Routes
}

/**
 * Caches the declared `GET` endpoints of an API (and `HEAD` from their entries), ahead of it:
 * `HttpApiCache.middleware(Api)({ group: { endpoint: { ttl, tags } } })` wraps the API's app
 * (`HttpApiBuilder.httpApp`). Keys are the endpoint, its path parameters as written, the
 * canonical query restricted to the endpoint's URL parameters, the `vary` request headers and the
 * `context` key. (Curried so that the API's types reach the declarations' callbacks.)
 *
 * @since 0.1.0
 * @category middleware
 */
export const middleware = <Id extends string, Groups extends HttpApiGroup.HttpApiGroup.Any, ApiError, ApiR>(
  api: HttpApi.HttpApi<Id, Groups, ApiError, ApiR>,
  options?: Options
) =>
<RC = never>(endpoints: Endpoints<Groups, ApiError, RC>): Middleware<RC> => {
  const locate = internal.makeLocate(api, endpoints as never, options)
  const cached = internal.middlewareOf(locate)
  return Object.assign(cached, {
    frontDoor: door.makeRoutes((request) => {
      const located = locate(request)
      return located === undefined || located.cached.context !== undefined
        ? undefined
        : { key: located.key, policy: located.cached.route.policy }
    }) as FrontDoor.Routes
  }) as unknown as Middleware<RC>
}
