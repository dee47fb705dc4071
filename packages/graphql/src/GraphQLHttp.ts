/**
 * GraphQL over HTTP for `@effect/platform`'s `HttpRouter`: `POST` with JSON, `GET` with query
 * parameters (queries only), `application/graphql-response+json` answers, `400` for
 * unparsable documents and invalid variables, limits on document size and depth, switchable
 * introspection, and `ETag` / `304` for `GET` responses served entirely from the fragment cache —
 * or, with `responseCache`, whole `GET` responses stored through `@cachet/http` under the tags
 * of every fragment they show.
 *
 * @since 0.1.0
 */
import { type Cache, Key, Tracing } from "@cachet/core"
import { HttpCache } from "@cachet/http"
import type { FrontDoor } from "@cachet/http/node"
import { HttpRouter, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { type Duration, Effect } from "effect"
import type { DocumentNode, ExecutionResult, FragmentDefinitionNode, SelectionSetNode, ValidationRule } from "graphql"
import {
  getOperationAST,
  GraphQLError,
  Kind,
  NoSchemaIntrospectionCustomRule,
  parse,
  specifiedRules,
  validate
} from "graphql"

import * as Cost from "./Cost.js"
import * as GraphQLCache from "./GraphQLCache.js"
import * as response from "./internal/response.js"

/**
 * Settings of the endpoint.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options<R = never, RS = never> {
  /** The schema, with the services its resolvers need (`GraphQLCache.typed`). */
  readonly schema: GraphQLCache.TypedSchema<RS>
  /** The context value of an operation, from its request. */
  readonly context?: (request: HttpServerRequest.HttpServerRequest) => Effect.Effect<unknown, never, R>
  /** Deepest selection nesting accepted (default 12); deeper documents answer `400`. */
  readonly maxDepth?: number
  /** Largest document (and POST body) in bytes (default 100 000); larger answers `413`. */
  readonly maxDocumentBytes?: number
  /** Most tokens a document may have (default 10 000); more answers `400`. */
  readonly maxTokens?: number
  /** Whether `__schema` / `__type` may be queried (default true). */
  readonly introspection?: boolean
  /**
   * Limits of the cost model ({@link Cost.Limits}: cost, fields, aliases, depth, list sizes;
   * default {@link Cost.defaults}, its `maxDepth` being `maxDepth`'s): an operation over any is
   * answered `400` with GraphQL errors before it runs.
   */
  readonly cost?: Cost.Limits
  /**
   * Store whole `GET` responses through `@cachet/http` (default off; `true` for the defaults).
   * Only a response whose execution's coverage is complete (`GraphQLCache.Coverage`: every root
   * field a shared cached fragment, no errors) is stored, tagged with every tag of every
   * fragment it shows, so it is served exactly while those fragments are valid. `POST` is never
   * answered from it.
   */
  readonly responseCache?: boolean | ResponseCacheOptions
}

/**
 * Settings of the whole-response cache of `GET` queries.
 *
 * @since 0.1.0
 * @category models
 */
export interface ResponseCacheOptions {
  /** Request headers that change the answer (part of the key, sent in `Vary` beside `Accept`). */
  readonly vary?: ReadonlyArray<string>
  /**
   * How long a stored response is fresh (default: the fragment cache's default ttl, else one
   * minute); a response showing a fragment with a shorter ttl is not stored.
   */
  readonly ttl?: Duration.DurationInput
  /**
   * How long past its ttl it may be served while refreshed (default: the fragment cache's default grace, else none).
   */
  readonly grace?: Duration.DurationInput
}

/**
 * The media type of GraphQL-over-HTTP responses.
 *
 * @since 0.1.0
 * @category constants
 */
export const mediaType = "application/graphql-response+json"

const maxCachedDocuments = 500

type Checked =
  | { readonly _tag: "Parsed"; readonly document: DocumentNode; readonly invalid: ReadonlyArray<GraphQLError> }
  | { readonly _tag: "Rejected"; readonly message: string }

class RequestError {
  constructor(readonly status: number, readonly message: string, readonly headers: Record<string, string> = {}) {}
}

type Params = response.Params

const fail = (status: number, message: string, headers?: Record<string, string>) =>
  Effect.fail(new RequestError(status, message, headers))

const paramsOf = (raw: Record<string, unknown>, maxBytes: number): Effect.Effect<Params, RequestError> => {
  const { operationName, query, variables } = raw
  if (typeof query !== "string" || query.trim() === "") return fail(400, "a query (a non-empty string) is required")
  if (query.length > maxBytes) return fail(413, `the document is larger than ${maxBytes} bytes`)
  if (variables !== undefined && variables !== null && (typeof variables !== "object" || Array.isArray(variables))) {
    return fail(400, "variables must be an object")
  }
  if (operationName !== undefined && operationName !== null && typeof operationName !== "string") {
    return fail(400, "operationName must be a string")
  }
  return Effect.succeed({
    query,
    variables: (variables ?? undefined) as Record<string, unknown> | undefined,
    operationName: operationName ?? undefined
  })
}

const jsonOf = (text: string, what: string): Effect.Effect<unknown, RequestError> =>
  Effect.try({
    try: () => JSON.parse(text) as unknown,
    catch: () => new RequestError(400, `${what} is not valid JSON`)
  })

const readParams = (
  request: HttpServerRequest.HttpServerRequest,
  maxBytes: number
): Effect.Effect<Params, RequestError> =>
  Effect.gen(function*() {
    if (request.method === "GET") {
      const url = new URL(request.url, "http://localhost")
      const variables = url.searchParams.get("variables")
      return yield* paramsOf({
        query: url.searchParams.get("query") ?? undefined,
        variables: variables === null || variables === "" ? undefined : yield* jsonOf(variables, "variables"),
        operationName: url.searchParams.get("operationName") || undefined
      }, maxBytes)
    }
    if (request.method !== "POST") return yield* fail(405, "use GET or POST", { allow: "GET, POST" })
    const contentType = request.headers["content-type"] ?? ""
    if (!contentType.toLowerCase().includes("application/json")) {
      return yield* fail(415, "POST bodies must be application/json")
    }
    const length = Number(request.headers["content-length"] ?? "0")
    if (length > maxBytes * 2) {
      return yield* fail(413, `the body is larger than ${maxBytes * 2} bytes`)
    }
    const text = yield* Effect.mapError(request.text, () => new RequestError(400, "the body could not be read"))
    if (text.length > maxBytes * 2) return yield* fail(413, `the body is larger than ${maxBytes * 2} bytes`)
    const body = yield* jsonOf(text, "the body")
    if (body === null || typeof body !== "object" || Array.isArray(body)) {
      return yield* fail(400, "the body must be a JSON object")
    }
    return yield* paramsOf(body as Record<string, unknown>, maxBytes)
  })

/**
 * The deepest selection nesting of a document's operations (fragments expanded).
 *
 * @since 0.1.0
 * @category utils
 */
export const depthOf = (document: DocumentNode): number => {
  const fragments = new Map<string, FragmentDefinitionNode>()
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition)
  }
  const memo = new Map<string, number>()
  const depth = (set: SelectionSetNode, visiting: Set<string>): number => {
    let deepest = 0
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        deepest = Math.max(
          deepest,
          selection.selectionSet === undefined ? 1 : 1 + depth(selection.selectionSet, visiting)
        )
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        deepest = Math.max(deepest, depth(selection.selectionSet, visiting))
      } else {
        const name = selection.name.value
        const fragment = fragments.get(name)
        if (fragment === undefined || visiting.has(name)) continue
        let known = memo.get(name)
        if (known === undefined) {
          visiting.add(name)
          known = depth(fragment.selectionSet, visiting)
          visiting.delete(name)
          memo.set(name, known)
        }
        deepest = Math.max(deepest, known)
      }
    }
    return deepest
  }
  let deepest = 0
  for (const definition of document.definitions) {
    if (definition.kind === Kind.OPERATION_DEFINITION) {
      deepest = Math.max(deepest, depth(definition.selectionSet, new Set()))
    }
  }
  return deepest
}

/** The media type of an answer, by the request's `Accept` (as the handler reads it, and the front door). */
const contentTypeOf = (acceptHeader: string | undefined): string => {
  const accept = acceptHeader ?? ""
  return accept.includes(mediaType) || accept.includes("*/*") || accept === "" || !accept.includes("application/json")
    ? `${mediaType}; charset=utf-8`
    : "application/json; charset=utf-8"
}

const respond = (
  request: HttpServerRequest.HttpServerRequest,
  status: number,
  result: ExecutionResult,
  headers: Record<string, string> = {}
): HttpServerResponse.HttpServerResponse =>
  HttpServerResponse.text(JSON.stringify(result), {
    status,
    contentType: contentTypeOf(request.headers["accept"]),
    headers
  })

/** The answer to an executed operation that is not served from the response cache. */
const answer = (
  request: HttpServerRequest.HttpServerRequest,
  report: GraphQLCache.Report
): HttpServerResponse.HttpServerResponse => {
  if (report.result.data === undefined) return respond(request, 400, report.result)
  if (request.method !== "GET" || !report.fullyCached) return respond(request, 200, report.result)
  const body = JSON.stringify(report.result)
  const etag = `W/"${Key.digest(body)}"`
  const match = request.headers["if-none-match"]
  if (match !== undefined && match.split(",").some((tag) => tag.trim() === etag || tag.trim() === "*")) {
    return HttpServerResponse.empty({ status: 304, headers: { etag } })
  }
  return respond(request, 200, report.result, { etag })
}

/**
 * An endpoint: its handler, and the same endpoint's cached `GET` responses as a `FrontDoor`
 * (`@cachet/http/node`) answers them.
 *
 * @since 0.1.0
 * @category models
 */
export interface Endpoint<R = never, RS = never> {
  /** The handler (mount it on `GET` and `POST`). */
  readonly handler: Effect.Effect<
    HttpServerResponse.HttpServerResponse,
    never,
    HttpServerRequest.HttpServerRequest | Cache.Cache | R | RS
  >
  /**
   * The whole `GET` responses of `responseCache` for a `FrontDoor`: a `GET` whose URL the
   * handler has already accepted (parsed, validated, within the limits, a query) reads the entry
   * the handler keyed its parameters by, and a fresh hit is answered as the handler answers it
   * (the media type by `Accept`, a weak `ETag`, `Vary`). Everything else — `POST`, `HEAD`, a
   * body, a URL the handler has not accepted, a miss, a stale entry — is the handler's. The door
   * consults no middleware between it and the handler: give it only endpoints whose answers
   * depend on nothing else (an endpoint behind authentication is not one). Without
   * `responseCache` it answers nothing.
   */
  readonly frontDoor: FrontDoor.Routes
}

/**
 * The endpoint's handler (mount it on `GET` and `POST`).
 *
 * @since 0.1.0
 * @category handlers
 */
export const handler = <R = never, RS = never>(
  options: Options<R, RS>
): Effect.Effect<
  HttpServerResponse.HttpServerResponse,
  never,
  HttpServerRequest.HttpServerRequest | Cache.Cache | R | RS
> => make(options).handler

/**
 * An endpoint: its handler (mount it on `GET` and `POST`) and, over the same state, its cached
 * `GET` responses for a `FrontDoor` (`frontDoor`).
 *
 * @example
 * ```ts
 * import { Cache, MemoryStore } from "@cachet/core"
 * import { FrontDoor } from "@cachet/http/node"
 * import { GraphQLCache, GraphQLHttp } from "@cachet/graphql"
 * import { HttpRouter, HttpServer } from "@effect/platform"
 * import { NodeRuntime } from "@effect/platform-node"
 * import { Effect, Layer } from "effect"
 * import { GraphQLObjectType, GraphQLSchema, GraphQLString } from "graphql"
 *
 * const schema = GraphQLCache.typed(new GraphQLSchema({
 *   query: new GraphQLObjectType({
 *     name: "Query",
 *     fields: {
 *       hello: {
 *         type: GraphQLString,
 *         extensions: GraphQLCache.cacheFragment({ ttl: "1 minute" }),
 *         resolve: () => "world"
 *       }
 *     }
 *   })
 * }))
 *
 * // A repeated GET /graphql?query={hello} is answered by the door, before Effect's HTTP server.
 * const endpoint = GraphQLHttp.make({ schema, responseCache: true })
 * HttpServer.serve(HttpRouter.empty.pipe(HttpRouter.get("/graphql", endpoint.handler))).pipe(
 *   Layer.provide(FrontDoor.layer({ port: 3000 }, Effect.succeed({ routes: [endpoint.frontDoor] }))),
 *   Layer.provide(Cache.layer().pipe(Layer.provide(MemoryStore.layer()))),
 *   Layer.launch,
 *   NodeRuntime.runMain
 * )
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = <R = never, RS = never>(options: Options<R, RS>): Endpoint<R, RS> => {
  const maxBytes = options.maxDocumentBytes ?? 100_000
  const maxDepth = options.maxDepth ?? 12
  const costLimits: Cost.Limits = { maxDepth, ...options.cost }
  const cached = options.responseCache === undefined || options.responseCache === false
    ? undefined
    : response.make(
      options.schema,
      options.responseCache === true
        ? { vary: [], ttl: undefined, grace: undefined }
        : { vary: options.responseCache.vary ?? [], ttl: options.responseCache.ttl, grace: options.responseCache.grace }
    )
  const rules: ReadonlyArray<ValidationRule> = options.introspection === false
    ? [...specifiedRules, NoSchemaIntrospectionCustomRule]
    : specifiedRules
  // Parsed and validated documents by their text: a repeated query skips parse and validate.
  const documents = new Map<string, Checked>()
  const check = (query: string): Checked => {
    const known = documents.get(query)
    if (known !== undefined) return known
    let checked: Checked
    try {
      const document = parse(query, { maxTokens: options.maxTokens ?? 10_000 })
      checked = depthOf(document) > maxDepth
        ? { _tag: "Rejected", message: `the document is deeper than ${maxDepth} levels` }
        : { _tag: "Parsed", document, invalid: validate(options.schema, document, rules, { maxErrors: 20 }) }
    } catch (error) {
      checked = { _tag: "Rejected", message: error instanceof Error ? error.message : String(error) }
    }
    if (documents.size >= maxCachedDocuments) documents.clear()
    documents.set(query, checked)
    return checked
  }
  const execute = (request: HttpServerRequest.HttpServerRequest, params: Params, document: DocumentNode) =>
    Effect.flatMap(
      options.context === undefined ? Effect.succeed(undefined) : options.context(request),
      (contextValue) =>
        GraphQLCache.executeReport({
          schema: options.schema,
          document,
          variableValues: params.variables ?? null,
          operationName: params.operationName ?? null,
          contextValue
        })
    )
  // Valid GET queries by their URL as received (before any router prefix is cut): a repeated GET
  // goes to the response cache without parsing anything, and the front door reads only those.
  const gets = new Map<string, { readonly params: Params; readonly document: DocumentNode }>()
  const serveGet = (request: HttpServerRequest.HttpServerRequest, params: Params, document: DocumentNode) =>
    cached!.serve(params, contentTypeOf(request.headers["accept"]), execute(request, params, document)).pipe(
      Effect.catchTag("NotStored", (notStored) => Effect.succeed(answer(request, notStored.report)))
    )
  const endpoint = Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    const get = cached !== undefined && request.method === "GET"
    const known = get ? gets.get(request.originalUrl) : undefined
    if (known !== undefined) return yield* serveGet(request, known.params, known.document)
    const params = yield* readParams(request, maxBytes)
    const checked = check(params.query)
    if (checked._tag === "Rejected") return yield* fail(400, checked.message)
    const document = checked.document
    const operation = getOperationAST(document, params.operationName)
    if (operation === null || operation === undefined) {
      return yield* fail(400, "no single operation to run (name one with operationName)")
    }
    if (request.method === "GET" && operation.operation !== "query") {
      return yield* fail(405, `${operation.operation}s are only accepted over POST`, { allow: "POST" })
    }
    if (checked.invalid.length > 0) return respond(request, 400, { errors: checked.invalid })
    const overLimits = Cost.check(
      options.schema,
      document,
      { operationName: params.operationName, variableValues: params.variables },
      costLimits
    )
    if (overLimits.length > 0) return respond(request, 400, { errors: overLimits })
    if (!get) return answer(request, yield* execute(request, params, document))
    if (gets.size >= maxCachedDocuments) gets.clear()
    gets.set(request.originalUrl, { params, document })
    return yield* serveGet(request, params, document)
  }).pipe(
    Effect.catchAll((error) =>
      Effect.map(
        HttpServerRequest.HttpServerRequest,
        (request) => respond(request, error.status, { errors: [new GraphQLError(error.message)] }, error.headers)
      )
    ),
    Tracing.traced("GraphQLHttp.handler")
  )
  const frontDoor = HttpCache.frontDoorRoutes((request) => {
    if (cached === undefined || request.method !== "GET") return undefined
    const known = gets.get(request.url)
    // A body (or the promise of one) is judged by the app, whatever the handler does with it.
    if (
      known === undefined || (request.headers["content-length"] ?? "0") !== "0" ||
      request.headers["transfer-encoding"] !== undefined
    ) return undefined
    const accept = request.headers["accept"]
    return cached.locate(known.params, contentTypeOf(typeof accept === "string" ? accept : accept?.join(", ")), request)
  })
  return { handler: endpoint, frontDoor }
}

/**
 * A router answering `GET` and `POST` on `path` (default `/graphql`).
 *
 * @example
 * ```ts
 * import { Cache, MemoryStore } from "@cachet/core"
 * import { GraphQLCache, GraphQLHttp } from "@cachet/graphql"
 * import { HttpServer } from "@effect/platform"
 * import { NodeHttpServer, NodeRuntime } from "@effect/platform-node"
 * import { Layer } from "effect"
 * import { GraphQLObjectType, GraphQLSchema, GraphQLString } from "graphql"
 * import { createServer } from "node:http"
 *
 * const schema = GraphQLCache.typed(new GraphQLSchema({
 *   query: new GraphQLObjectType({
 *     name: "Query",
 *     fields: {
 *       hello: {
 *         type: GraphQLString,
 *         extensions: GraphQLCache.cacheFragment({ ttl: "1 minute" }),
 *         resolve: () => "world"
 *       }
 *     }
 *   })
 * }))
 *
 * // GET and POST /graphql; whole GET responses are cached while every fragment in them is valid.
 * HttpServer.serve(GraphQLHttp.router({ schema, responseCache: true })).pipe(
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
export const router = <R = never, RS = never>(
  options: Options<R, RS>,
  path: `/${string}` = "/graphql"
): HttpRouter.HttpRouter<never, Cache.Cache | R | RS> => {
  const handle = make(options).handler
  return HttpRouter.empty.pipe(HttpRouter.get(path, handle), HttpRouter.post(path, handle))
}
