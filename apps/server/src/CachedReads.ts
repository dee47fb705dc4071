/**
 * The cached reads' fast path, ahead of the whole `HttpApi`: a `GET`/`HEAD` of one of the API's
 * cached routes (`/users/:id`, `/users/:id/posts`, `/posts/:id`, `/posts`) answers with its stored
 * response (`@cachet/http`), without the `HttpApi`'s routing, middleware, context merge and
 * decoding. It recognises only paths written exactly as the API names them (strict routing):
 * anything it does not answer with a response — another route or spelling of a path (a trailing
 * `/`, `//`, another case, a `;`, a percent-encoded id), another method, a request with a body,
 * invalid query parameters, an id that names nothing, any failure — goes on to the `HttpApi`
 * and its guard, which answer it as before (same handlers, same errors).
 *
 * @since 0.1.0
 */
import type { Cache } from "@cachet/core"
import { type HttpApp, HttpServerRequest, type HttpServerResponse } from "@effect/platform"
import { Cause, Context, Effect, Either, Schema } from "effect"

import { Posts } from "./Posts.js"
import { PageParams } from "./Posts/Api.js"
import { Users } from "./Users.js"

type Read = Effect.Effect<
  HttpServerResponse.HttpServerResponse,
  unknown,
  Cache.Cache | HttpServerRequest.HttpServerRequest
>

/** The query as the platform parses it (`HttpServerRequest.searchParamsFromURL`): repeated names as arrays. */
const searchParams = (query: string): Record<string, string | Array<string>> => {
  const out: Record<string, string | Array<string>> = {}
  for (const [key, value] of new URLSearchParams(query)) {
    const entry = out[key]
    if (entry === undefined) out[key] = value
    else if (Array.isArray(entry)) entry.push(value)
    else out[key] = [entry, value]
  }
  return out
}

/** The id segment at `start` when it is the last one of `path`: non-empty, and not percent-encoded. */
const lastSegment = (path: string, start: number): string | undefined => {
  if (start >= path.length) return undefined
  for (let i = start; i < path.length; i++) {
    const char = path.charCodeAt(i)
    if (char === 47 /* / */ || char === 37 /* % */) return undefined
  }
  return path.slice(start)
}

/** Whether the request has (or may have) a body: the API's guard reads and judges those. */
const hasBody = (request: HttpServerRequest.HttpServerRequest): boolean =>
  (request.headers["content-length"] ?? "0") !== "0" || request.headers["transfer-encoding"] !== undefined

/**
 * Builds the fast path: wraps the app that answers everything else.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = Effect.gen(function*() {
  const users = yield* Users
  const posts = yield* Posts
  const decodePage = Schema.decodeUnknownEither(PageParams)

  /** The read a request names, with its route, or `undefined` when it is the API's to answer. */
  const readOf = (request: HttpServerRequest.HttpServerRequest): readonly [string, Read] | undefined => {
    if ((request.method !== "GET" && request.method !== "HEAD") || hasBody(request)) return undefined
    const url = request.url
    const queryAt = url.indexOf("?")
    const path = queryAt === -1 ? url : url.slice(0, queryAt)
    if (path.includes(";")) return undefined
    if (path === "/posts") {
      const hashAt = url.indexOf("#")
      const query = queryAt === -1 ? "" : url.slice(queryAt + 1, hashAt > queryAt ? hashAt : url.length)
      const page = decodePage(searchParams(query))
      // Invalid parameters: the API answers them (400 with the parse error).
      return Either.isLeft(page) ? undefined : ["/posts", posts.list(page.right)]
    }
    if (path.startsWith("/posts/")) {
      const id = lastSegment(path, 7)
      return id === undefined ? undefined : ["/posts/:id", posts.get(id)]
    }
    if (path.startsWith("/users/")) {
      const end = path.endsWith("/posts") ? path.length - 6 : path.length
      const id = lastSegment(path.slice(0, end), 7)
      if (id === undefined) return undefined
      return end === path.length ? ["/users/:id", users.get(id)] : ["/users/:id/posts", users.posts(id)]
    }
    return undefined
  }

  return <E, R>(app: HttpApp.Default<E, R>): HttpApp.Default<E, R | Cache.Cache> =>
    Effect.withFiberRuntime((fiber) => {
      const request = Context.unsafeGet(fiber.currentContext, HttpServerRequest.HttpServerRequest)
      const found = readOf(request)
      if (found === undefined) return app
      const span = fiber.currentSpan
      if (span?._tag === "Span") span.attribute("http.route", found[0])
      return Effect.catchAllCause(found[1], (cause) =>
        // An interruption (only) carries no failure of the fast path's.
        Cause.isInterruptedOnly(cause) ? Effect.failCause(cause as Cause.Cause<never>) : app)
    })
})
