/**
 * Graceful shutdown. The platform's server removes its request handler and then closes the
 * socket, so requests that arrive in between would hang; instead, before any of that, the
 * server stops accepting connections, answers what is in flight (and what arrives on open
 * connections meanwhile) with `Connection: close`, keeps idle keep-alive connections open for a
 * short grace (`CACHET_SHUTDOWN_IDLE_GRACE`, 1 second) so a request a client has already sent
 * on one is answered instead of reset, ends streamed responses (the inspector's event stream) at
 * once, and waits for the last response (at most
 * `CACHET_SHUTDOWN_TIMEOUT`, 10 seconds) before the services close.
 *
 * @since 0.1.0
 */
import * as Http from "node:http"
import * as Net from "node:net"

import { HttpServe } from "@cachet/http"
import { createServer, FrontDoor } from "@cachet/http/node"
import { HttpServerResponse } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { type Config, type ConfigError, Context, Deferred, Effect, Exit, Layer } from "effect"

import * as AppConfig from "./Config.js"

/**
 * The node server under the platform's `HttpServer`.
 *
 * @since 0.1.0
 * @category services
 */
export class NodeServer extends Context.Tag("Blog/NodeServer")<NodeServer, Http.Server>() {}

/**
 * Requests being answered, whether the server is draining, and a latch that is open while no
 * request is in flight.
 *
 * @since 0.1.0
 * @category services
 */
export class InFlight extends Context.Tag("Blog/InFlight")<
  InFlight,
  {
    count: number
    draining: boolean
    readonly idle: Effect.Latch
    /** Opened when the drain starts: streamed responses (the inspector's events) end then. */
    readonly drainStarted: Effect.Latch
  }
>() {
  /**
   * @since 0.1.0
   */
  static readonly layer: Layer.Layer<InFlight> = Layer.sync(
    InFlight,
    () => ({
      count: 0,
      draining: false,
      idle: Effect.unsafeMakeLatch(true),
      drainStarted: Effect.unsafeMakeLatch(false)
    })
  )
}

/**
 * Counts a request in: the first one in flight closes the idle latch. Every `enter` is matched by
 * one `leave` (`Serve` runs them around each request).
 *
 * @since 0.1.0
 * @category tracking
 */
export const enter = (state: Context.Tag.Service<InFlight>): void => {
  if (state.count++ === 0) state.idle.unsafeClose()
}

/**
 * Counts a request out: the last one in flight opens the idle latch.
 *
 * @since 0.1.0
 * @category tracking
 */
export const leave = (state: Context.Tag.Service<InFlight>): void => {
  if (--state.count === 0) state.idle.unsafeOpen()
}

/**
 * The response, asking the client to close the connection while the server drains; a streamed
 * body (an event stream) ends when the drain starts, so that it does not hold the shutdown.
 *
 * @since 0.1.0
 * @category tracking
 */
export const closeWhileDraining = (
  state: Context.Tag.Service<InFlight>,
  response: HttpServerResponse.HttpServerResponse
): HttpServerResponse.HttpServerResponse =>
  HttpServe.endStreamWhen(
    state.draining ? HttpServerResponse.setHeader(response, "connection", "close") : response,
    state.drainStarted.await
  )

/**
 * The node HTTP server on the given address, and its `NodeServer`: with the front door
 * (`CACHET_FRONT_DOOR`, on by default) cached reads that are fresh in memory are answered
 * before Effect's HTTP server, finished, counted and logged as the app does (`Serve.door`).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerServer = <E, R>(
  listen: Config.Config<{ readonly port: number; readonly host: string }>,
  door: Effect.Effect<FrontDoor.Options, E, R>
) =>
  Layer.unwrapEffect(
    Effect.map(Effect.all([listen, AppConfig.frontDoor]), ([options, withDoor]) => {
      if (withDoor) {
        const server = FrontDoor.createServer()
        return Layer.merge(FrontDoor.layer(options, door, server), Layer.succeed(NodeServer, server))
      }
      const server = createServer()
      return Layer.merge(NodeHttpServer.layer(() => server, options), Layer.succeed(NodeServer, server))
    })
  )

/** Stops accepting connections without closing the open ones; succeeds once the last one has closed. */
const stopListening = (server: Http.Server): Effect.Effect<Effect.Effect<void>> =>
  Effect.map(Deferred.make<void>(), (closed) => {
    // `http.Server#close` would also close idle keep-alive connections at once, resetting a
    // request a client may already have sent on one; `net.Server#close` leaves them open.
    Net.Server.prototype.close.call(server, () => Deferred.unsafeDone(closed, Exit.void))
    return Deferred.await(closed)
  })

/**
 * The drain, run when the app's scope closes (before the routes and the socket go).
 *
 * @since 0.1.0
 * @category layers
 */
export const DrainLive: Layer.Layer<never, ConfigError.ConfigError, NodeServer | InFlight> = Layer.scopedDiscard(
  Effect.gen(function*() {
    const server = yield* NodeServer
    const state = yield* InFlight
    const { idleGrace, timeout } = yield* AppConfig.shutdown
    yield* Effect.addFinalizer(() =>
      Effect.gen(function*() {
        state.draining = true
        // Event streams end now: they would otherwise count as in flight until the timeout.
        state.drainStarted.unsafeOpen()
        yield* Effect.logInfo("shutting down: no new connections, in-flight requests finish").pipe(
          Effect.annotateLogs("inFlight", state.count)
        )
        const connectionsClosed = yield* stopListening(server)
        // Idle connections stay open for the grace (a request arriving on one is answered
        // with `Connection: close`), or until their clients close them; then they are closed.
        const idleConnections = Effect.raceFirst(connectionsClosed, Effect.sleep(idleGrace)).pipe(
          Effect.zipRight(Effect.sync(() => server.closeIdleConnections()))
        )
        const drained = yield* Effect.all([state.idle.await, idleConnections], { concurrency: 2, discard: true }).pipe(
          // Finalizers run uninterruptibly: without this the timeout could not stop the wait (a
          // request that never ends, like an event stream, would hold the shutdown forever).
          Effect.interruptible,
          Effect.timeoutTo({ duration: timeout, onSuccess: () => true, onTimeout: () => false })
        )
        if (!drained && state.count > 0) {
          yield* Effect.logWarning("shutdown timeout: closing connections with requests in flight")
        }
        server.closeAllConnections()
      })
    )
  })
)
