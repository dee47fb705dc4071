/**
 * The normalized graph's admin endpoints (`GET /cache/graph`, `GET /cache/graph/:key`) as
 * their own `HttpApiGroup`, the only part of `@cachet/api` that loads `@cachet/normalize`
 * (entry point `@cachet/api/CacheGraph`). A server that shows its `EntityGraph` adds
 * `CacheGraphApi` beside `CacheApi` and implements it with `handlers`.
 *
 * @since 0.1.0
 */
import { EntityGraph } from "@cachet/normalize"
import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform"
import { Effect, Option } from "effect"

import { AdminAuth, KeyPath } from "./CacheApi.js"
import { EntityNotFound, GraphEntity, GraphSummary } from "./CacheBrowse.js"
import * as graph from "./internal/graph.js"

/**
 * The `/cache/graph` endpoints, behind the admin group's bearer token.
 *
 * @since 0.1.0
 * @category groups
 */
export class CacheGraphApi extends HttpApiGroup.make("cacheGraph")
  .add(
    HttpApiEndpoint.get("graph", "/cache/graph")
      .addSuccess(GraphSummary)
      .annotate(OpenApi.Summary, "The normalized graph's root queries and entities by type")
  )
  .add(
    HttpApiEndpoint.get("graphEntity", "/cache/graph/:key")
      .setPath(KeyPath)
      .addSuccess(GraphEntity)
      .addError(EntityNotFound)
      .annotate(OpenApi.Summary, "One entity's records and links, and the root queries that reach it")
  )
  .middleware(AdminAuth)
  .annotate(OpenApi.Title, "Normalized graph")
{}

/**
 * The graph endpoints' handlers.
 *
 * @since 0.1.0
 * @category models
 */
export interface Handlers {
  readonly graph: () => Effect.Effect<GraphSummary>
  readonly graphEntity: (
    request: { readonly path: { readonly key: string } }
  ) => Effect.Effect<GraphEntity, EntityNotFound>
}

/**
 * Builds the handlers over the `EntityGraph` in context, if any (`available: false` without one).
 *
 * @since 0.1.0
 * @category constructors
 */
export const handlers: Effect.Effect<Handlers> = Effect.map(
  Effect.serviceOption(EntityGraph.EntityGraph),
  (entityGraph): Handlers => ({
    graph: () =>
      Option.match(entityGraph, {
        onNone: () => Effect.succeed(new GraphSummary({ available: false, roots: [], types: [] })),
        onSome: graph.summary
      }),
    graphEntity: ({ path }) =>
      Option.match(entityGraph, {
        onNone: () => Effect.fail(new EntityNotFound({ key: path.key })),
        onSome: (g) =>
          Effect.flatMap(graph.entity(g, path.key), (found) =>
            found === undefined ? Effect.fail(new EntityNotFound({ key: path.key })) : Effect.succeed(found))
      })
  })
)
