/**
 * `GET`/`POST /graphql` on the API's router: GraphQL over HTTP with the fragment cache
 * (`extensions.cachet` in every response), on the same services as the REST groups. `GET`
 * queries made only of cached fragments are stored whole through `@cachet/http` (`X-Cache`,
 * `ETag` / `304`, `Age`), tagged with every fragment's tags, so the REST and GraphQL write
 * paths' invalidations reach them; their stored body says `extensions.cachet.response: "stored"`.
 *
 * @since 0.1.0
 */
import type { Cache } from "@cachet/core"
import { GraphQLCache, GraphQLHttp } from "@cachet/graphql"
import { HttpApiBuilder } from "@effect/platform"
import { Context, Effect, Layer } from "effect"

import { Comments } from "../Comments.js"
import * as AppConfig from "../Config.js"
import { Posts } from "../Posts.js"
import { PostsRepo } from "../Posts/Repo.js"
import { Users } from "../Users.js"
import { Loaders } from "./Loaders.js"
import { schema } from "./Schema.js"

/**
 * The fragment cache's settings in the app: namespace `graphql`, the cache's ttl and grace,
 * `extensions.cachet` on, and a mutation invalidates the entities it returns (`User/<id>`,
 * `Post/<id>`, ...) on top of what its service invalidates.
 *
 * @since 0.1.0
 * @category layers
 */
export const GraphQLCacheLive = Layer.unwrapEffect(
  Effect.map(
    AppConfig.cache,
    (config) =>
      GraphQLCache.layer({
        namespace: "graphql",
        defaults: { ttl: config.ttl, grace: config.grace },
        extensions: true,
        invalidateMutations: true
      })
  )
)

/**
 * The GraphQL endpoint, made once: its handler (mounted by `HttpGraphQLLive`) and its cached
 * `GET` responses as the front door answers them (`Serve.door`), over the same state.
 *
 * @since 0.1.0
 * @category services
 */
export class GraphQLEndpoint extends Context.Tag("app/GraphQLEndpoint")<
  GraphQLEndpoint,
  GraphQLHttp.Endpoint<never, Users | Posts | Comments | Loaders | PostsRepo | GraphQLCache.GraphQLCache>
>() {
  /** The endpoint with the configured limits and whole `GET` responses cached. */
  static readonly layer = Layer.effect(
    GraphQLEndpoint,
    Effect.map(
      AppConfig.graphql,
      ({ maxDepth, ...cost }) => GraphQLHttp.make({ schema, maxDepth, cost, responseCache: true })
    )
  )
}

/**
 * The `/graphql` routes.
 *
 * @since 0.1.0
 * @category layers
 */
export const HttpGraphQLLive = HttpApiBuilder.Router.use((router) =>
  Effect.gen(function*() {
    const context = yield* Effect.context<
      Users | Posts | Comments | Loaders | PostsRepo | Cache.Cache | GraphQLCache.GraphQLCache
    >()
    const endpoint = yield* GraphQLEndpoint
    const handle = endpoint.handler.pipe(Effect.provide(context))
    yield* router.get("/graphql", handle)
    yield* router.post("/graphql", handle)
  })
).pipe(
  Layer.provide([Users.Default, Posts.Default, Comments.Default, Loaders.Default, PostsRepo.Default, GraphQLCacheLive])
)
