/**
 * `useCachet`: Cachet's GraphQL fragment cache as an Envelop plugin (GraphQL Yoga, Hive
 * Gateway, Mesh). Fields marked `@cacheFragment` (or `GraphQLCache.cacheFragment(...)` in their
 * extensions) store the rendered JSON of their subtree: a hit runs no resolver at or below the
 * field, concurrent misses of one fragment compute it once, and a mutation invalidates the
 * entities it returned and the lists that may hold them.
 *
 * @since 0.1.0
 */
import { FragmentKey, GraphQLServer } from "@cachet/graphql"
import type { Plugin } from "@envelop/core"
import type { ExecutionArgs, ExecutionResult } from "graphql"

import * as responses from "./internal/responses.js"

/**
 * Settings of `useCachet`: the cache (a `Cache` layer, or a runtime holding one), the defaults
 * of cached fields, mutations, sessions, `extensions.cachet` and hooks.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options<Context extends Record<string, any> = Record<string, unknown>>
  extends GraphQLServer.Options<Context>
{
  /**
   * GraphQL Yoga: keep complete `GET` responses whole (default on): answered before parse and
   * validate, with an `ETag` that is a digest of the body, `304`, `Cache-Control` from the
   * shortest fragment ttl and `Vary: Accept`. A response is complete when it shows shared
   * fragments only (every root field cached, none per session, no error).
   */
  readonly responses?: boolean
}

/**
 * The plugin, with the engine it runs (to invalidate from outside: `plugin.cachet.invalidate(...)`)
 * and `onDispose`, which Yoga calls on `yoga.dispose()`.
 *
 * @since 0.1.0
 * @category models
 */
export interface CachetPlugin<Context extends Record<string, any> = Record<string, unknown>> extends Plugin<Context> {
  readonly cachet: GraphQLServer.Engine
  readonly onDispose: () => Promise<void>
  /** Yoga's hook: answers stored complete `GET` responses. */
  readonly onRequest?: (payload: responses.RequestPayload) => Promise<void> | void
  /** Yoga's hook: stores complete `GET` responses and gives them their `ETag`. */
  readonly onResponse?: (payload: responses.ResponsePayload) => Promise<void> | void
}

/**
 * The Envelop plugin.
 *
 * @example
 * ```ts
 * import { Cache, MemoryStore } from "@cachet/core"
 * import { useCachet } from "@cachet/envelop"
 * import { GraphQLCache } from "@cachet/graphql"
 * import { Layer } from "effect"
 * import { createSchema, createYoga } from "graphql-yoga"
 *
 * const schema = createSchema({
 *   typeDefs: `${GraphQLCache.directiveDefinition}
 *     type Post { id: ID! title: String! }
 *     type Query { post(id: ID!): Post @cacheFragment(ttl: "1 minute") }`,
 *   resolvers: { Query: { post: (_: unknown, args: { id: string }) => ({ id: args.id, title: "Hello" }) } }
 * })
 *
 * export const yoga = createYoga({
 *   schema,
 *   plugins: [useCachet({ cache: Cache.layer().pipe(Layer.provide(MemoryStore.layer())) })]
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const useCachet = <Context extends Record<string, any> = Record<string, unknown>>(
  options: Options<Context>
): CachetPlugin<Context> => {
  const engine = GraphQLServer.make(options)
  let schemaDigest: string | undefined = undefined
  const tier = options.responses === false ? undefined : responses.make(engine, () => schemaDigest)
  return {
    cachet: engine,
    onDispose: engine.dispose,
    ...(tier === undefined ? {} : { onRequest: tier.onRequest, onResponse: tier.onResponse }),
    onSchemaChange({ schema }) {
      engine.prepare(schema)
      schemaDigest = FragmentKey.schemaDigest(schema)
    },
    onExecute({ args, executeFn, setExecuteFn }) {
      if (!engine.handles(args.schema, args.document, args.operationName)) return
      // The server's own execute function runs the operation: other plugins' wrapping stays.
      const inner = executeFn as (args: ExecutionArgs) => ExecutionResult | PromiseLike<ExecutionResult>
      setExecuteFn((execution: ExecutionArgs) => {
        return engine.execute({ ...execution, executeFn: inner }).then((report) => {
          tier?.note((execution.contextValue as { readonly request?: Request } | undefined)?.request, report.coverage)
          return report.result
        })
      })
    }
  }
}
