/** @internal */
import { type Cache, Codec, Key, type Tag } from "@cachet/core"
import {
  type HttpApi,
  type HttpApiEndpoint,
  type HttpApiGroup,
  type HttpApp,
  HttpServerRequest,
  type HttpServerResponse
} from "@effect/platform"
import { Context, Effect, Either, Exit, Schema, SchemaAST } from "effect"

import type * as HttpApiCache from "../HttpApiCache.js"
import type * as StoredResponse from "../StoredResponse.js"
import { hasBodyLike, headerOf, type RequestLike } from "./door.js"
import { cacheResponse, canonicalQuery, keptHeaders } from "./middleware.js"
import { type Route as ApiRoute, routesOf } from "./routes.js"
import { resolveRoute, type Route } from "./serve.js"

type AnyOptions = HttpApiCache.EndpointOptions<unknown, unknown, unknown, unknown, unknown>

type Decode = (input: unknown) => Either.Either<unknown, unknown>

/** A cached endpoint, resolved once. @internal */
export interface Cached {
  /** `group.endpoint`. */
  readonly name: string
  /** The endpoint's key from its decoded request, when it names its own. */
  readonly key: AnyOptions["key"]
  /** What the entry's bytes depend on besides the key: the endpoint's schemas. */
  readonly digest: string
  readonly route: Route
  readonly keep: ReadonlyArray<string>
  /** The URL parameters that are part of the key (the endpoint's). */
  readonly allow: ReadonlySet<string> | undefined
  readonly tags: AnyOptions["tags"]
  readonly context: AnyOptions["context"]
  readonly decodePath: Decode | undefined
  readonly decodeUrlParams: Decode | undefined
  readonly decodeSuccess: Decode
  readonly decodeError: Decode
}

/** A `GET` route of the API, cached or not (a literal route wins over a parameter, as in the router). */
export interface Entry {
  readonly path: string
  readonly segments: ReadonlyArray<string>
  /** The positions and names of the path parameters. */
  readonly params: ReadonlyArray<readonly [number, string]>
  readonly literals: number
  readonly cached: Cached | undefined
}

const decoder = new TextDecoder()

const decodeOf = (schema: Schema.Schema.Any): Decode =>
  Schema.decodeUnknownEither(schema as Schema.Schema<unknown, unknown, never>) as Decode

/** The encoded names of a URL parameters Schema (`undefined`: unknown, all are kept). */
const urlParamNames = (schema: Schema.Schema.Any): ReadonlySet<string> | undefined => {
  try {
    const names = SchemaAST.getPropertySignatures(SchemaAST.encodedAST(schema.ast)).map((property) =>
      String(property.name)
    )
    return new Set(names)
  } catch {
    return undefined
  }
}

/** The failures an endpoint may answer: its own, its group's and its API's. */
const errorSchemaOf = (
  api: HttpApi.HttpApi.AnyWithProps,
  group: HttpApiGroup.HttpApiGroup.AnyWithProps,
  endpoint: HttpApiEndpoint.HttpApiEndpoint.AnyWithProps
): Schema.Schema.Any => {
  const members = [endpoint.errorSchema, group.errorSchema, api.errorSchema].filter((schema) =>
    schema.ast._tag !== "NeverKeyword"
  )
  return (members.length === 0 ? Schema.Never : Schema.Union(...members)) as Schema.Schema.Any
}

/** The query as the platform parses it (`HttpServerRequest.searchParamsFromURL`): repeated names as arrays. */
const searchParamsOf = (url: string): Record<string, string | Array<string>> => {
  const out: Record<string, string | Array<string>> = {}
  const index = url.indexOf("?")
  if (index === -1) return out
  for (const [key, value] of new URLSearchParams(url.slice(index + 1))) {
    const entry = out[key]
    if (entry === undefined) out[key] = value
    else if (Array.isArray(entry)) entry.push(value)
    else out[key] = [entry, value]
  }
  return out
}

const bodyOf = (stored: StoredResponse.StoredResponse): Either.Either<unknown, unknown> => {
  if (stored.body.length === 0) return Either.right(undefined)
  try {
    return Either.right(JSON.parse(decoder.decode(stored.body)))
  } catch (error) {
    return Either.left(error)
  }
}

/** The request's path and URL parameters decoded by the endpoint's schemas, or `undefined` when they do not decode. */
const decodeRequest = (
  cached: Cached,
  params: Record<string, string>,
  url: string
): HttpApiCache.Request<unknown, unknown> | undefined => {
  const path = cached.decodePath === undefined ? Either.right(params) : cached.decodePath(params)
  if (Either.isLeft(path)) return undefined
  const urlParams = cached.decodeUrlParams === undefined
    ? Either.right({})
    : cached.decodeUrlParams(searchParamsOf(url))
  if (Either.isLeft(urlParams)) return undefined
  return { path: path.right, urlParams: urlParams.right }
}

/** The entry's tags, from the decoded request and outcome; `undefined` when they cannot be told (not stored). */
const tagsOf = (
  cached: Cached,
  tags: Exclude<AnyOptions["tags"], undefined>,
  known: HttpApiCache.Request<unknown, unknown> | undefined,
  params: Record<string, string>,
  url: string,
  stored: StoredResponse.StoredResponse
): Tag.Input | undefined => {
  if (typeof tags !== "function") return tags
  const request = known ?? decodeRequest(cached, params, url)
  if (request === undefined) return undefined
  const body = bodyOf(stored)
  if (Either.isLeft(body)) return undefined
  const failed = stored.status >= 400
  const value = (failed ? cached.decodeError : cached.decodeSuccess)(body.right)
  if (Either.isLeft(value)) return undefined
  return tags(request, failed ? Exit.fail(value.right) : Exit.succeed(value.right))
}

const entryOf = (
  api: HttpApi.HttpApi.AnyWithProps,
  route: ApiRoute,
  options: AnyOptions | undefined
): Entry => {
  const params: Array<readonly [number, string]> = []
  route.segments.forEach((part, i) => {
    if (part.startsWith(":")) params.push([i, part.slice(1)])
  })
  const endpoint = route.endpoint!
  const group = route.group!
  const errorSchema = errorSchemaOf(api, group, endpoint)
  return {
    path: route.path,
    segments: route.segments,
    params,
    literals: route.segments.length - params.length,
    cached: options === undefined ? undefined : {
      name: `${group.identifier}.${endpoint.name}`,
      key: options.key,
      digest: Key.digest(`a1:${Codec.digest(endpoint.successSchema)}:${Codec.digest(errorSchema)}`).slice(0, 12),
      route: resolveRoute(options, options.context !== undefined),
      keep: keptHeaders(options.keep),
      allow: endpoint.urlParamsSchema._tag === "None" ? new Set() : urlParamNames(endpoint.urlParamsSchema.value),
      tags: options.tags,
      context: options.context,
      decodePath: endpoint.pathSchema._tag === "None" ? undefined : decodeOf(endpoint.pathSchema.value),
      decodeUrlParams: endpoint.urlParamsSchema._tag === "None"
        ? undefined
        : decodeOf(endpoint.urlParamsSchema.value),
      decodeSuccess: decodeOf(endpoint.successSchema),
      decodeError: decodeOf(errorSchema)
    }
  }
}

/** The `GET` route a path names as written (a literal segment beats a parameter), if any. */
const find = (entries: ReadonlyArray<Entry>, segments: ReadonlyArray<string>): Entry | undefined => {
  let best: Entry | undefined
  for (const entry of entries) {
    const pattern = entry.segments
    if (pattern.length !== segments.length || (best !== undefined && best.literals >= entry.literals)) continue
    let matched = true
    for (let i = 0; i < pattern.length; i++) {
      const part = pattern[i]!
      if (part.charCodeAt(0) === 58 /* : */ ? segments[i] === "" : part !== segments[i]) {
        matched = false
        break
      }
    }
    if (matched) best = entry
  }
  return best
}

/** A request located among an API's cached endpoints: its store key and what it needs on a miss. @internal */
export interface Located {
  readonly cached: Cached
  readonly entry: Entry
  readonly key: string
  readonly params: Record<string, string>
  readonly decoded: HttpApiCache.Request<unknown, unknown> | undefined
}

/**
 * The cached endpoint a `GET`/`HEAD` request names and its store key, or `undefined` when the API
 * is to answer it (another method, a body, no cached route, a path not written as the API names
 * it, parameters the API refuses).
 * @internal
 */
export type Locate = (request: RequestLike) => Located | undefined

/** @internal */
export const makeLocate = (
  api: HttpApi.HttpApi.Any,
  endpoints: { readonly [group: string]: { readonly [endpoint: string]: AnyOptions | undefined } | undefined },
  options?: HttpApiCache.Options
): Locate => {
  const self = api as unknown as HttpApi.HttpApi.AnyWithProps
  const entries = routesOf(api)
    .filter((route) => route.method === "GET" && route.endpoint !== undefined)
    .map((route) => entryOf(self, route, endpoints[route.group!.identifier]?.[route.endpoint!.name]))
  const segments = ["http", "a1", options?.name ?? "api"]
  return (request) => {
    const method = request.method
    if ((method !== "GET" && method !== "HEAD") || hasBodyLike(request)) return undefined
    const url = request.url
    const queryAt = url.indexOf("?")
    const path = queryAt === -1 ? url : url.slice(0, queryAt)
    if (path.includes(";")) return undefined
    const pathSegments = path.split("/")
    const entry = find(entries, pathSegments)
    const cached = entry?.cached
    if (cached === undefined) return undefined
    const params: Record<string, string> = {}
    for (const [i, name] of entry!.params) {
      const value = pathSegments[i]!
      // Written otherwise than the API names it: the API's to answer.
      if (value.includes("%")) return undefined
      params[name] = value
    }
    let decoded: HttpApiCache.Request<unknown, unknown> | undefined
    let key: string
    if (cached.key !== undefined) {
      decoded = decodeRequest(cached, params, url)
      // Parameters the API refuses: its to answer (a 400).
      if (decoded === undefined) return undefined
      key = Key.encode(cached.key(decoded))
    } else {
      const args: Array<Key.Part> = [cached.name]
      for (const [, name] of entry!.params) args.push(params[name]!)
      args.push(queryAt === -1 ? "" : canonicalQuery(url, cached.allow))
      key = Key.make(segments, args)
    }
    const varyNames = cached.route.varyNames
    if (varyNames.length === 0) key = `${key}:${cached.digest}`
    else {
      const values = varyNames.map((name) => headerOf(request, name)?.trim() ?? null)
      key = `${key}:${Key.canonical(values)}:${cached.digest}`
    }
    return { cached, entry: entry!, key, params, decoded }
  }
}

/** @internal */
export const middlewareOf =
  (locate: Locate) => <E, R>(app: HttpApp.Default<E, R>): HttpApp.Default<E, R | Cache.Cache> =>
    Effect.withFiberRuntime<
      HttpServerResponse.HttpServerResponse,
      E,
      R | Cache.Cache | HttpServerRequest.HttpServerRequest
    >((fiber) => {
      const request = Context.unsafeGet(fiber.currentContext, HttpServerRequest.HttpServerRequest)
      const located = locate(request)
      if (located === undefined) return app
      const { cached, decoded, entry, key, params } = located
      const span = fiber.currentSpan
      if (span?._tag === "Span") span.attribute("http.route", entry.path)
      const tags = cached.tags
      const url = request.url
      return cacheResponse(
        app,
        key,
        cached.route,
        cached.keep,
        tags === undefined ? undefined : (stored) => tagsOf(cached, tags, decoded, params, url, stored),
        cached.context
      ) as Effect.Effect<HttpServerResponse.HttpServerResponse, E, R | Cache.Cache>
    })
