/** @internal */
import { BoundedMemo } from "@cachet/core"
import { HttpServerResponse } from "@effect/platform"

import * as ETag from "../ETag.js"
import * as StoredResponse from "../StoredResponse.js"
import { headerOf, type RequestLike } from "./door.js"

/** How a read was served, as `X-Cache` says it. */
export type Outcome = "HIT" | "MISS" | "STALE"

/** What a route says about the responses it caches, beyond their entries. */
export interface Policy {
  /** Entries are per user: `Cache-Control: private`. */
  readonly private: boolean
  /** Downstream caches must not store the response: `Cache-Control: no-store`. */
  readonly noStore: boolean
  /** The `Vary` header value, if any. */
  readonly vary: string | undefined
}

/** The headers of a stored response that do not change from one hit to the next. */
interface Prepared {
  readonly policy: Policy
  readonly fresh: { readonly [name: string]: string }
  readonly stale: { readonly [name: string]: string }
  /**
   * The last `HIT` response built, for its `Age` in seconds: responses are values, so hits within that second share it.
   */
  hit: { readonly age: string; readonly response: HttpServerResponse.HttpServerResponse } | undefined
}

const prepared = BoundedMemo.makeWeak<StoredResponse.StoredResponse, Prepared>(10_000)

/** A year: what an entry that never expires is announced as. */
const maxSeconds = 31_536_000

const seconds = (
  millis: number
): number => (Number.isFinite(millis) ? Math.max(0, Math.floor(millis / 1000)) : maxSeconds)

/** `Cache-Control` of an entry under a policy (RFC 9111 §5.2.2, RFC 5861). */
export const cacheControl = (stored: StoredResponse.StoredResponse, policy: Policy, stale: boolean): string => {
  const directives: Array<string> = []
  if (policy.private) directives.push("private")
  if (policy.noStore) {
    directives.push("no-store")
    return directives.join(", ")
  }
  directives.push(`max-age=${stale ? 0 : seconds(stored.ttlMillis)}`)
  if (stored.graceMillis > 0) {
    const grace = seconds(stored.graceMillis)
    directives.push(`stale-while-revalidate=${grace}`, `stale-if-error=${grace}`)
  }
  return directives.join(", ")
}

const isSuccessful = (status: number) => status >= 200 && status < 300

const baseHeaders = (stored: StoredResponse.StoredResponse, policy: Policy, stale: boolean) => {
  const headers: Record<string, string> = { ...stored.headers }
  // Only a representation has an entity tag (RFC 9110 §8.8.3): not a 404, not a redirect.
  if (isSuccessful(stored.status)) headers["etag"] = stored.etag
  headers["cache-control"] = cacheControl(stored, policy, stale)
  if (policy.vary !== undefined) headers["vary"] = policy.vary
  return headers
}

const prepare = (stored: StoredResponse.StoredResponse, policy: Policy): Prepared => {
  const known = prepared.get(stored)
  if (known !== undefined && known.policy === policy) return known
  const made: Prepared = {
    policy,
    fresh: baseHeaders(stored, policy, false),
    stale: baseHeaders(stored, policy, true),
    hit: undefined
  }
  prepared.set(stored, made)
  return made
}

/**
 * The response for a request served from a stored response: the stored bytes with `ETag`,
 * `Cache-Control`, `Vary`, `Age` and `X-Cache`, or an empty `304` with the same headers when
 * the request's `If-None-Match` matches (only `GET`/`HEAD` of a successful response).
 */
export const respond = (
  request: RequestLike,
  stored: StoredResponse.StoredResponse,
  policy: Policy,
  outcome: Outcome,
  ageMillis: number
): HttpServerResponse.HttpServerResponse => {
  const base = prepare(stored, policy)
  const age = String(seconds(ageMillis))
  const method = request.method
  const notModified = (method === "GET" || method === "HEAD") && isSuccessful(stored.status) &&
    ETag.matches(headerOf(request, "if-none-match"), stored.etag)
  if (outcome === "HIT" && !notModified && base.hit !== undefined && base.hit.age === age) return base.hit.response
  const headers = { ...(outcome === "STALE" ? base.stale : base.fresh), age, "x-cache": outcome }
  if (notModified) return HttpServerResponse.empty({ status: 304, headers })
  const response = StoredResponse.toResponse(stored, headers)
  if (outcome === "HIT") base.hit = { age, response }
  return response
}
