/** @internal */
import { Cache, Codec, Key, type Tag } from "@cachet/core"
import type { HttpApp } from "@effect/platform"
import { Cookies, HttpApiSchema, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Cause, Context, Data, Duration, Effect, Either, Exit, Option, Schema } from "effect"
import type * as HttpCache from "../HttpCache.js"
import * as StoredResponse from "../StoredResponse.js"
import { type Outcome, type Policy, respond } from "./respond.js"

/** A response the route answered that may not be stored: it is passed through as it is. */
class Uncacheable extends Data.TaggedError("Uncacheable")<{ readonly response: HttpServerResponse.HttpServerResponse }> {}

const isUncacheable = (error: unknown): error is Uncacheable => error instanceof Uncacheable

const millis = (input: Duration.DurationInput): number => Duration.toMillis(Duration.decode(input))

const encoder = new TextEncoder()

/** What every cached route resolves its options to. */
interface Route {
  readonly ttlMillis: number
  readonly graceMillis: number
  readonly statuses: ReadonlySet<number>
  readonly policy: Policy
  /** The `Vary` request headers, lower case. */
  readonly varyNames: ReadonlyArray<string>
}

const resolveRoute = (options: HttpCache.RouteOptions, isPrivate: boolean): Route => {
  const varyNames = (options.vary ?? []).map((name) => name.toLowerCase())
  return {
    ttlMillis: millis(options.ttl),
    graceMillis: options.grace === undefined ? 0 : millis(options.grace),
    statuses: new Set(options.statuses ?? StoredResponse.defaultStatuses),
    policy: {
      private: isPrivate,
      noStore: options.noStore ?? false,
      vary: options.vary === undefined || options.vary.length === 0 ? undefined : options.vary.join(", ")
    },
    varyNames
  }
}

const varyValues = (request: HttpServerRequest.HttpServerRequest, names: ReadonlyArray<string>): Array<string | null> =>
  names.map((name) => request.headers[name]?.trim() ?? null)

/**
 * Runs a read through the cache and answers with the stored response (or the response that
 * could not be stored), with `X-Cache` and `Age` told by `Cache.observeServed`.
 */
const serve = <E, R, RC>(
  keyOf: (request: HttpServerRequest.HttpServerRequest) => string,
  fetch: Effect.Effect<StoredResponse.StoredResponse, E | Uncacheable, R>,
  route: Route,
  tags: ((exit: Exit.Exit<StoredResponse.StoredResponse, unknown>) => Tag.Input) | undefined,
  context: Effect.Effect<Key.Part, never, RC> | undefined,
  produced: { response: HttpServerResponse.HttpServerResponse | undefined }
): Effect.Effect<
  HttpServerResponse.HttpServerResponse,
  E,
  R | RC | Cache.Cache | HttpServerRequest.HttpServerRequest
> =>
  Effect.withFiberRuntime((fiber) => {
    const services = fiber.currentContext as Context.Context<Cache.Cache | HttpServerRequest.HttpServerRequest>
    const cache = Context.get(services, Cache.Cache)
    const request = Context.get(services, HttpServerRequest.HttpServerRequest)
    return Effect.clockWith((clock) => {
      const start = clock.unsafeCurrentTimeMillis()
      let served: Cache.Served | undefined
      // One flat object; absent options are undefined, which the cache treats as unset.
      const read = cache.getOrFetch(keyOf(request), fetch, {
        schema: StoredResponse.StoredResponse,
        ttl: ttlOf,
        grace: route.graceMillis,
        tags,
        context
      } as Cache.FetchOptions<StoredResponse.StoredResponse, unknown, E | Uncacheable, never, "CacheOrNetwork", {}, RC>)
      return Cache.observeServed(read, (report) => {
        served = report
      }).pipe(
        Effect.map((stored) => {
          let outcome: Outcome
          let age: number
          if (served !== undefined) {
            outcome = served.outcome === "hit" ? "HIT" : served.outcome === "stale" ? "STALE" : "MISS"
            age = served.outcome === "miss" ? 0 : served.ageMillis
          } else {
            // Not reported (the cache is off, or the request memo answered): told by the entry.
            age = Math.max(0, clock.unsafeCurrentTimeMillis() - stored.producedAt)
            outcome = stored.producedAt >= start ? "MISS" : age >= stored.ttlMillis ? "STALE" : "HIT"
            if (outcome === "MISS") age = 0
          }
          const response = respond(request, stored, route.policy, outcome, age)
          // The response this request produced keeps its cookies; stored copies never have them.
          const original = produced.response
          return original === undefined || Cookies.isEmpty(original.cookies) && original.headers["set-cookie"] === undefined
            ? response
            : withCookiesOf(response, original)
        }),
        Effect.catchIf(isUncacheable, (error) => Effect.succeed(error.response))
      ) as Effect.Effect<HttpServerResponse.HttpServerResponse, E, R | RC>
    })
  })

const withCookiesOf = (
  response: HttpServerResponse.HttpServerResponse,
  original: HttpServerResponse.HttpServerResponse
): HttpServerResponse.HttpServerResponse => {
  const header = original.headers["set-cookie"]
  const withHeader = header === undefined ? response : HttpServerResponse.setHeader(response, "set-cookie", header)
  return HttpServerResponse.mergeCookies(withHeader, original.cookies)
}

const stateless = { response: undefined }

const ttlOf = (exit: Exit.Exit<StoredResponse.StoredResponse, unknown>): number =>
  Exit.isSuccess(exit) ? exit.value.ttlMillis : 0

// -------------------------------------------------------------------------------------------
// Read-through for one handler
// -------------------------------------------------------------------------------------------

/** @internal */
export const read = <A, I, E, R, EI, RC>(
  lookup: Effect.Effect<A, E, R>,
  options: HttpCache.ReadOptions<A, I, E, EI, RC>
): Effect.Effect<HttpServerResponse.HttpServerResponse, E, R | RC | Cache.Cache | HttpServerRequest.HttpServerRequest> =>
  Effect.suspend(() => {
    const route = resolveRoute(options, options.context !== undefined)
    const encode = Schema.encodeEither(options.schema)
    const failure = options.failure
    const digest = failure === undefined
      ? Codec.digest(options.schema)
      : Key.digest(Codec.digest(options.schema) + Codec.digest(failure.schema)).slice(0, 12)
    const isFailure = failure === undefined ? undefined : Schema.is(failure.schema)
    const segments = ["http", "r1", digest]
    const keyOf = route.varyNames.length === 0
      ? () => Key.make(segments, [options.key as Key.Part])
      : (request: HttpServerRequest.HttpServerRequest) =>
        Key.make(segments, [options.key as Key.Part, varyValues(request, route.varyNames)])
    let tags: Tag.Input = []
    const tagsOf = options.tags
    const stored = (status: number, bytes: Uint8Array, producedAt: number, ttlMillis: number, graceMillis: number) => {
      const response = StoredResponse.make({
        status,
        body: bytes,
        contentType: "application/json",
        producedAt,
        ttlMillis,
        graceMillis,
        headers: options.headers
      })
      return route.statuses.has(status)
        ? Effect.succeed(response)
        : Effect.fail(new Uncacheable({ response: StoredResponse.toResponse(response, {}) }))
    }
    const fetch: Effect.Effect<StoredResponse.StoredResponse, E | Uncacheable, R> = Effect.matchCauseEffect(lookup, {
      onSuccess: (value) =>
        Effect.clockWith((clock) => {
          if (tagsOf !== undefined) tags = typeof tagsOf === "function" ? tagsOf(Exit.succeed(value)) : tagsOf
          const encoded = encode(value)
          if (Either.isLeft(encoded)) return Effect.die(encoded.left)
          const bytes = encoder.encode(JSON.stringify(encoded.right))
          return stored(options.status ?? 200, bytes, clock.unsafeCurrentTimeMillis(), route.ttlMillis, route.graceMillis)
        }),
      onFailure: (cause) => {
        const error = Cause.failureOption(cause)
        if (failure === undefined || Option.isNone(error) || !isFailure!(error.value)) {
          return Effect.failCause(cause) as Effect.Effect<never, E | Uncacheable>
        }
        return Effect.clockWith((clock): Effect.Effect<StoredResponse.StoredResponse, E | Uncacheable> => {
          if (tagsOf !== undefined) tags = typeof tagsOf === "function" ? tagsOf(Exit.fail(error.value)) : tagsOf
          const encoded = Schema.encodeEither(failure.schema)(error.value as never)
          if (Either.isLeft(encoded)) return Effect.die(encoded.left)
          const bytes = encoder.encode(JSON.stringify(encoded.right))
          const status = failure.status ?? HttpApiSchema.getStatusError(failure.schema)
          return stored(status, bytes, clock.unsafeCurrentTimeMillis(), millis(failure.ttl ?? Duration.seconds(30)), route.graceMillis)
        })
      }
    })
    return serve(keyOf, fetch, route, tagsOf === undefined ? undefined : () => tags, options.context, stateless)
  })

// -------------------------------------------------------------------------------------------
// Middleware for the GET/HEAD routes it wraps
// -------------------------------------------------------------------------------------------

const byName = (a: readonly [string, string], b: readonly [string, string]) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)

/** @internal */
export const canonicalQuery = (url: string, allow: ReadonlySet<string> | undefined): string => {
  const index = url.indexOf("?")
  if (index === -1 || index === url.length - 1) return ""
  const pairs: Array<readonly [string, string]> = []
  for (const pair of new URLSearchParams(url.slice(index + 1))) {
    if (allow === undefined || allow.has(pair[0])) pairs.push(pair)
  }
  // A stable sort: repeated parameters keep their order, which may mean something.
  pairs.sort(byName)
  let out = ""
  for (const [name, value] of pairs) {
    out += (out === "" ? "" : "&") + encodeURIComponent(name) + "=" + encodeURIComponent(value)
  }
  return out
}

/** @internal */
export const middleware = <RC = never>(options: HttpCache.MiddlewareOptions<RC>) => {
  const route = resolveRoute(options, options.context !== undefined)
  const allow = options.query === undefined ? undefined : new Set(options.query)
  const keep = Array.from(new Set([...StoredResponse.defaultKeep, ...(options.keep ?? []).map((name) => name.toLowerCase())]))
    .filter((name) => name !== "set-cookie")
  const segments = ["http", "m1", options.name ?? "route"]
  const tagsOption = options.tags
  const when = options.when
  return <E, R>(app: HttpApp.Default<E, R>): HttpApp.Default<E, R | RC | Cache.Cache> =>
    Effect.withFiberRuntime((fiber) => {
      const request = Context.unsafeGet(fiber.currentContext, HttpServerRequest.HttpServerRequest)
      const method = request.method
      if ((method !== "GET" && method !== "HEAD") || (when !== undefined && !when(request))) return app
      const url = request.originalUrl
      const index = url.indexOf("?")
      const path = index === -1 ? url : url.slice(0, index)
      // HEAD is answered from the GET entry.
      const args: Array<Key.Part> = [path, index === -1 ? "" : canonicalQuery(url, allow)]
      if (route.varyNames.length > 0) args.push(varyValues(request, route.varyNames))
      const key = Key.make(segments, args)
      const produced: { response: HttpServerResponse.HttpServerResponse | undefined } = { response: undefined }
      let tags: Tag.Input = []
      const fetch = Effect.flatMap(app, (response) =>
        Effect.clockWith((clock) => {
          produced.response = response
          if (!route.statuses.has(response.status)) return Effect.fail(new Uncacheable({ response }))
          const capture = StoredResponse.fromResponse(response, {
            keep,
            producedAt: clock.unsafeCurrentTimeMillis(),
            ttlMillis: route.ttlMillis,
            graceMillis: route.graceMillis
          })
          return Effect.flatMap(capture, (stored) => {
            if (Option.isNone(stored)) return Effect.fail(new Uncacheable({ response }))
            if (tagsOption !== undefined) {
              tags = typeof tagsOption === "function" ? tagsOption(request, stored.value) : tagsOption
            }
            return Effect.succeed(stored.value)
          })
        }))
      return serve(() => key, fetch, route, tagsOption === undefined ? undefined : () => tags, options.context, produced)
    })
}
