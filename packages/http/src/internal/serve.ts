/** @internal */
import { Cache, type Key, type Tag } from "@cachet/core"
import { Cookies, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Cause, Context, Data, Duration, Effect, Exit, Option } from "effect"

import type * as HttpCache from "../HttpCache.js"
import * as StoredResponse from "../StoredResponse.js"
import { type Outcome, type Policy, respond } from "./respond.js"

/** A response the route answered that may not be stored: it is passed through as it is. @internal */
export class Uncacheable
  extends Data.TaggedError("Uncacheable")<{ readonly response: HttpServerResponse.HttpServerResponse }>
{}

const isUncacheable = (error: unknown): error is Uncacheable => error instanceof Uncacheable

/** What every cached route resolves its options to. @internal */
export interface Route {
  readonly ttlMillis: number
  readonly graceMillis: number
  readonly statuses: ReadonlySet<number>
  readonly policy: Policy
  /** The `Vary` request headers, lower case. */
  readonly varyNames: ReadonlyArray<string>
}

/** @internal */
export const resolveRoute = (options: HttpCache.RouteOptions, isPrivate: boolean): Route => {
  const varyNames = (options.vary ?? []).map((name) => name.toLowerCase())
  return {
    ttlMillis: Duration.toMillis(options.ttl),
    graceMillis: options.grace === undefined ? 0 : Duration.toMillis(options.grace),
    statuses: new Set(options.statuses ?? StoredResponse.defaultStatuses),
    policy: {
      private: isPrivate,
      noStore: options.noStore ?? false,
      vary: options.vary === undefined || options.vary.length === 0 ? undefined : options.vary.join(", ")
    },
    varyNames
  }
}

/** @internal */
export const varyValues = (
  request: HttpServerRequest.HttpServerRequest,
  names: ReadonlyArray<string>
): Array<string | null> => names.map((name) => request.headers[name]?.trim() ?? null)

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

// -------------------------------------------------------------------------------------------
// Serving a read
// -------------------------------------------------------------------------------------------

/** The response a request produced while its read ran (the middleware keeps its cookies). @internal */
export interface Produced {
  response: HttpServerResponse.HttpServerResponse | undefined
}

/** @internal */
export const stateless: Produced = { response: undefined }

const ttlOf = (exit: Exit.Exit<StoredResponse.StoredResponse, unknown>): number =>
  Exit.isSuccess(exit) ? exit.value.ttlMillis : 0

const withCookiesOf = (
  response: HttpServerResponse.HttpServerResponse,
  original: HttpServerResponse.HttpServerResponse
): HttpServerResponse.HttpServerResponse => {
  const header = original.headers["set-cookie"]
  const withHeader = header === undefined ? response : HttpServerResponse.setHeader(response, "set-cookie", header)
  return HttpServerResponse.mergeCookies(withHeader, original.cookies)
}

/** The response of a read that ended: the stored response, or the one that could not be stored. */
const answer = <E>(
  exit: Exit.Exit<StoredResponse.StoredResponse, E | Uncacheable>,
  request: HttpServerRequest.HttpServerRequest,
  route: Route,
  served: Cache.Served | undefined,
  start: number,
  now: number,
  produced: Produced
): Effect.Effect<HttpServerResponse.HttpServerResponse, E> => {
  if (Exit.isFailure(exit)) {
    const failure = Cause.failureOption(exit.cause)
    return Option.isSome(failure) && isUncacheable(failure.value)
      ? Effect.succeed(failure.value.response)
      : Effect.failCause(exit.cause as Cause.Cause<E>)
  }
  const stored = exit.value
  const [outcome, age] = outcomeOf(served, stored, start, now)
  const response = respond(request, stored, route.policy, outcome, age)
  // The response this request produced keeps its cookies; stored copies never have them.
  const original = produced.response
  return Effect.succeed(
    original === undefined || Cookies.isEmpty(original.cookies) && original.headers["set-cookie"] === undefined
      ? response
      : withCookiesOf(response, original)
  )
}

/**
 * Runs a read through the cache and answers with the stored response (or the response that
 * could not be stored), with `X-Cache` and `Age` told by the read's own `onServed` report (a hit
 * stays on the cache's hit path). `key` is the store key, or how to make it from the request.
 * (A hit allocates as little as it can: one option object and one closure.)
 *
 * @internal
 */
export const serve = <E, R, RC>(
  key: string | ((request: HttpServerRequest.HttpServerRequest) => string),
  fetch: Effect.Effect<StoredResponse.StoredResponse, E | Uncacheable, R>,
  route: Route,
  tags: ((exit: Exit.Exit<StoredResponse.StoredResponse, unknown>) => Tag.Input) | undefined,
  context: Effect.Effect<Key.Part, never, RC> | undefined,
  produced: Produced
): Effect.Effect<
  HttpServerResponse.HttpServerResponse,
  E,
  R | RC | Cache.Cache | HttpServerRequest.HttpServerRequest
> =>
  Effect.withFiberRuntime((fiber) => {
    const services = fiber.currentContext as Context.Context<Cache.Cache | HttpServerRequest.HttpServerRequest>
    const cache = Context.get(services, Cache.Cache)
    const request = Context.get(services, HttpServerRequest.HttpServerRequest)
    const storeKey = typeof key === "string" ? key : key(request)
    return Effect.clockWith((clock) => {
      const start = clock.unsafeCurrentTimeMillis()
      let served: Cache.Served | undefined
      // One flat object; absent options are undefined, which the cache treats as unset.
      const read = cache.getOrFetch(
        storeKey,
        fetch,
        {
          schema: StoredResponse.StoredResponse,
          ttl: ttlOf,
          grace: route.graceMillis,
          tags,
          context,
          onServed: (report: Cache.Served) => {
            served = report
          }
        } as
          & Cache.FetchOptions<StoredResponse.StoredResponse, unknown, E | Uncacheable, never, "CacheOrNetwork", {}, RC>
          & { readonly schema: typeof StoredResponse.StoredResponse }
      )
      return Effect.flatMap(
        Effect.exit(read),
        (exit) => answer(exit, request, route, served, start, clock.unsafeCurrentTimeMillis(), produced)
      ) as Effect.Effect<HttpServerResponse.HttpServerResponse, E, R | RC>
    })
  })
