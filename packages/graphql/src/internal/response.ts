/**
 * Whole `GET` responses of `GraphQLHttp` through `@cachet/http`: an execution whose coverage is
 * complete is stored as its encoded response under the tags of every fragment it showed, and
 * identical `GET`s are answered with those bytes (`X-Cache`, `ETag` / `304`, `Age`,
 * `Cache-Control`) until any of the tags is invalidated. Anything else is answered as it was
 * produced and not stored.
 * @internal
 */
import { BoundedMemo, type Cache, Key } from "@cachet/core"
import { HttpCache } from "@cachet/http"
import type { FrontDoor } from "@cachet/http/node"
import { HttpBody, type HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Clock, Data, Duration, Effect, Option, Schema } from "effect"
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

/** One request's entry: its key, and the tags its execution found (set on a miss). */
interface Input {
  readonly key: string
  tags: ReadonlyArray<string>
  /** How long the response may stay fresh: until its oldest fragment stops being fresh. */
  freshForMillis: number | undefined
}

type Reader = HttpCache.Reader<Input, unknown, NotStored, never>

/** What the handler last keyed a request's parameters by: the entry's key, and the reader that stores it. */
interface Keyed {
  readonly config: GraphQLCache.ResolvedOptions | undefined
  readonly input: Input
  reader: Reader | undefined
}

/**
 * The response cache of one endpoint: `serve` answers a `GET` with a stored response when one is
 * valid, else with the execution, stored when its coverage allows (`NotStored` carries what must
 * be answered as is); `locate` names the entry a `GET` with parameters the handler has already
 * served reads, as a `FrontDoor` answers it (the handler's key, its reader's store key, and
 * `asGraphQLResponse` for what a hit is answered with).
 * @internal
 */
export const make = (schema: GraphQLSchema, settings: Settings) => {
  const vary = ["Accept", ...settings.vary].join(", ")
  // One reader per ttl and grace (they come from the fragment cache's settings: one in practice).
  const readers = new Map<string, Reader>()
  const readerOf = (ttlMillis: number, graceMillis: number): Reader => {
    const id = `${ttlMillis}:${graceMillis}`
    let reader = readers.get(id)
    if (reader === undefined) {
      reader = HttpCache.reader<Input, unknown, unknown, NotStored>({
        key: (input) => input.key,
        schema: Schema.Unknown,
        ttl: ttlMillis,
        grace: graceMillis,
        tags: (input) => input.tags,
        freshFor: (input) => input.freshForMillis,
        ...(settings.vary.length > 0 ? { vary: settings.vary } : {})
      })
      readers.set(id, reader)
    }
    return reader
  }
  // The key of a request's parameters (the handler reuses one object per repeated GET).
  const keys = new WeakMap<Params, Keyed>()
  const keyOf = (params: Params, config: GraphQLCache.ResolvedOptions | undefined): Keyed => {
    const known = keys.get(params)
    if (known !== undefined && known.config === config) return known
    const key = Key.make(
      ["graphql-response", config?.namespace ?? "graphql", config?.version ?? "1", FragmentKey.schemaDigest(schema)],
      [params.query, FragmentKey.stable(params.variables ?? null), params.operationName ?? null]
    )
    const keyed: Keyed = { config, input: { key, tags: [], freshForMillis: undefined }, reader: undefined }
    keys.set(params, keyed)
    return keyed
  }
  const locate = (
    params: Params,
    contentType: string,
    request: FrontDoor.Request
  ): FrontDoor.Entry | undefined => {
    // Keyed as the handler keyed these parameters when it last served them (under its `GraphQLCache`).
    const known = keys.get(params)
    const entry = known?.reader?.locate(known.input, request)
    return entry === undefined
      ? undefined
      : { ...entry, reshape: (stored) => asGraphQLResponse(stored, contentType, vary) }
  }
  const serve = <R>(
    params: Params,
    contentType: string,
    execute: Effect.Effect<GraphQLCache.Report, never, R>
  ): Effect.Effect<
    HttpServerResponse.HttpServerResponse,
    NotStored,
    R | Cache.Cache | HttpServerRequest.HttpServerRequest
  > =>
    Effect.flatMap(Effect.serviceOption(GraphQLCache.GraphQLCache), (option) => {
      const config = Option.getOrUndefined(option)
      const ttlMillis = Duration.toMillis(settings.ttl ?? config?.defaults.ttl ?? Duration.minutes(1))
      const graceMillis = Duration.toMillis(settings.grace ?? config?.defaults.grace ?? Duration.zero)
      const keyed = keyOf(params, config)
      const reader = readerOf(ttlMillis, graceMillis)
      keyed.reader = reader
      const input: Input = { key: keyed.input.key, tags: [], freshForMillis: undefined }
      const lookup = Effect.flatMap(Effect.zip(Clock.currentTimeMillis, execute), ([started, report]) => {
        const coverage = report.coverage
        // Never stored for longer, or served stale for longer, than a fragment it shows allows.
        const tooLong = (coverage.ttl !== undefined && Duration.toMillis(coverage.ttl) < ttlMillis) ||
          (coverage.grace !== undefined && Duration.toMillis(coverage.grace) < graceMillis)
        if (!coverage.complete || tooLong) return Effect.fail(new NotStored({ report }))
        input.tags = coverage.tags
        // Fresh only until its oldest fragment stops being fresh, counted from when that fragment
        // was rendered (one rendered by this request is as fresh as the response, dated from its start).
        input.freshForMillis = coverage.freshUntilMillis === undefined ? undefined : coverage.freshUntilMillis - started
        return Effect.succeed<unknown>(storedBody(report.result))
      })
      return Effect.map(reader(input, lookup), (response) => asGraphQLResponse(response, contentType, vary))
    })
  return { serve, locate }
}

/** The last answer made of each response `@cachet/http` gave (a hit's response is reused within its second). */
const answers = BoundedMemo.makeWeak<HttpServerResponse.HttpServerResponse, {
  readonly contentType: string
  readonly vary: string
  readonly answer: HttpServerResponse.HttpServerResponse
}>(10_000)

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
  const answer = body._tag === "Uint8Array"
    ? HttpServerResponse.setBody(out, HttpBody.uint8Array(body.body, contentType))
    : out
  answers.set(response, { contentType, vary, answer })
  return answer
}
