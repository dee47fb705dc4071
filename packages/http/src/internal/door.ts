/** @internal */
import type { HttpServerResponse } from "@effect/platform"

import type { Policy } from "./respond.js"

/** What the door reads of a request: node's `IncomingMessage` and the platform's request alike. @internal */
export interface RequestLike {
  readonly method: string
  readonly url: string
  readonly headers: { readonly [name: string]: string | ReadonlyArray<string> | undefined }
}

/**
 * A request located among cached routes: the entry's key (without the namespace), the route's
 * policy, and what the route does to a stored response before it is answered (e.g. GraphQL's
 * media type by `Accept`), when it does anything. @internal
 */
export interface Located {
  readonly key: string
  readonly policy: Policy
  readonly reshape?:
    | ((response: HttpServerResponse.HttpServerResponse) => HttpServerResponse.HttpServerResponse)
    | undefined
}

/** @internal */
export const TypeId: unique symbol = Symbol.for("@cachet/http/FrontDoor/Routes")

/** @internal */
export type TypeId = typeof TypeId

/** Cached routes as the front door reads them. @internal */
export interface Routes {
  readonly [TypeId]: TypeId
  /** The entry a request would read, or `undefined` when the app must answer it (it hands over). */
  readonly locate: (request: RequestLike) => Located | undefined
}

/** @internal */
export const makeRoutes = (locate: Routes["locate"]): Routes => ({ [TypeId]: TypeId, locate })

/** The value of a request header, repeated ones joined. @internal */
export const headerOf = (request: RequestLike, name: string): string | undefined => {
  const value = request.headers[name]
  return value === undefined || typeof value === "string" ? value : value.join(", ")
}

/** Whether the request has (or may have) a body: the app judges those. @internal */
export const hasBodyLike = (request: RequestLike): boolean =>
  (headerOf(request, "content-length") ?? "0") !== "0" || request.headers["transfer-encoding"] !== undefined
