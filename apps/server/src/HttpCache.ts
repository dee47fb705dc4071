/**
 * HTTP caching of cached reads: every cached value is stored as a *representation* that
 * carries its own validators (an `ETag` computed once, when it was fetched, and the time it was
 * fetched), so a read can answer `X-Cache: HIT | MISS | STALE`, `Age` and `ETag`, and `304` to a
 * matching `If-None-Match`, without a second store round trip.
 *
 * How a read was served comes from the cache itself (`Cache.observeServed`): `HIT` from a fresh
 * entry, `STALE` from an entry in grace (past its ttl, or soft-expired) while it is refreshed,
 * `MISS` when this request ran, or joined, the lookup. A read the cache did not report (it was
 * disabled) is told from the representation: fetched during the request → `MISS`.
 *
 * @since 0.1.0
 */
import { HttpApp, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Cache } from "@cachet/core"
import { Clock, Duration, Effect, Schema } from "effect"
import { createHash } from "node:crypto"

/**
 * A cached value with its validators.
 *
 * @since 0.1.0
 * @category models
 */
export interface Representation<A> {
  readonly data: A
  /** A strong ETag of the encoded value (`"..."`). */
  readonly etag: string
  /** When the lookup produced it, in microseconds since the epoch. */
  readonly fetchedAt: number
  /** How long it is fresh, in milliseconds. */
  readonly ttlMillis: number
}

/**
 * The Schema of a representation of values of `data`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Representation = <A, I>(data: Schema.Schema<A, I>) =>
  Schema.Struct({ data, etag: Schema.String, fetchedAt: Schema.Number, ttlMillis: Schema.Number })

const nowMicros: Effect.Effect<number> = Effect.map(Clock.currentTimeNanos, (nanos) => Number(nanos / 1000n))

/**
 * A strong ETag of a JSON-encodable value.
 *
 * @since 0.1.0
 * @category utils
 */
export const etagOf = (encoded: unknown): string =>
  `"${createHash("sha1").update(JSON.stringify(encoded)).digest("base64url").slice(0, 22)}"`

/**
 * Wraps a lookup so its result is stored as a representation.
 *
 * @since 0.1.0
 * @category combinators
 */
export const represent = <A, I>(schema: Schema.Schema<A, I>, ttl: Duration.DurationInput) => {
  const encode = Schema.encodeSync(schema)
  const ttlMillis = Duration.toMillis(Duration.decode(ttl))
  return <E, R>(lookup: Effect.Effect<A, E, R>): Effect.Effect<Representation<A>, E, R> =>
    Effect.flatMap(lookup, (data) =>
      Effect.map(nowMicros, (fetchedAt) => ({ data, etag: etagOf(encode(data)), fetchedAt, ttlMillis })))
}

/**
 * How a read was served.
 *
 * @since 0.1.0
 * @category models
 */
export type Outcome = "HIT" | "MISS" | "STALE"

/**
 * Whether an `If-None-Match` header matches an ETag (weak comparison, `*`, lists).
 *
 * @since 0.1.0
 * @category utils
 */
export const ifNoneMatch = (header: string | undefined, etag: string): boolean => {
  if (header === undefined) return false
  const opaque = (tag: string) => tag.trim().replace(/^W\//, "")
  const target = opaque(etag)
  return header.split(",").some((candidate) => candidate.trim() === "*" || opaque(candidate) === target)
}

/**
 * Answers a cached read: the value with `X-Cache`, `Age`, `ETag` and `Cache-Control` headers,
 * or an empty `304` when the client's `If-None-Match` matches.
 *
 * @since 0.1.0
 * @category combinators
 */
export const respond = <A, E, R>(
  read: Effect.Effect<Representation<A>, E, R>
): Effect.Effect<A | HttpServerResponse.HttpServerResponse, E, R | HttpServerRequest.HttpServerRequest> =>
  Effect.gen(function* () {
    const request = yield* HttpServerRequest.HttpServerRequest
    const start = yield* nowMicros
    let served: Cache.Served | undefined
    const representation = yield* Cache.observeServed(read, (outcome) => {
      served = outcome
    })
    const now = yield* nowMicros
    const ageMillis = Math.max(0, (now - representation.fetchedAt) / 1000)
    const outcome: Outcome = served === undefined
      ? representation.fetchedAt >= start ? "MISS" : ageMillis >= representation.ttlMillis ? "STALE" : "HIT"
      : served.outcome === "hit" ? "HIT" : served.outcome === "stale" ? "STALE" : "MISS"
    const headers = {
      "x-cache": outcome,
      age: String(outcome === "MISS" ? 0 : Math.floor(ageMillis / 1000)),
      etag: representation.etag,
      "cache-control": "no-cache"
    }
    if (ifNoneMatch(request.headers["if-none-match"], representation.etag)) {
      return HttpServerResponse.empty({ status: 304, headers })
    }
    yield* HttpApp.appendPreResponseHandler((_request, response) =>
      Effect.succeed(HttpServerResponse.setHeaders(response, headers))
    )
    return representation.data
  })
