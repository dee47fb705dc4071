/**
 * The fragment cache for GraphQL servers that are not Effect programs (GraphQL Yoga through
 * Envelop, Apollo Server): one engine per server that a plugin holds. It runs each operation
 * with the server's own execute function under `GraphQLCache.executeReport`, in a runtime built
 * once from the `Cache` given, and lets subscriptions and `@defer` / `@stream` operations pass.
 *
 * @since 0.1.0
 */
import type { Key, Tag } from "@cachet/core"
import { Cache } from "@cachet/core"
import { Effect, Layer, ManagedRuntime } from "effect"
import type { DocumentNode, ExecutionResult, GraphQLSchema } from "graphql"
import { BREAK, getOperationAST, visit } from "graphql"

import * as GraphQLCache from "./GraphQLCache.js"
import { applyCacheControl } from "./internal/cacheControl.js"
import { peekFullyCached } from "./internal/fast.js"
import { reachesCache } from "./internal/reach.js"

/**
 * Where the engine's `Cache` comes from: a layer (built once, closed by `dispose`), a runtime
 * the caller owns, or a handle holding one (`@cachet/promise`'s `createCache(...)`: the handle
 * keeps owning it, `close()` it yourself).
 *
 * @since 0.1.0
 * @category models
 */
export type CacheSource =
  | Layer.Layer<Cache.Cache, unknown>
  | ManagedRuntime.ManagedRuntime<Cache.Cache, unknown>
  | { readonly runtime: ManagedRuntime.ManagedRuntime<Cache.Cache, unknown> }

/**
 * What one operation's hits or misses were.
 *
 * @since 0.1.0
 * @category models
 */
export interface Event {
  readonly operationName: string | undefined
  /** How many fragments hit (`onHit`) or were computed (`onMiss`). */
  readonly count: number
}

/**
 * Settings shared by the server plugins.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options<Context = unknown> {
  /** The cache: a `Cache` layer, a runtime holding one, or a `@cachet/promise` handle. */
  readonly cache: CacheSource
  /** First part of every fragment key (default `"graphql"`). */
  readonly namespace?: string
  /** Bumping it busts every fragment (default `"1"`). */
  readonly version?: string | number
  /** Defaults of every cached field. */
  readonly defaults?: GraphQLCache.Options["defaults"]
  /**
   * `"entities"` (default): after a mutation, the entities its root fields returned (by type
   * and id) and the lists that may hold them are invalidated; `"off"`: nothing is.
   */
  readonly mutations?: "entities" | "off"
  /** Who the request is for: fragments whose field names a `contextKey` are kept per session. */
  readonly session?: (context: Context) => Key.Part
  /** Report `extensions.cachet = { hits, misses, writes }` in every response (default off). */
  readonly extensions?: boolean
  /**
   * Read Apollo's `@cacheControl(maxAge, scope)` on cached fields (or their return types):
   * `maxAge` is the fragment's ttl when it names none, `scope: PRIVATE` keeps it per session.
   */
  readonly cacheControl?: boolean
  /** Called after an operation that read fragments from the cache. */
  readonly onHit?: (event: Event) => void
  /** Called after an operation that computed fragments. */
  readonly onMiss?: (event: Event) => void
  /** Called after a mutation invalidated tags. */
  readonly onInvalidate?: (event: { readonly tags: ReadonlyArray<string> }) => void
}

/**
 * One operation as a server hands it over.
 *
 * @since 0.1.0
 * @category models
 */
export interface Operation {
  readonly schema: GraphQLSchema
  readonly document: DocumentNode
  readonly variableValues?: Readonly<Record<string, unknown>> | null | undefined
  readonly contextValue?: unknown
  readonly rootValue?: unknown
  readonly operationName?: string | null | undefined
  /** The server's execute function (graphql-js's `execute` by default). */
  readonly executeFn?: GraphQLCache.ExecuteFn | undefined
}

/**
 * The engine a server plugin holds.
 *
 * @since 0.1.0
 * @category models
 */
export interface Engine {
  /** Prepares a schema, in place and once (call it when the server loads the schema). */
  readonly prepare: (schema: GraphQLSchema) => void
  /**
   * Whether the engine takes an operation: queries that meet a cached field, and mutations
   * (when `mutations` is `"entities"`), without `@defer` / `@stream`. Others are the server's
   * alone (prepares the schema if need be).
   */
  readonly handles: (schema: GraphQLSchema, document: DocumentNode, operationName?: string | null) => boolean
  /** Runs an operation under the fragment cache. */
  readonly execute: (operation: Operation) => Promise<GraphQLCache.Report>
  /**
   * For servers that execute themselves: answers a fully cached operation (`report`), else
   * binds the executor to the context; execute, then call `finish` (or `abort`).
   */
  readonly start: (operation: Operation) => Promise<GraphQLCache.Started>
  /** Writes what a started operation computed, invalidates a mutation's entities, reports. */
  readonly finish: (started: GraphQLCache.Started, result: ExecutionResult) => Promise<GraphQLCache.Report>
  /** Gives up on a started operation. */
  readonly abort: (started: GraphQLCache.Started) => Promise<void>
  /** Invalidates tags (`GraphQLCache.entityTag("Post", "1")`, ...). */
  readonly invalidate: (tags: Tag.Input) => Promise<void>
  /** The runtime the engine runs in (its `Cache`), for plugins that store more than fragments. */
  readonly runtime: ManagedRuntime.ManagedRuntime<Cache.Cache, unknown>
  /** The fragment cache's settings. */
  readonly config: GraphQLCache.ResolvedOptions
  /** Closes the runtime the engine built (not one it was given). */
  readonly dispose: () => Promise<void>
}

const incremental = new WeakMap<DocumentNode, boolean>()

/** Whether a document uses `@defer` or `@stream` (its operations stream their results). */
const isIncremental = (document: DocumentNode): boolean => {
  let found = incremental.get(document)
  if (found === undefined) {
    found = false
    visit(document, {
      Directive(node) {
        if (node.name.value === "defer" || node.name.value === "stream") {
          found = true
          return BREAK
        }
        return undefined
      }
    })
    incremental.set(document, found)
  }
  return found
}

/**
 * Makes the engine.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = <Context = unknown>(options: Options<Context>): Engine => {
  const source = options.cache
  const owned = Layer.isLayer(source)
  const runtime: ManagedRuntime.ManagedRuntime<Cache.Cache, unknown> = Layer.isLayer(source)
    ? ManagedRuntime.make(source as Layer.Layer<Cache.Cache, unknown>)
    : ManagedRuntime.isManagedRuntime(source)
    ? source as ManagedRuntime.ManagedRuntime<Cache.Cache, unknown>
    : (source as { readonly runtime: ManagedRuntime.ManagedRuntime<Cache.Cache, unknown> }).runtime
  const config = GraphQLCache.resolveOptions({
    ...(options.namespace === undefined ? {} : { namespace: options.namespace }),
    ...(options.version === undefined ? {} : { version: options.version }),
    ...(options.defaults === undefined ? {} : { defaults: options.defaults }),
    extensions: options.extensions ?? false,
    invalidateMutations: (options.mutations ?? "entities") === "entities",
    // The server masks errors its own way.
    maskErrors: false,
    ...(options.session === undefined ? {} : { session: options.session as (context: unknown) => Key.Part })
  })
  const provide = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
    Effect.provideService(effect, GraphQLCache.GraphQLCache, config)
  const argsOf = (operation: Operation): GraphQLCache.ExecuteArgs<never> => ({
    schema: GraphQLCache.typed(operation.schema),
    document: operation.document,
    variableValues: operation.variableValues ?? null,
    contextValue: operation.contextValue,
    rootValue: operation.rootValue,
    operationName: operation.operationName ?? null,
    ...(operation.executeFn === undefined ? {} : { executeFn: operation.executeFn })
  })
  const reported = (
    operation: { readonly operationName?: string | null | undefined },
    report: GraphQLCache.Report
  ): GraphQLCache.Report => {
    const name = operation.operationName ?? undefined
    const counts = report.counts
    if (counts !== undefined && counts.hits > 0) options.onHit?.({ operationName: name, count: counts.hits })
    if (counts !== undefined && counts.misses > 0) options.onMiss?.({ operationName: name, count: counts.misses })
    if (config.invalidateMutations && report.changed.length > 0) {
      options.onInvalidate?.({ tags: [...report.changed, ...(report.lists ?? [])] })
    }
    return report
  }
  /** The cache, once the runtime is built: fully cached operations are then answered without a fiber. */
  let cache: Cache.Service | undefined = undefined
  const withCache = <A, E>(effect: Effect.Effect<A, E, Cache.Cache>): Effect.Effect<A, E, Cache.Cache> =>
    cache === undefined
      ? Effect.flatMap(Cache.Cache, (service) => {
        cache = service
        return effect
      })
      : effect
  const peek = (operation: Operation): GraphQLCache.Report | undefined =>
    cache === undefined ? undefined : peekFullyCached(operation, cache, config)
  const prepare = (schema: GraphQLSchema): void => {
    if (options.cacheControl === true) applyCacheControl(schema, options.session !== undefined)
    GraphQLCache.prepare(schema)
  }
  return {
    runtime,
    config,
    prepare,
    handles: (schema, document, operationName) => {
      const operation = getOperationAST(document, operationName)
      if (
        !config.enabled || operation === null || operation === undefined || operation.operation === "subscription" ||
        isIncremental(document)
      ) return false
      prepare(schema)
      // An operation that meets no cached field (and, unless it is a query, needs no mutation
      // tracking) runs as the server runs it: the wrapped resolvers find no executor.
      return reachesCache(schema, document, operationName) ||
        (config.invalidateMutations && operation.operation === "mutation")
    },
    execute: (operation) => {
      const peeked = peek(operation)
      if (peeked !== undefined) return Promise.resolve(reported(operation, peeked))
      return runtime.runPromise(provide(withCache(GraphQLCache.executeReport(argsOf(operation))))).then((report) =>
        reported(operation, report)
      )
    },
    start: (operation) => {
      const peeked = peek(operation)
      if (peeked !== undefined) {
        return Promise.resolve({
          report: reported(operation, peeked),
          args: { schema: operation.schema, document: operation.document },
          finish: () => Effect.succeed(peeked),
          abort: Effect.void
        })
      }
      return runtime.runPromise(provide(withCache(GraphQLCache.start(argsOf(operation))))).then((started) => {
        if (started.report !== undefined) reported(operation, started.report)
        return started
      })
    },
    finish: (started, result) =>
      runtime.runPromise(started.finish(result)).then((report) =>
        reported({ operationName: started.args.operationName }, report)
      ),
    abort: (started) => runtime.runPromise(started.abort),
    invalidate: (tags) => runtime.runPromise(Effect.flatMap(Cache.Cache, (cache) => cache.invalidate(tags))),
    dispose: () => owned ? runtime.dispose() : Promise.resolve()
  }
}
