/**
 * Graceful shutdown. The platform's server removes its request handler and then closes the
 * socket, so requests that arrive in between would hang; instead, before any of that, the
 * server stops accepting connections, answers what is in flight (and what arrives on open
 * connections meanwhile) with `Connection: close`, closes idle connections, and waits for the
 * last response (at most `SHUTDOWN_TIMEOUT`, 10 seconds) before the services close.
 *
 * @since 0.1.0
 */
import { HttpApp, HttpMiddleware, HttpServerResponse } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { Config, Context, Duration, Effect, Layer } from "effect"
import type { ConfigError } from "effect"
import * as Http from "node:http"

/**
 * The node server under the platform's `HttpServer`.
 *
 * @since 0.1.0
 * @category services
 */
export class NodeServer extends Context.Tag("Blog/NodeServer")<NodeServer, Http.Server>() {}

/**
 * Requests being answered, and whether the server is draining.
 *
 * @since 0.1.0
 * @category services
 */
export class InFlight extends Context.Tag("Blog/InFlight")<InFlight, { count: number; draining: boolean }>() {
  /**
   * @since 0.1.0
   */
  static readonly layer: Layer.Layer<InFlight> = Layer.sync(InFlight, () => ({ count: 0, draining: false }))
}

/**
 * Counts the request while it runs; while draining, asks the client to close the connection.
 *
 * @since 0.1.0
 * @category middleware
 */
export const track = HttpMiddleware.make((app) =>
  Effect.flatMap(InFlight, (state) =>
    Effect.acquireUseRelease(
      Effect.sync(() => state.count++),
      () =>
        Effect.zipRight(
          HttpApp.appendPreResponseHandler((_request, response) =>
            Effect.succeed(state.draining ? HttpServerResponse.setHeader(response, "connection", "close") : response)
          ),
          app
        ),
      () => Effect.sync(() => state.count--)
    ))
)

/**
 * The node HTTP server on the given address, and its `NodeServer`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerServer = (
  listen: Config.Config<{ readonly port: number; readonly host: string }>
) =>
  Layer.unwrapEffect(
    Effect.map(listen, (options) => {
      const server = Http.createServer()
      return Layer.merge(NodeHttpServer.layer(() => server, options), Layer.succeed(NodeServer, server))
    })
  )

/**
 * The drain, run when the app's scope closes (before the routes and the socket go).
 *
 * @since 0.1.0
 * @category layers
 */
export const DrainLive: Layer.Layer<never, ConfigError.ConfigError, NodeServer | InFlight> = Layer.scopedDiscard(
  Effect.gen(function* () {
    const server = yield* NodeServer
    const state = yield* InFlight
    const timeout = yield* Config.duration("SHUTDOWN_TIMEOUT").pipe(Config.withDefault(Duration.seconds(10)))
    yield* Effect.addFinalizer(() =>
      Effect.gen(function* () {
        state.draining = true
        yield* Effect.logInfo("shutting down: no new connections, in-flight requests finish").pipe(
          Effect.annotateLogs("inFlight", state.count)
        )
        server.close()
        let waited = Duration.zero
        while (state.count > 0 && Duration.lessThan(waited, timeout)) {
          server.closeIdleConnections()
          yield* Effect.sleep(Duration.millis(10))
          waited = Duration.sum(waited, Duration.millis(10))
        }
        if (state.count > 0) yield* Effect.logWarning("shutdown timeout: closing connections with requests in flight")
        server.closeAllConnections()
      })
    )
  })
)
