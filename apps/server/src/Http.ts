/**
 * The whole server as one composition of layers: the API's groups and middleware, the docs,
 * the Node HTTP server, and under them the services (database, cache). The services are
 * built first and released last, so on SIGINT/SIGTERM the server stops accepting, lets
 * in-flight requests finish, and only then closes the cache store and the database.
 *
 * @since 0.1.0
 */
import { HttpServe } from "@cachet/http"
import { Inspector, Landing } from "@cachet/inspector"
import { HttpApiBuilder, HttpApiSwagger, HttpServer } from "@effect/platform"
import { type Config, Effect, Layer, Option, Redacted } from "effect"

import { Api } from "./Api.js"
import { BlogCache } from "./BlogCache.js"
import { HttpCacheAdminLive, HttpCacheGraphLive } from "./CacheAdmin/Http.js"
import { CacheLive, CacheStoreInfo } from "./CacheStore.js"
import { HttpCommentsLive } from "./Comments/Http.js"
import * as AppConfig from "./Config.js"
import { GraphQLEndpoint, HttpGraphQLLive } from "./GraphQL/Http.js"
import { HttpHealthLive } from "./Health/Http.js"
import * as Lifecycle from "./Lifecycle.js"
import { LoggingLive } from "./Logging.js"
import { GuardLive } from "./Middleware.js"
import { HttpPostsLive } from "./Posts/Http.js"
import * as Serve from "./Serve.js"
import { SqlLive } from "./Sql.js"
import { HttpUsersLive } from "./Users/Http.js"

const ApiLive = HttpApiBuilder.api(Api).pipe(
  Layer.provide([
    HttpHealthLive,
    HttpUsersLive,
    HttpPostsLive,
    HttpCommentsLive,
    HttpCacheAdminLive,
    HttpCacheGraphLive
  ])
)

/**
 * The base URL a server address is reachable at.
 *
 * @since 0.1.0
 * @category utils
 */
export const baseUrl = (address: HttpServer.Address): string => {
  if (address._tag === "UnixAddress") return `http+unix://${address.path}`
  const host = ["0.0.0.0", "::", "127.0.0.1", "::1"].includes(address.hostname) ? "localhost" : address.hostname
  return `http://${host}:${address.port}`
}

const StartupLogLive = Layer.effectDiscard(
  Effect.gen(function*() {
    const server = yield* HttpServer.HttpServer
    const store = yield* CacheStoreInfo
    const token = yield* AppConfig.adminToken
    const url = baseUrl(server.address)
    yield* Effect.logInfo(`Cachet blog listening on ${url}`).pipe(
      Effect.annotateLogs({ url, docs: `${url}/docs`, openapi: `${url}/openapi.json`, store: store.description })
    )
    yield* Effect.logInfo(`API docs: ${url}/docs`)
    yield* Effect.logInfo(
      `inspector: ${
        Inspector.link(url, { token: Option.match(token, { onNone: () => undefined, onSome: Redacted.value }) })
      }`
    )
    yield* Effect.logInfo(`cache store: ${store.description}`)
    yield* AppConfig.warnAboutAdminToken
  })
)

/**
 * Everything but the listening socket: routes, middleware, docs, and the start-up log.
 *
 * @since 0.1.0
 * @category layers
 */
export const AppLive = HttpServe.withStrictRouting(Serve.layer).pipe(
  Layer.provide(HttpApiSwagger.layer({ path: "/docs" })),
  Layer.provide(Inspector.layer({ path: "/inspector" })),
  Layer.provide(Landing.layer({
    title: "Cachet blog",
    description: "The Cachet reference app: a blog on SQLite whose reads go through a tagged cache.",
    links: [
      {
        name: "Inspector",
        href: "/inspector",
        description: "The cache, live: entries, tags, hit ratio, invalidations"
      },
      { name: "Docs", href: "/docs", description: "The HTTP API, to read and try (Swagger UI)" },
      { name: "OpenAPI", href: "/openapi.json", description: "The API as an OpenAPI document" }
    ]
  })),
  Layer.provide(HttpApiBuilder.middlewareOpenApi({ path: "/openapi.json" })),
  Layer.provide(GuardLive),
  Layer.provide(ApiLive),
  Layer.provide(HttpGraphQLLive),
  Layer.merge(StartupLogLive)
)

/**
 * The services the routes use: the seeded database and the cached reads on the configured
 * store.
 *
 * @since 0.1.0
 * @category layers
 */
export const ServicesLive = BlogCache.Default.pipe(
  Layer.provideMerge(Layer.merge(CacheLive, SqlLive)),
  Layer.provideMerge(
    Layer.scopedDiscard(Effect.addFinalizer(() => Effect.logInfo("stopped: cache store and database closed")))
  )
)

/**
 * The app listening on an address (tests pass `{ port: 0 }`), over the services and the
 * logging configuration; on shutdown it drains before anything closes.
 *
 * @since 0.1.0
 * @category layers
 */
export const listening = (listen: Config.Config<{ readonly port: number; readonly host: string }>) =>
  Lifecycle.DrainLive.pipe(
    Layer.provideMerge(AppLive.pipe(Layer.provideMerge(Lifecycle.layerServer(listen, Serve.door)))),
    // One endpoint for the router and the front door (`Serve.door`).
    Layer.provideMerge(GraphQLEndpoint.layer),
    Layer.provideMerge(Lifecycle.InFlight.layer),
    Layer.provide(ServicesLive),
    Layer.provide(LoggingLive)
  )

/**
 * The server on `CACHET_HOST`:`CACHET_PORT`.
 *
 * @since 0.1.0
 * @category layers
 */
export const HttpLive = listening(AppConfig.server)
