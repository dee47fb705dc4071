/**
 * Whole `GET` responses of `GraphQLHttp` through `@cachet/http`: an execution whose coverage is
 * complete is stored as its encoded response under the tags of every fragment it showed, and
 * identical `GET`s are answered with those bytes (`X-Cache`, `ETag` / `304`, `Age`,
 * `Cache-Control`) until any of the tags is invalidated. Anything else is answered as it was
 * produced and not stored.
 * @internal
 */
import { type Cache, Key } from "@cachet/core"
import { HttpCache } from "@cachet/http"
import { HttpBody, type HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Data, Duration, Effect, Option, Schema } from "effect"
import type { ExecutionResult, GraphQLSchema } from "graphql"
import * as FragmentKey from "../FragmentKey.js"
import * as GraphQLCache from "../GraphQLCache.js"

/** An execution that may not be stored whole: answered as produced. @internal */
export class NotStored extends Data.TaggedError("NotStored")<{ readonly report: GraphQLCache.Report }> {}

/** The request's parameters that select the answer. @internal */
export interface Params {
  readonly query: string
  readonly variables: Record<string, unknown> | undefined
  readonly operationName: string | undefined
}

/** The response cache's settings, resolved. @internal */
export interface Settings {
  readonly vary: ReadonlyArray<string>
  readonly ttl: Duration.DurationInput | undefined
  readonly grace: Duration.DurationInput | undefined
}

const millis = (input: Duration.DurationInput): number => Duration.toMillis(Duration.decode(input))

/**
 * The stored body: the result, with per-request counts replaced by `{ response: "stored" }`
 * (the same bytes answer the request that produced them and every later hit; `X-Cache` tells
 * which this one was).
 */
const storedBody = (result: ExecutionResult): ExecutionResult => {
  const extensions = result.extensions
  if (extensions === undefined || !("cachet" in extensions)) return result
  return { ...result, extensions: { ...extensions, cachet: { response: "stored" } } }
}

/**
 * Answers a `GET` through the response cache: a stored response when one is valid, else the
 * execution, stored when its coverage allows. `NotStored` carries what must be answered as is.
 * @internal
 */
export const serve = <R>(
  schema: GraphQLSchema,
  settings: Settings,
  params: Params,
  contentType: string,
  execute: Effect.Effect<GraphQLCache.Report, never, R>
): Effect.Effect<HttpServerResponse.HttpServerResponse, NotStored, R | Cache.Cache | HttpServerRequest.HttpServerRequest> =>
  Effect.gen(function*() {
    const config = yield* Effect.serviceOption(GraphQLCache.GraphQLCache)
    const namespace = Option.match(config, { onNone: () => "graphql", onSome: (c) => c.namespace })
    const version = Option.match(config, { onNone: () => "1", onSome: (c) => c.version })
    const ttl = settings.ttl ?? Option.getOrUndefined(config)?.defaults.ttl ?? Duration.minutes(1)
    const grace = settings.grace ?? Option.getOrUndefined(config)?.defaults.grace ?? Duration.zero
    const ttlMillis = millis(ttl)
    const graceMillis = millis(grace)
    const key = Key.make(
      ["graphql-response", namespace, version, FragmentKey.schemaDigest(schema)],
      [params.query, FragmentKey.stable(params.variables ?? null), params.operationName ?? null]
    )
    let tags: ReadonlyArray<string> = []
    const lookup = Effect.flatMap(execute, (report) => {
      const coverage = report.coverage
      // Never stored for longer, or served stale for longer, than a fragment it shows allows.
      const tooLong = (coverage.ttlMillis !== undefined && coverage.ttlMillis < ttlMillis) ||
        (coverage.graceMillis !== undefined && coverage.graceMillis < graceMillis)
      if (!coverage.complete || tooLong) return Effect.fail(new NotStored({ report }))
      tags = coverage.tags
      return Effect.succeed<unknown>(storedBody(report.result))
    })
    const response = yield* HttpCache.read(lookup, {
      key,
      schema: Schema.Unknown,
      ttl: ttlMillis,
      grace: graceMillis,
      tags: () => tags,
      ...(settings.vary.length > 0 ? { vary: settings.vary } : {})
    })
    return asGraphQLResponse(response, contentType, ["Accept", ...settings.vary].join(", "))
  })

/** The last answer made of each response `@cachet/http` gave (a hit's response is reused within its second). */
const answers = new WeakMap<HttpServerResponse.HttpServerResponse, {
  readonly contentType: string
  readonly vary: string
  readonly answer: HttpServerResponse.HttpServerResponse
}>()

/**
 * A stored response as this endpoint answers: its media type chosen by `Accept` (the bytes are
 * the same for both, so the stored `ETag` is announced weak), `Vary: Accept`.
 */
const asGraphQLResponse = (
  response: HttpServerResponse.HttpServerResponse,
  contentType: string,
  vary: string
): HttpServerResponse.HttpServerResponse => {
  const known = answers.get(response)
  if (known !== undefined && known.contentType === contentType && known.vary === vary) return known.answer
  const etag = response.headers["etag"]
  let out = HttpServerResponse.setHeader(response, "vary", vary)
  if (etag !== undefined && !etag.startsWith("W/")) out = HttpServerResponse.setHeader(out, "etag", `W/${etag}`)
  const body = response.body
  const answer = body._tag === "Uint8Array" ? HttpServerResponse.setBody(out, HttpBody.uint8Array(body.body, contentType)) : out
  answers.set(response, { contentType, vary, answer })
  return answer
}
