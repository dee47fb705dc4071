/**
 * The whole-response tier (GraphQL Yoga): a complete `GET` response — one made of shared
 * fragments only (`Coverage.complete`) — is stored whole under the request's query string and
 * `Accept`, tagged like its fragments and fresh no longer than the earliest of them. The next
 * such `GET` is answered before parse and validate, with an `ETag` that is a digest of the body
 * (a `304` for a matching `If-None-Match`), `Cache-Control` and `Vary: Accept`. A response is
 * dated by the stamp read before its execution: an invalidation that ran while it was computed
 * (a mutation answered in between) wins over storing it.
 * @internal
 */
import { Cache, Key } from "@cachet/core"
import type { GraphQLCache, GraphQLServer } from "@cachet/graphql"
import { Clock, Duration, Effect, Option } from "effect"

/** A stored response. @internal */
interface StoredResponse {
  readonly body: string
  readonly etag: string
  readonly contentType: string
  /** Fresh until (epoch milliseconds). */
  readonly until: number
}

/** The payload of Yoga's `onRequest` this tier reads. @internal */
export interface RequestPayload {
  readonly request: Request
  readonly url: URL
  endResponse(response: Response): void
}

/** The payload of Yoga's `onResponse` this tier reads. @internal */
export interface ResponsePayload {
  readonly request: Request
  readonly response: Response
  setResponse(response: Response): void
}

/** The tier of one plugin. @internal */
export const make = (engine: GraphQLServer.Engine, schemaDigest: () => string | undefined) => {
  const coverages = new WeakMap<Request, GraphQLCache.Coverage>()
  const keys = new WeakMap<Request, Key.Input>()
  /** The stamp read before a request's execution: its response is stored with it. */
  const stamps = new WeakMap<Request, number>()
  const keyOf = (request: Request, url: URL): Key.Input | undefined => {
    const digest = schemaDigest()
    if (request.method !== "GET" || !url.searchParams.has("query") || digest === undefined) return undefined
    const params = [...url.searchParams.entries()].sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0)
    return [
      engine.config.namespace,
      engine.config.version,
      "response",
      digest,
      Key.digest(JSON.stringify(params)),
      request.headers.get("accept") ?? ""
    ]
  }
  const headersOf = (stored: StoredResponse, now: number): Record<string, string> => ({
    etag: stored.etag,
    "cache-control": `public, max-age=${Math.max(0, Math.floor((stored.until - now) / 1000))}`,
    vary: "Accept"
  })
  return {
    /** Notes what an execution for this request was made of. */
    note: (request: Request | undefined, coverage: GraphQLCache.Coverage): void => {
      if (request !== undefined) coverages.set(request, coverage)
    },
    /** Answers a stored complete `GET` response. */
    onRequest: (payload: RequestPayload): Promise<void> | void => {
      const key = keyOf(payload.request, payload.url)
      if (key === undefined) return
      keys.set(payload.request, key)
      return engine.runtime.runPromise(
        Effect.gen(function*() {
          const cache = yield* Cache.Cache
          const found = yield* cache.get<StoredResponse>(key)
          const now = yield* Clock.currentTimeMillis
          if (Option.isNone(found) || found.value.until <= now) {
            stamps.set(payload.request, yield* cache.stamp)
            return
          }
          const stored = found.value
          const headers = headersOf(stored, now)
          if (payload.request.headers.get("if-none-match") === stored.etag) {
            payload.endResponse(new Response(null, { status: 304, headers }))
          } else {
            payload.endResponse(
              new Response(stored.body, { status: 200, headers: { ...headers, "content-type": stored.contentType } })
            )
          }
        })
      )
    },
    /** Stores a complete `GET` response, and gives it its `ETag`, `Cache-Control` and `Vary`. */
    onResponse: (payload: ResponsePayload): Promise<void> | void => {
      const key = keys.get(payload.request)
      const coverage = coverages.get(payload.request)
      const stamp = stamps.get(payload.request)
      if (
        key === undefined || coverage === undefined || stamp === undefined || !coverage.complete ||
        payload.response.status !== 200
      ) return
      const response = payload.response
      return engine.runtime.runPromise(
        Effect.gen(function*() {
          const now = yield* Clock.currentTimeMillis
          const ttl = coverage.ttl ?? (engine.config.defaults.ttl === undefined
            ? undefined
            : Duration.decode(engine.config.defaults.ttl))
          let until = ttl === undefined ? undefined : now + Duration.toMillis(ttl)
          if (coverage.freshUntilMillis !== undefined) {
            until = until === undefined ? coverage.freshUntilMillis : Math.min(until, coverage.freshUntilMillis)
          }
          if (until === undefined || until <= now) return
          const body = yield* Effect.promise(() => response.clone().text())
          const stored: StoredResponse = {
            body,
            etag: `"${Key.digest(body)}"`,
            contentType: response.headers.get("content-type") ?? "application/json; charset=utf-8",
            until
          }
          const cache = yield* Cache.Cache
          yield* cache.setMany([{ key, value: stored, ttl: Duration.millis(until - now), tags: coverage.tags }], {
            stamp
          })
          const headers = new Headers(response.headers)
          for (const [name, value] of Object.entries(headersOf(stored, now))) headers.set(name, value)
          payload.setResponse(new Response(body, { status: 200, headers }))
        })
      )
    }
  }
}
