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
import { BoundedMemo, Cache, Codec, Key } from "@cachet/core"
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

/** The server's own fetch API: its `Response` is the one it writes out fastest. @internal */
export interface FetchAPI {
  readonly Response: typeof Response
}

/** The payload of Yoga's `onRequest` this tier reads. @internal */
export interface RequestPayload {
  readonly request: Request
  readonly url: URL
  readonly fetchAPI: FetchAPI
  endResponse(response: Response): void
}

/** The payload of Yoga's `onResponse` this tier reads. @internal */
export interface ResponsePayload {
  readonly request: Request
  readonly response: Response
  readonly fetchAPI: FetchAPI
  setResponse(response: Response): void
}

/** The tier of one plugin. @internal */
export const make = (engine: GraphQLServer.Engine, schemaDigest: () => string | undefined) => {
  const coverages = new WeakMap<Request, GraphQLCache.Coverage>()
  const keys = new WeakMap<Request, string>()
  /** The stamp read before a request's execution: its response is stored with it. */
  const stamps = new WeakMap<Request, number>()
  /** The query string of each request looked up. */
  const searches = new WeakMap<Request, string>()
  /**
   * Of the current schema: encoded keys by query string and `Accept`, and the query strings
   * whose responses are never stored (the engine does not take their operation, or it can never
   * be complete).
   */
  let memos = {
    schema: "",
    keys: BoundedMemo.make<string, string>(4_096),
    unhandled: BoundedMemo.make<string, true>(4_096)
  }
  /** The engine's cache, once its runtime is built: fresh hits are then read synchronously. */
  let cache: Cache.Service | undefined = undefined
  const keyOf = (request: Request, url: URL): string | undefined => {
    const digest = schemaDigest()
    if (request.method !== "GET" || digest === undefined || !url.searchParams.has("query")) return undefined
    if (digest !== memos.schema) {
      memos = { schema: digest, keys: BoundedMemo.make(4_096), unhandled: BoundedMemo.make(4_096) }
    }
    if (memos.unhandled.get(url.search) === true) return undefined
    const accept = request.headers.get("accept") ?? ""
    const memoKey = `${accept}\u0000${url.search}`
    let key = memos.keys.get(memoKey)
    if (key === undefined) {
      const params = [...url.searchParams.entries()].sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0)
      key = Key.encode([
        engine.config.namespace,
        engine.config.version,
        "response",
        digest,
        Key.digest(JSON.stringify(params)),
        accept
      ])
      memos.keys.set(memoKey, key)
    }
    return key
  }
  const headersOf = (stored: StoredResponse, now: number): Record<string, string> => ({
    etag: stored.etag,
    "cache-control": `public, max-age=${Math.max(0, Math.floor((stored.until - now) / 1000))}`,
    vary: "Accept"
  })
  const answer = (payload: RequestPayload, stored: StoredResponse, now: number): void => {
    const headers = headersOf(stored, now)
    const Response = payload.fetchAPI.Response
    if (payload.request.headers.get("if-none-match") === stored.etag) {
      payload.endResponse(new Response(null, { status: 304, headers }))
    } else {
      payload.endResponse(
        new Response(stored.body, { status: 200, headers: { ...headers, "content-type": stored.contentType } })
      )
    }
  }
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
      searches.set(payload.request, payload.url.search)
      if (cache !== undefined) {
        // A fresh hit the cache can tell synchronously is answered without entering the runtime.
        const peeked = cache.peekFresh(key, Codec.json)
        if (peeked !== undefined) {
          const stored = peeked.value as StoredResponse
          // The cache's clock: when the entry was written, plus its age.
          const now = peeked.createdAt + peeked.ageMillis
          if (stored.until > now) return answer(payload, stored, now)
        }
      }
      return engine.runtime.runPromise(
        Effect.gen(function*() {
          cache ??= yield* Cache.Cache
          const found = yield* cache.get<StoredResponse>(key)
          const now = yield* Clock.currentTimeMillis
          if (Option.isNone(found) || found.value.until <= now) {
            stamps.set(payload.request, yield* cache.stamp)
            return
          }
          answer(payload, found.value, now)
        })
      )
    },
    /** Stores a complete `GET` response, and gives it its `ETag`, `Cache-Control` and `Vary`. */
    onResponse: (payload: ResponsePayload): Promise<void> | void => {
      const key = keys.get(payload.request)
      const coverage = coverages.get(payload.request)
      const stamp = stamps.get(payload.request)
      if (key === undefined || stamp === undefined || payload.response.status !== 200) return
      if (coverage === undefined || coverage.neverComplete === true) {
        // The engine did not take the operation (it meets no cached field), or it can never be
        // complete: that depends on the document alone, so its query string is not looked up again.
        const search = searches.get(payload.request)
        if (search !== undefined) memos.unhandled.set(search, true)
        return
      }
      if (!coverage.complete) return
      const response = payload.response
      const Response = payload.fetchAPI.Response
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
