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

/** How a read was served, from the cache's report or, when it made none (cache off, request memo), from the entry. */
const outcomeOf = (
  served: Cache.Served | undefined,
  stored: StoredResponse.StoredResponse,
  start: number,
  now: number
): readonly [Outcome, number] => {
  if (served !== undefined) {
    return served.outcome === "hit"
      ? ["HIT", served.ageMillis]
      : served.outcome === "stale"
      ? ["STALE", served.ageMillis]
      : ["MISS", 0]
  }
  if (stored.producedAt >= start) return ["MISS", 0]
  const age = now - stored.producedAt
  return [age >= stored.ttlMillis ? "STALE" : "HIT", age]
}

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
      const observed = Cache.observeServed(read, (report) => {
        served = report
      })
      return Effect.matchCauseEffect(observed, {
        onFailure: (cause) => {
          const failure = Cause.failureOption(cause)
          return Option.isSome(failure) && isUncacheable(failure.value)
            ? Effect.succeed(failure.value.response)
            : Effect.failCause(cause as Cause.Cause<E>)
        },
        onSuccess: (stored) => {
          const [outcome, age] = outcomeOf(served, stored, start, clock.unsafeCurrentTimeMillis())
          const response = respond(request, stored, route.policy, outcome, age)
          // The response this request produced keeps its cookies; stored copies never have them.
          const original = produced.response
          return Effect.succeed(
            original === undefined || Cookies.isEmpty(original.cookies) && original.headers["set-cookie"] === undefined
              ? response
              : withCookiesOf(response, original)
          )
        }
      }) as Effect.Effect<HttpServerResponse.HttpServerResponse, E, R | RC>
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

/** Everything a read-through call derives from its options, computed once per option shape. */
interface Plan {
  readonly route: Route
  readonly digest: string
  readonly encode: (value: unknown) => Either.Either<unknown, unknown>
  readonly encodeFailure: ((error: unknown) => Either.Either<unknown, unknown>) | undefined
  readonly isFailure: ((error: unknown) => boolean) | undefined
  readonly failureStatus: number
  readonly failureTtlMillis: number
}

type AnyReadOptions = HttpCache.ReadOptions<unknown, unknown, unknown, unknown, unknown>

const sameList = (a: ReadonlyArray<unknown> | undefined, b: ReadonlyArray<unknown> | undefined) =>
  a === b || (a !== undefined && b !== undefined && a.length === b.length && a.every((x, i) => x === b[i]))

/** Whether two option objects (other than key and tags) resolve to the same plan. */
const sameShape = (a: AnyReadOptions, b: AnyReadOptions): boolean =>
  a.ttl === b.ttl && a.grace === b.grace && a.status === b.status && a.noStore === b.noStore &&
  a.headers === b.headers && (a.context === undefined) === (b.context === undefined) &&
  sameList(a.statuses, b.statuses) && sameList(a.vary, b.vary) &&
  a.failure?.schema === b.failure?.schema && a.failure?.status === b.failure?.status && a.failure?.ttl === b.failure?.ttl

const plans = new WeakMap<object, Array<readonly [AnyReadOptions, Plan]>>()

/** Handlers build their options per request; the plan is memoized by the value Schema and the option values. */
const planOf = (options: AnyReadOptions): Plan => {
  let known = plans.get(options.schema)
  if (known === undefined) {
    known = []
    plans.set(options.schema, known)
  }
  for (const [shape, plan] of known) if (sameShape(shape, options)) return plan
  const route = resolveRoute(options, options.context !== undefined)
  const failure = options.failure
  const plan: Plan = {
    route,
    // What the entry's bytes depend on besides the key: the stored layout, the Schemas, the variants.
    digest: Key.digest(
      `r1:${Codec.digest(options.schema)}:${failure === undefined ? "" : Codec.digest(failure.schema)}:${route.varyNames.join(",")}`
    ).slice(0, 12),
    encode: Schema.encodeEither(options.schema),
    encodeFailure: failure === undefined ? undefined : Schema.encodeEither(failure.schema),
    isFailure: failure === undefined ? undefined : Schema.is(failure.schema),
    failureStatus: failure === undefined ? 500 : failure.status ?? HttpApiSchema.getStatusError(failure.schema),
    failureTtlMillis: millis(failure?.ttl ?? Duration.seconds(30))
  }
  // A handful of shapes per Schema in practice; a handler that varies its options per request does not grow this.
  if (known.length >= 16) known.shift()
  known.push([options, plan])
  return plan
}

const jsonBytes = (encode: (value: unknown) => Either.Either<unknown, unknown>, value: unknown) => {
  const encoded = encode(value)
  return Either.isLeft(encoded)
    ? Effect.die(encoded.left)
    : Effect.succeed(encoder.encode(JSON.stringify(encoded.right)))
}

/** @internal */
export const read = <A, I, E, R, EI, RC>(
  lookup: Effect.Effect<A, E, R>,
  options: HttpCache.ReadOptions<A, I, E, EI, RC>
): Effect.Effect<HttpServerResponse.HttpServerResponse, E, R | RC | Cache.Cache | HttpServerRequest.HttpServerRequest> => {
  const plan = planOf(options as unknown as AnyReadOptions)
  const { digest, route } = plan
  const text = Key.encode(options.key)
  const keyOf = route.varyNames.length === 0
    ? () => `${text}:${digest}`
    : (request: HttpServerRequest.HttpServerRequest) =>
      `${text}:${Key.canonical(varyValues(request, route.varyNames))}:${digest}`
  let tags: Tag.Input = []
  const tagsOf = options.tags
  const store = (status: number, bytes: Uint8Array, ttlMillis: number) =>
    Effect.clockWith((clock) => {
      const response = StoredResponse.make({
        status,
        body: bytes,
        contentType: "application/json",
        producedAt: clock.unsafeCurrentTimeMillis(),
        ttlMillis,
        graceMillis: route.graceMillis,
        headers: options.headers
      })
      return route.statuses.has(status)
        ? Effect.succeed(response)
        : Effect.fail(new Uncacheable({ response: StoredResponse.toResponse(response, {}) }))
    })
  const fetch: Effect.Effect<StoredResponse.StoredResponse, E | Uncacheable, R> = Effect.matchCauseEffect(lookup, {
    onSuccess: (value) => {
      if (tagsOf !== undefined) tags = typeof tagsOf === "function" ? tagsOf(Exit.succeed(value)) : tagsOf
      return Effect.flatMap(jsonBytes(plan.encode, value), (bytes) => store(options.status ?? 200, bytes, route.ttlMillis))
    },
    onFailure: (cause): Effect.Effect<StoredResponse.StoredResponse, E | Uncacheable> => {
      const error = Cause.failureOption(cause)
      if (plan.isFailure === undefined || Option.isNone(error) || !plan.isFailure(error.value)) return Effect.failCause(cause)
      if (tagsOf !== undefined) tags = typeof tagsOf === "function" ? tagsOf(Exit.fail(error.value)) : tagsOf
      return Effect.flatMap(
        jsonBytes(plan.encodeFailure!, error.value),
        (bytes) => store(plan.failureStatus, bytes, plan.failureTtlMillis)
      )
    }
  })
  return serve(keyOf, fetch, route, tagsOf === undefined ? undefined : () => tags, options.context, stateless)
}

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
