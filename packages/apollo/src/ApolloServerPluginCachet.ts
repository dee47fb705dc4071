/**
 * `ApolloServerPluginCachet`: Cachet's GraphQL fragment cache as an Apollo Server 5 plugin.
 * Fields marked `@cacheFragment` (or `GraphQLCache.cacheFragment(...)` in their extensions)
 * store the rendered JSON of their subtree: a hit runs no resolver at or below the field,
 * concurrent misses of one fragment compute it once, and a mutation invalidates the entities it
 * returned and the lists that may hold them. Apollo executes every operation itself (its own
 * resolver wrapping and plugins run); an operation whose root fields all hit is answered in
 * `responseForOperation`, before execution.
 *
 * @since 0.1.0
 */
import type { ApolloServerPlugin, BaseContext, GraphQLRequestListener } from "@apollo/server"
import { GraphQLServer } from "@cachet/graphql"
import type { GraphQLCache } from "@cachet/graphql"
import type { ExecutionResult, GraphQLError } from "graphql"

/**
 * Settings of the plugin: the cache (a `Cache` layer, or a runtime holding one), the defaults
 * of cached fields, mutations, sessions, `extensions.cachet` and hooks.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options<Context extends BaseContext = BaseContext> extends GraphQLServer.Options<Context> {}

/**
 * The plugin, with the engine it runs (to invalidate from outside: `plugin.cachet.invalidate(...)`).
 *
 * @since 0.1.0
 * @category models
 */
export interface CachetPlugin<Context extends BaseContext = BaseContext> extends ApolloServerPlugin<Context> {
  readonly cachet: GraphQLServer.Engine
}

/**
 * The Apollo Server plugin; the runtime it builds from a layer closes when the server stops.
 *
 * @example
 * ```ts
 * import { ApolloServer } from "@apollo/server"
 * import { ApolloServerPluginCachet } from "@cachet/apollo"
 * import { Cache, MemoryStore } from "@cachet/core"
 * import { GraphQLCache } from "@cachet/graphql"
 * import { Layer } from "effect"
 *
 * export const server = new ApolloServer({
 *   typeDefs: `${GraphQLCache.directiveDefinition}
 *     type Post { id: ID! title: String! }
 *     type Query { post(id: ID!): Post @cacheFragment(ttl: "1 minute") }`,
 *   resolvers: { Query: { post: (_: unknown, args: { id: string }) => ({ id: args.id, title: "Hello" }) } },
 *   plugins: [ApolloServerPluginCachet({ cache: Cache.layer().pipe(Layer.provide(MemoryStore.layer())) })]
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const ApolloServerPluginCachet = <Context extends BaseContext = BaseContext>(
  options: Options<Context>
): CachetPlugin<Context> => {
  const engine = GraphQLServer.make(options)
  return {
    cachet: engine,
    serverWillStart() {
      return Promise.resolve({
        schemaDidLoadOrUpdate({ apiSchema }) {
          engine.prepare(apiSchema)
        },
        serverWillStop: engine.dispose
      })
    },
    requestDidStart() {
      let started: GraphQLCache.Started | undefined = undefined
      const listener: GraphQLRequestListener<Context> = {
        async responseForOperation(requestContext) {
          const { document, schema } = requestContext
          const operationName = requestContext.operationName ?? requestContext.request.operationName ?? null
          if (!engine.handles(schema, document, operationName)) return null
          started = await engine.start({
            schema,
            document,
            variableValues: requestContext.request.variables ?? null,
            contextValue: requestContext.contextValue,
            operationName
          })
          const report = started.report
          if (report === undefined) return null
          started = undefined
          const singleResult = report.result.extensions === undefined
            ? { data: report.result.data ?? null }
            : { data: report.result.data ?? null, extensions: report.result.extensions }
          return { http: requestContext.response.http, body: { kind: "single", singleResult } }
        },
        async willSendResponse(requestContext) {
          const pending = started
          if (pending === undefined) return
          started = undefined
          const body = requestContext.response.body
          if (body?.kind !== "single") return engine.abort(pending)
          const result = body.singleResult as ExecutionResult
          const report = await engine.finish(pending, {
            ...result,
            ...(result.errors === undefined ? {} : { errors: result.errors as ReadonlyArray<GraphQLError> })
          })
          // Apollo formatted the errors already: only the extensions are taken from the report.
          if (report.result.extensions !== undefined) {
            body.singleResult = { ...body.singleResult, extensions: report.result.extensions }
          }
        }
      }
      return Promise.resolve(listener)
    }
  }
}
