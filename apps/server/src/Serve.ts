/**
 * How the app is served: the `HttpApi` behind its cached endpoints (`CachedEndpoints`), and
 * what every request gets wherever it is answered — counted in flight while it runs
 * (`Lifecycle`: the drain waits for it), one log line at `info` (method, path, status, duration),
 * and on every response, the error responses included, the security headers
 * (`SecurityHeaders`) and, while the server drains, `Connection: close`.
 *
 * A cached read costs little more than these, so they are applied as cheaply as the platform
 * allows: the headers by one pre-response handler installed once for the whole server (every
 * request's fiber inherits it; nothing is appended per request), the count and the log by one
 * middleware that builds the log line only when `info` is enabled.
 *
 * @since 0.1.0
 */
import { HttpApiBuilder, HttpApp, HttpServer, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Cause, Context, Effect, Exit, FiberRef, Layer, LogLevel, Option } from "effect"

import type { FrontDoor } from "@cachet/http/node"

import * as CachedEndpoints from "./CachedEndpoints.js"
import { GraphQLEndpoint } from "./GraphQL/Http.js"
import * as Lifecycle from "./Lifecycle.js"
import * as SecurityHeaders from "./SecurityHeaders.js"

type State = Context.Tag.Service<Lifecycle.InFlight>

const statusOf = (exit: Exit.Exit<HttpServerResponse.HttpServerResponse, unknown>): number =>
  Exit.isSuccess(exit) ? exit.value.status : Cause.isInterruptedOnly(exit.cause) ? 499 : 500

const logLine = (request: HttpServerRequest.HttpServerRequest, status: number, durationMs: number) =>
  Effect.logInfo("request").pipe(Effect.annotateLogs({ method: request.method, path: request.url, status, durationMs }))

/**
 * Counts each request in flight until it has been answered, and logs it at `info` (when that
 * level is enabled) before it leaves the count.
 *
 * @since 0.1.0
 * @category middleware
 */
export const tracked = <E, R>(
  state: State,
  app: HttpApp.Default<E, R>
): HttpApp.Default<E, R | HttpServerRequest.HttpServerRequest> => {
  // Not logged: nothing but the count (the continuations run uninterruptibly). Built once, not per request.
  const leaving = {
    onFailure: (cause: Cause.Cause<E>) => {
      Lifecycle.leave(state)
      return Effect.failCause(cause)
    },
    onSuccess: (response: HttpServerResponse.HttpServerResponse) => {
      Lifecycle.leave(state)
      return Effect.succeed(response)
    }
  }
  return Effect.uninterruptibleMask((restore) =>
    Effect.withFiberRuntime((fiber) => {
      Lifecycle.enter(state)
      if (LogLevel.greaterThan(fiber.getFiberRef(FiberRef.currentMinimumLogLevel), LogLevel.Info)) {
        return Effect.matchCauseEffect(restore(app), leaving)
      }
      const request = Context.unsafeGet(fiber.currentContext, HttpServerRequest.HttpServerRequest)
      return Effect.clockWith((clock) => {
        const start = clock.unsafeCurrentTimeMillis()
        return Effect.onExit(restore(app), (exit) =>
          Effect.ensuring(
            Effect.suspend(() => logLine(request, statusOf(exit), clock.unsafeCurrentTimeMillis() - start)),
            Effect.sync(() => Lifecycle.leave(state))
          ))
      })
    })
  )
}

/**
 * The pre-response handler of every response: the security headers, and `Connection: close`
 * while the server drains.
 *
 * @since 0.1.0
 * @category middleware
 */
export const headed = (state: State): HttpApp.PreResponseHandler => (_request, response) =>
  Effect.succeed(Lifecycle.closeWhileDraining(state, SecurityHeaders.apply(response)))

/**
 * The front door's options: the cached endpoints' own routes and the GraphQL endpoint's whole
 * `GET` responses (`GraphQLEndpoint`, the same instance the router serves), and what the app does to every
 * request — the headers of `headed`, the in-flight count and the log line of `tracked` — so a
 * read answered at the door is finished, counted and logged as one answered by the app.
 *
 * @since 0.1.0
 * @category layers
 */
export const door = Effect.gen(function*() {
  const cached = yield* CachedEndpoints.middleware
  const graphql = yield* GraphQLEndpoint
  const state = yield* Lifecycle.InFlight
  const logs = !LogLevel.greaterThan(yield* FiberRef.get(FiberRef.currentMinimumLogLevel), LogLevel.Info)
  const options: FrontDoor.Options = {
    routes: [cached.frontDoor, graphql.frontDoor],
    finish: (response) => Lifecycle.closeWhileDraining(state, SecurityHeaders.apply(response)),
    enter: () => Lifecycle.enter(state),
    leave: () => Lifecycle.leave(state)
  }
  if (!logs) return options
  return {
    ...options,
    answered: ({ durationMillis, method, status, url }) =>
      Effect.logInfo("request").pipe(Effect.annotateLogs({ method, path: url, status, durationMs: durationMillis }))
  } satisfies FrontDoor.Options
})

/**
 * Serves the API (with its cached endpoints answered ahead of it) on the `HttpServer`. Build it
 * with strict routing (`HttpServe.withStrictRouting`).
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = Layer.unwrapEffect(
  Effect.gen(function*() {
    const api = yield* HttpApiBuilder.httpApp
    const cached = yield* CachedEndpoints.middleware
    const state = yield* Lifecycle.InFlight
    const handler = headed(state)
    return HttpServer.serve(cached(api), (app) => tracked(state, app)).pipe(
      // Set where the server captures its runtime, so every request's fiber starts with it.
      Layer.locallyWith(
        HttpApp.currentPreResponseHandlers,
        Option.match({
          onNone: () => Option.some(handler),
          onSome: (before) =>
            Option.some<HttpApp.PreResponseHandler>((request, response) =>
              Effect.flatMap(before(request, response), (response) => handler(request, response))
            )
        })
      )
    )
  })
).pipe(Layer.provide([HttpApiBuilder.Router.Live, HttpApiBuilder.Middleware.layer]))
