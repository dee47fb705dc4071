/**
 * A typed client of the admin endpoints of a running server, built by `HttpApiClient` from
 * the same `HttpApi` definition the server implements (no hand-written HTTP calls).
 *
 * @since 0.1.0
 */
import { HttpApiClient, type HttpApiError, HttpClient, HttpClientRequest } from "@effect/platform"
import { Effect, Redacted } from "effect"

import { AdminApi, type CacheApi } from "./CacheApi.js"

/**
 * The client: `client.cache.stats()`, `client.cache.invalidate({ payload: { tags } })`, ...
 *
 * @since 0.1.0
 * @category models
 */
export type Client = HttpApiClient.Client<typeof CacheApi, HttpApiError.HttpApiDecodeError, never>

/**
 * Where the server is and the bearer token to send.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The server's base URL, e.g. `http://localhost:3000`. */
  readonly baseUrl: string | URL
  /** The server's `ADMIN_TOKEN`; without it the server answers 401 (or 403 when it has none). */
  readonly token?: Redacted.Redacted | string | undefined
}

/**
 * Builds a client over the `HttpClient` in context.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options): Effect.Effect<Client, never, HttpClient.HttpClient> => {
  const token = options.token
  return HttpApiClient.make(AdminApi, {
    baseUrl: options.baseUrl,
    ...(token === undefined ? {} : {
      transformClient: HttpClient.mapRequest(
        HttpClientRequest.bearerToken(typeof token === "string" ? token : Redacted.value(token))
      )
    })
  })
}
