/** @internal */
import { type Cache, Key, type Tag } from "@cachet/core"
import type { HttpApp } from "@effect/platform"
import { HttpRouter, HttpServerRequest } from "@effect/platform"
import { Context, Effect, Option } from "effect"

import type * as HttpCache from "../HttpCache.js"
import * as StoredResponse from "../StoredResponse.js"
import { type Produced, resolveRoute, type Route, serve, Uncacheable, varyValues } from "./serve.js"

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

/** The headers a captured response keeps: the defaults and `keep`, never `set-cookie`. @internal */
export const keptHeaders = (keep: ReadonlyArray<string> | undefined): ReadonlyArray<string> =>
  Array.from(new Set([...StoredResponse.defaultKeep, ...(keep ?? []).map((name) => name.toLowerCase())]))
    .filter((name) => name !== "set-cookie")

/**
 * Answers a request from the entry at `key`, or runs `app` and stores the response it answers
 * (when its status is stored and its body can be replayed). `tagsOf` gives the entry's tags, or
 * `undefined` when the response must not be stored.
 *
 * @internal
 */
export const cacheResponse = <E, R, RC>(
  app: HttpApp.Default<E, R>,
  key: string,
  route: Route,
  keep: ReadonlyArray<string>,
  tagsOf: ((stored: StoredResponse.StoredResponse) => Tag.Input | undefined) | undefined,
  context: Effect.Effect<Key.Part, never, RC> | undefined
) => {
  const produced: Produced = { response: undefined }
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
        if (tagsOf !== undefined) {
          const found = tagsOf(stored.value)
          if (found === undefined) return Effect.fail(new Uncacheable({ response }))
          tags = found
        }
        return Effect.succeed(stored.value)
      })
    }))
  return serve(key, fetch, route, tagsOf === undefined ? undefined : () => tags, context, produced)
}

const noParams: Readonly<Record<string, string | undefined>> = {}

/** @internal */
export const middleware = <RC = never>(options: HttpCache.MiddlewareOptions<RC>) => {
  const route = resolveRoute(options, options.context !== undefined)
  const allow = options.query === undefined ? undefined : new Set(options.query)
  const keep = keptHeaders(options.keep)
  const segments = ["http", "m1", options.name ?? "route"]
  const tagsOption = options.tags
  const when = options.when
  return <E, R>(app: HttpApp.Default<E, R>): HttpApp.Default<E, R | RC | Cache.Cache> =>
    Effect.withFiberRuntime((fiber) => {
      const services = fiber.currentContext
      const request = Context.unsafeGet(services, HttpServerRequest.HttpServerRequest)
      const method = request.method
      if ((method !== "GET" && method !== "HEAD") || (when !== undefined && !when(request))) return app
      const url = request.originalUrl
      const index = url.indexOf("?")
      const path = index === -1 ? url : url.slice(0, index)
      // HEAD is answered from the GET entry.
      const args: Array<Key.Part> = [path, index === -1 ? "" : canonicalQuery(url, allow)]
      if (route.varyNames.length > 0) args.push(varyValues(request, route.varyNames))
      const key = Key.make(segments, args)
      const tagsOf = tagsOption === undefined
        ? undefined
        : typeof tagsOption === "function"
        ? (stored: StoredResponse.StoredResponse) => {
          // The route's parameters, when the middleware wraps a router's route.
          const routeContext = Context.getOption(services, HttpRouter.RouteContext)
          return tagsOption(request, stored, Option.isSome(routeContext) ? routeContext.value.params : noParams)
        }
        : () => tagsOption
      return cacheResponse(app, key, route, keep, tagsOf, options.context)
    })
}
