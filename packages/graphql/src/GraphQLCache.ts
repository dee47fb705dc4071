/**
 * Field-level fragment caching for GraphQL (graphql-ruby-fragment_cache's model on Cachet's
 * tags): a field marked `cacheFragment` stores the rendered JSON of its subtree, so a hit runs
 * no resolver below it. Entries are tagged by the entities and lists they show, read with one
 * `getMany` per execution tick and written with one `setMany` per operation.
 *
 * @since 0.1.0
 */
import { Cache, type Key, type Tag, Tracing } from "@cachet/core"
import { Context, Duration, Effect, Layer, Option } from "effect"
import type { DocumentNode, ExecutionArgs, ExecutionResult, GraphQLError, GraphQLSchema } from "graphql"
import {
  execute as graphqlExecute,
  getOperationAST,
  GraphQLError as GraphQLErrorClass,
  Kind,
  parse,
  validate
} from "graphql"

import * as Cost from "./Cost.js"
import * as FragmentKey from "./FragmentKey.js"
import * as execution from "./internal/execution.js"
import { fullyCachedRoots } from "./internal/fast.js"
import { countsOf, coverageOf, incomplete, none, withExtensions } from "./internal/report.js"
import * as schemaInternal from "./internal/schema.js"
import * as tags from "./internal/tags.js"

/**
 * How a field is cached (graphql-ruby-fragment_cache's `cache_fragment:` options).
 *
 * @since 0.1.0
 * @category models
 */
export interface FragmentOptions<Parent = unknown, Args = Record<string, unknown>, Context = unknown> {
  /** How long the fragment is fresh (`expires_in`); the layer's default otherwise. */
  readonly ttl?: Duration.DurationInput
  /** How long past its ttl it may still be served. */
  readonly grace?: Duration.DurationInput
  /** Cache only when this holds (`if:`); otherwise the field neither reads nor writes. */
  when?(parent: Parent, args: Args, context: Context): boolean
  /** Do not cache when this holds (`unless:`). */
  unless?(parent: Parent, args: Args, context: Context): boolean
  /** Folds the context into the key (per-user fragments): a function, or dotted context paths. */
  readonly contextKey?: ((context: Context) => Key.Part) | ReadonlyArray<string>
  /** How the parent enters the key (default `Type:id[@updatedAt]`, else the path). */
  objectKey?(parent: Parent, args: Args, context: Context): Key.Part | undefined
  /** Only these arguments enter the key. */
  readonly includeArguments?: ReadonlyArray<string>
  /** These arguments do not enter the key. */
  readonly excludeArguments?: ReadonlyArray<string>
  /** Memoise the field's value in the request only; never read or write the store. */
  readonly keepInContext?: boolean
  /** Extra tags of the entry, from the parent, the arguments and the resolved value. */
  tags?(parent: Parent, args: Args, result: unknown): Tag.Input
}

/**
 * The `extensions` of a field that marks it cached (code-first schemas):
 * `{ type: PostType, extensions: GraphQLCache.cacheFragment({ ttl: "1 minute" }) }`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const cacheFragment = <Parent = unknown, Args = Record<string, unknown>, Ctx = unknown>(
  options: FragmentOptions<Parent, Args, Ctx> = {}
): { readonly cacheFragment: FragmentOptions } => ({ cacheFragment: options as FragmentOptions })

/**
 * The `@cacheFragment` directive, for SDL-first schemas (add {@link directiveDefinition} to the
 * SDL, then {@link transformSchema}).
 *
 * @since 0.1.0
 * @category constructors
 */
export const cacheFragmentDirective = schemaInternal.directive

/**
 * The SDL of the `@cacheFragment` directive.
 *
 * @since 0.1.0
 * @category constructors
 */
export const directiveDefinition =
  "directive @cacheFragment(ttl: String, grace: String, contextKey: [String!], includeArguments: [String!], " +
  "excludeArguments: [String!]) on FIELD_DEFINITION"

/**
 * Reads every field's `@cacheFragment` directive into its extensions (SDL-first schemas); the
 * same schema, marked.
 *
 * @since 0.1.0
 * @category constructors
 */
export const transformSchema = (schema: GraphQLSchema): GraphQLSchema => {
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith("__") || !("getFields" in type) || !("isTypeOf" in type)) continue
    for (const field of Object.values(type.getFields())) {
      const options = "resolve" in field ? schemaInternal.fromDirective(field) : undefined
      if (options !== undefined) {
        ;(field as { extensions: Record<string, unknown> }).extensions = {
          ...field.extensions,
          ...cacheFragment(options)
        }
      }
    }
  }
  return schema
}

/**
 * The tag of an object, the root of its tags: `<Type>/<id>`. Invalidating it reaches every
 * fragment that shows anything of the object (its own fields, its lists, its cached fields);
 * tagging an entry with it makes the entry depend on the object as a whole (it exists, it is
 * this one), so only this tag's invalidation, not its fields', reaches the entry.
 *
 * @since 0.1.0
 * @category tags
 */
export const entityTag = (type: string, id: string | number): string => tags.entityTag(type, String(id))

/**
 * The tag of every cached fragment that shows an object's own fields (scalars, embedded
 * objects, single links: every field without a tag of its own): `<Type>/<id>/$fields`, under
 * {@link entityTag}. A change of those fields invalidates it and leaves the object's lists
 * cached.
 *
 * @since 0.1.0
 * @category tags
 */
export const ownFieldsTag = (type: string, id: string | number): string => tags.ownFieldsTag(type, String(id))

/**
 * The segment of {@link ownFieldsTag} under an entity (`$fields`: no GraphQL field is named
 * so), for typed tag trees: `Tag.at("Post", () => Tag.wild.at(GraphQLCache.ownFields).at("comments"))`.
 *
 * @since 0.1.0
 * @category tags
 */
export const ownFields: "$fields" = tags.ownFields

/**
 * The tag of every cached fragment that shows one object's field (a cached field, or a list
 * in a cached subtree): `<Type>/<id>/<field>`, under {@link entityTag}.
 *
 * @since 0.1.0
 * @category tags
 */
export const fieldTag = (type: string, id: string | number, field: string): string =>
  tags.fieldTag(type, String(id), field)

/**
 * Settings of the fragment cache.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Off: every field resolves and nothing is read or written (default on). */
  readonly enabled?: boolean
  /** First part of every fragment key (default `"graphql"`). */
  readonly namespace?: string
  /** Bumping it busts every fragment (default `"1"`). */
  readonly version?: string | number
  /** Defaults of every cached field. */
  readonly defaults?: { readonly ttl?: Duration.DurationInput; readonly grace?: Duration.DurationInput }
  /** Write nothing of an operation whose response has errors (default off). */
  readonly skipWhenQueryHasErrors?: boolean
  /** Report `extensions.cachet = { hits, misses, writes }` in every response (default off). */
  readonly extensions?: boolean
  /**
   * After a mutation, invalidate the {@link entityTag} of every object its root fields returned
   * (`Report.changed`), as envelop's response cache does from `__typename` + id, and the lists
   * that may hold them (`Report.lists`) (default off).
   */
  readonly invalidateMutations?: boolean
  /**
   * Who the request is for (a user id), from the context: every fragment whose field names a
   * `contextKey` (`@cacheFragment(contextKey: [])` for the session alone) is kept per session.
   */
  readonly session?: (context: unknown) => Key.Part
  /**
   * Report errors that are not `GraphQLError`s as `Internal server error` (default on). Servers
   * that mask errors themselves (Yoga's `maskedErrors`, Apollo's `formatError`) turn it off.
   */
  readonly maskErrors?: boolean
}

/**
 * Settings with their defaults applied.
 *
 * @since 0.1.0
 * @category models
 */
export interface ResolvedOptions {
  readonly enabled: boolean
  readonly namespace: string
  readonly version: string
  readonly defaults: { readonly ttl?: Duration.DurationInput; readonly grace?: Duration.DurationInput }
  readonly skipWhenQueryHasErrors: boolean
  readonly extensions: boolean
  readonly invalidateMutations: boolean
  readonly session?: ((context: unknown) => Key.Part) | undefined
  readonly maskErrors?: boolean | undefined
}

/**
 * Settings with their defaults applied (what {@link layer} provides).
 *
 * @since 0.1.0
 * @category constructors
 */
export const resolveOptions = (options: Options): ResolvedOptions => ({
  enabled: options.enabled ?? true,
  namespace: options.namespace ?? "graphql",
  version: String(options.version ?? "1"),
  defaults: options.defaults ?? {},
  skipWhenQueryHasErrors: options.skipWhenQueryHasErrors ?? false,
  extensions: options.extensions ?? false,
  invalidateMutations: options.invalidateMutations ?? false,
  session: options.session,
  maskErrors: options.maskErrors ?? true
})

/**
 * The fragment cache's settings, as a service (optional: `execute` uses the defaults without it).
 *
 * @since 0.1.0
 * @category tags
 */
export class GraphQLCache extends Context.Tag("@cachet/graphql/GraphQLCache")<GraphQLCache, ResolvedOptions>() {}

/**
 * The fragment cache's settings.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options = {}): Layer.Layer<GraphQLCache> =>
  Layer.succeed(GraphQLCache, resolveOptions(options))

declare const Requirements: unique symbol

/**
 * A GraphQL schema whose Effect resolvers need the services `R`. graphql-js cannot know what
 * its resolvers return, so the services are declared once, where the resolvers are written
 * (see {@link typed}); `execute` then requires exactly them, and a plain `GraphQLSchema` does
 * not compile there (no silent `never`).
 *
 * @since 0.1.0
 * @category models
 */
export interface TypedSchema<out R> extends GraphQLSchema {
  readonly [Requirements]: (_: never) => R
}

/**
 * Declares the services a schema's Effect resolvers need (`never`, the default, for a schema
 * whose resolvers need none); the same schema object, typed.
 *
 * @since 0.1.0
 * @category constructors
 */
export const typed = <R = never>(schema: GraphQLSchema): TypedSchema<R> => schema as TypedSchema<R>

/**
 * What `execute` runs.
 *
 * @since 0.1.0
 * @category models
 */
export interface ExecuteArgs<R = never> {
  /** The schema, with the services its resolvers need (see {@link typed}). */
  readonly schema: TypedSchema<R>
  /** A parsed document (used as is: validate it first), or... */
  readonly document?: DocumentNode
  /** ...the document's text (parsed and validated here). */
  readonly source?: string
  readonly variableValues?: Readonly<Record<string, unknown>> | null
  readonly contextValue?: unknown
  readonly operationName?: string | null
  /**
   * The root value root resolvers receive (the executor is found through the context: give an
   * object context for a root value of your own to reach them).
   */
  readonly rootValue?: unknown
  /**
   * What executes the operation (default graphql-js's `execute`): a server's own execute
   * function (Envelop's, graphql-jit's), wrapped plugins included. It must run the schema's
   * resolvers with `contextValue` as given.
   */
  readonly executeFn?: ExecuteFn
  /** Recompute every cached field and overwrite it (`renew_cache`, for warmers). */
  readonly renew?: boolean
  /**
   * Bound the operation by the cost model (`Cost.check`): over any limit, the result is the
   * limits' errors and nothing runs. Default: not checked (`GraphQLHttp.handler` checks).
   */
  readonly cost?: Cost.Limits
}

/**
 * An execute function as servers hold it (graphql-js's `execute` is one).
 *
 * @since 0.1.0
 * @category models
 */
export type ExecuteFn = (args: ExecutionArgs) => ExecutionResult | PromiseLike<ExecutionResult>

/**
 * Prepares a schema for the fragment cache, in place and once (wraps its resolvers; the
 * wrappers are inert for operations not run by `execute`). `execute` does it on first use;
 * server plugins call it when the server loads the schema.
 *
 * @since 0.1.0
 * @category constructors
 */
export const prepare = (schema: GraphQLSchema): void => schemaInternal.prepare(schema)

/**
 * The outcome of `executeReport`: the result, and whether every root field came from the cache.
 *
 * @since 0.1.0
 * @category models
 */
export interface Report {
  readonly result: ExecutionResult
  readonly fullyCached: boolean
  /** What the response is made of: whether, and under which tags, it may be stored whole. */
  readonly coverage: Coverage
  /**
   * Of a mutation: the {@link entityTag} of every object (with an id) that its root fields
   * returned, the entities it changed; objects nested below them are shown, not changed, and
   * are not named. Empty for queries.
   */
  readonly changed: ReadonlyArray<string>
  /**
   * Of a mutation: the tags of the lists that may hold what it changed — the query type's lists
   * of those types (`Query/posts`) and, of every other object its result shows, its lists of
   * those types (`Post/1/comments` when `addComment` returns the comment with its post).
   * `invalidateMutations` invalidates them with `changed`.
   */
  readonly lists?: ReadonlyArray<string>
  /** Fragments read from the cache, computed, and written by this execution. */
  readonly counts?: { readonly hits: number; readonly misses: number; readonly writes: number }
}

/**
 * What one execution's response is made of, for a whole-response cache (`GraphQLHttp`'s
 * `responseCache`). `complete` holds when the response shows nothing but shared fragments:
 * every root field is a cached field (read or written here; introspection and `__typename`
 * depend on the schema alone), no fragment met depends on the context (`when`, `unless`,
 * `contextKey`, `keepInContext`), every fragment that missed was rendered, none was taken from
 * another execution's flight (it may have been computed before this execution started), and
 * there are no errors. Such a response stays valid exactly as long as the fragments it was assembled from:
 * store it under `tags` (every tag of every fragment read or written) for at most `ttlMillis`,
 * and only while fresh until no later than `freshUntilMillis`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Coverage {
  readonly complete: boolean
  readonly tags: ReadonlyArray<string>
  /** The shortest ttl a fragment met names (absent: only the defaults apply). */
  readonly ttl?: Duration.Duration | undefined
  /** The shortest grace a fragment met names. */
  readonly grace?: Duration.Duration | undefined
  /**
   * The earliest instant a fragment it shows stops being fresh, in epoch milliseconds (`0` when
   * a fragment's freshness is unknown — rendered without a known ttl, or stored by an older
   * version): a stored response must not be fresh for longer.
   */
  readonly freshUntilMillis?: number | undefined
  /**
   * `true` when the response is incomplete for a reason the operation itself gives, not the
   * moment: a root field that is not a cached field, or a fragment met that depends on the
   * context (an error or a borrowed computation passes). A whole-response cache may stop
   * looking such an operation up.
   */
  readonly neverComplete?: boolean
}

/**
 * Runs an operation under the fragment cache. Resolvers may return values, Promises or
 * Effects (run in the caller's runtime: its services, spans and FiberRefs flow into them);
 * the services they need are the schema's (`TypedSchema<R>`).
 *
 * Only `GraphQLError`s (and graphql-js's own syntax and validation errors) reach the result as
 * they are. Any other error a resolver throws or fails with, and every defect, is logged with
 * its cause and reported as `Internal server error` (code `INTERNAL_SERVER_ERROR`, with its
 * path and location): no message, file path or stack of the server's goes to a client.
 *
 * @example
 * ```ts
 * import { Cache, MemoryStore } from "@cachet/core"
 * import { GraphQLCache } from "@cachet/graphql"
 * import { Effect, Layer } from "effect"
 * import { GraphQLID, GraphQLNonNull, GraphQLObjectType, GraphQLSchema, GraphQLString } from "graphql"
 *
 * const Post = new GraphQLObjectType({
 *   name: "Post",
 *   fields: { id: { type: new GraphQLNonNull(GraphQLID) }, title: { type: GraphQLString } }
 * })
 *
 * const schema = GraphQLCache.typed(new GraphQLSchema({
 *   query: new GraphQLObjectType({
 *     name: "Query",
 *     fields: {
 *       post: {
 *         type: Post,
 *         args: { id: { type: new GraphQLNonNull(GraphQLID) } },
 *         // The rendered subtree is cached: a hit runs no resolver below this field.
 *         extensions: GraphQLCache.cacheFragment({ ttl: "1 minute" }),
 *         resolve: (_parent, args: { id: string }) => Effect.succeed({ id: args.id, title: `Post ${args.id}` })
 *       }
 *     }
 *   })
 * }))
 *
 * const program = GraphQLCache.execute({ schema, source: `{ post(id: "1") { id title } }` })
 *
 * const CacheLive = Cache.layer().pipe(Layer.provide(MemoryStore.layer()))
 * Effect.runPromise(program.pipe(Effect.tap((result) => Effect.log(result.data)), Effect.provide(CacheLive)))
 * ```
 *
 * @since 0.1.0
 * @category execution
 */
export const execute = <R = never>(args: ExecuteArgs<R>): Effect.Effect<ExecutionResult, never, Cache.Cache | R> =>
  Effect.map(executeReport(args), (report) => report.result)

/**
 * `execute`, also telling whether the response was served entirely from the cache (what an
 * HTTP layer needs for `ETag`s).
 *
 * @since 0.1.0
 * @category execution
 */
export const executeReport = <R = never>(args: ExecuteArgs<R>): Effect.Effect<Report, never, Cache.Cache | R> =>
  // Combinators, not a generator: a generator's closure keeps the response alive long enough
  // to be promoted to the old generation, which costs more than the execution itself saves.
  Effect.flatMap(start(args), (started) => {
    if (started.report !== undefined) return Effect.succeed(started.report)
    let pending: ExecutionResult | PromiseLike<ExecutionResult>
    try {
      pending = (args.executeFn ?? graphqlExecute)(started.args)
    } catch (error) {
      pending = { errors: [asGraphQLError(error)] }
    }
    if (!("then" in pending)) return started.finish(pending)
    const running = pending
    return Effect.tryPromise(() => Promise.resolve(running)).pipe(
      Effect.catchAll((error) => Effect.succeed<ExecutionResult>({ errors: [asGraphQLError(error.error)] })),
      Effect.onInterrupt(() => started.abort),
      Effect.flatMap(started.finish)
    )
  }).pipe(Tracing.traced("GraphQLCache.execute"))

/**
 * An operation started by {@link start}: answered already (`report`), or to be executed by
 * the caller with `args` (whose resolvers find the executor through the context) and then
 * handed to `finish`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Started {
  /** The operation's report when it needs no execution (fully cached, or not parsable or valid). */
  readonly report: Report | undefined
  /** What to execute: the document, variables, context and root value to run it with. */
  readonly args: ExecutionArgs
  /** Takes the server's result: writes the misses, invalidates a mutation's entities, reports. */
  readonly finish: (result: ExecutionResult) => Effect.Effect<Report>
  /** Gives up on the execution (interrupts its Effect resolvers, lets waiting requests go). */
  readonly abort: Effect.Effect<void>
}

/**
 * The first half of `executeReport`, for servers that execute operations themselves (Apollo
 * Server): reads a fully cached operation ahead, else binds the executor to the context;
 * the server executes `started.args`, then calls `started.finish(result)`.
 *
 * @since 0.1.0
 * @category execution
 */
export const start = <R = never>(args: ExecuteArgs<R>): Effect.Effect<Started, never, Cache.Cache | R> =>
  Effect.gen(function*() {
    const cache = yield* Cache.Cache
    const config = Option.getOrElse(yield* Effect.serviceOption(GraphQLCache), () => resolveOptions({}))
    const runtime = yield* Effect.runtime<never>()
    const done = (report: Report): Started => ({
      report,
      args: { schema: args.schema, document: emptyDocument },
      finish: () => Effect.succeed(report),
      abort: Effect.void
    })
    let document = args.document
    if (document === undefined) {
      try {
        document = parse(args.source ?? "")
      } catch (error) {
        return done({
          result: { errors: [asGraphQLError(error)] },
          fullyCached: false,
          coverage: incomplete,
          changed: none
        })
      }
      const invalid = validate(args.schema, document)
      if (invalid.length > 0) {
        return done({ result: { errors: invalid }, fullyCached: false, coverage: incomplete, changed: none })
      }
    }
    if (args.cost !== undefined) {
      const overLimits = Cost.check(args.schema, document, args, args.cost)
      if (overLimits.length > 0) {
        return done({ result: { errors: overLimits }, fullyCached: false, coverage: incomplete, changed: none })
      }
    }
    schemaInternal.prepare(args.schema)
    const run = new execution.Execution({
      cache,
      config,
      runtime,
      schemaDigest: FragmentKey.schemaDigest(args.schema),
      renew: args.renew === true,
      mutation: getOperationAST(document, args.operationName)?.operation === "mutation"
    })
    const variableValues = args.variableValues ?? undefined
    const roots = config.enabled && args.renew !== true
      ? fullyCachedRoots(run, args.schema, document, variableValues, args.operationName, args.contextValue)
      : undefined
    if (roots !== undefined) {
      const hit = yield* run.prefetch(roots.map((root) => root.key))
      if (Option.isSome(hit)) {
        const data: Record<string, unknown> = {}
        roots.forEach((root, i) => data[root.responseKey] = hit.value[i]!.v)
        yield* annotate(run)
        const result = { data }
        return done({
          result: withExtensions(result, run, config),
          fullyCached: true,
          coverage: coverageOf(run, config, result, false),
          changed: none,
          counts: countsOf(run)
        })
      }
    }
    if (args.renew === true && config.enabled) yield* run.readStamp
    // The executor is found through the context; only an operation whose context is not an
    // object of its own gets it as its root value.
    const bound = schemaInternal.bind(args.contextValue, run)
    const unbind = () => {
      if (bound) schemaInternal.unbind(args.contextValue, run)
    }
    const report = (result: ExecutionResult): Effect.Effect<Report> =>
      Effect.suspend(() => {
        const changed = run.changed === undefined ? none : Array.from(run.changed)
        const lists = changed.length === 0 ? none : run.listTags()
        const done: Report = {
          result: withExtensions(result, run, config),
          fullyCached: run.uncachedRoots === 0 && run.misses === 0 && (result.errors?.length ?? 0) === 0,
          coverage: coverageOf(run, config, result, args.renew === true),
          changed,
          lists,
          counts: countsOf(run)
        }
        return Effect.as(
          config.invalidateMutations && changed.length > 0
            ? Effect.zipRight(annotate(run), invalidateChanged(cache, [...changed, ...lists]))
            : annotate(run),
          done
        )
      })
    const finish = (settled: ExecutionResult): Effect.Effect<Report> =>
      Effect.suspend(() => {
        unbind()
        const result = settled.errors === undefined || config.maskErrors === false
          ? Effect.succeed(settled)
          : masked(settled)
        return Effect.flatMap(
          result,
          (result) => Effect.zipRight(run.finish(result.data, result.errors ?? []), report(result))
        )
      })
    return {
      report: undefined,
      args: {
        schema: args.schema,
        document,
        rootValue: bound ? args.rootValue : run,
        contextValue: args.contextValue,
        variableValues,
        operationName: args.operationName
      },
      finish,
      abort: Effect.suspend(() => {
        unbind()
        return run.interrupt
      })
    }
  })

const emptyDocument: DocumentNode = { kind: Kind.DOCUMENT, definitions: [] }

/** A failed invalidation does not fail the mutation (it happened): it is logged. */
const invalidateChanged = (cache: Cache.Service, changed: ReadonlyArray<string>) =>
  cache.invalidate(changed).pipe(
    Effect.catchAll((error) =>
      Effect.logError("invalidating a mutation's entities failed").pipe(
        Effect.annotateLogs({ tags: changed.join(" "), error: String(error) })
      )
    )
  )

/**
 * Puts the counts on the current fiber's span, if there is one (`Effect.annotateCurrentSpan`
 * builds an exception, stack and all, when there is none: most executions run without a tracer).
 */
const annotate = (run: execution.Execution): Effect.Effect<void> =>
  Effect.withFiberRuntime<void>((fiber) => {
    const span = fiber.currentSpan
    if (span?._tag === "Span") {
      span.attribute("cachet.hits", run.hits)
      span.attribute("cachet.misses", run.misses)
      span.attribute("cachet.writes", run.writes)
    }
    return Effect.void
  })

/** An error the server did not mean a client to read: thrown or failed with by a resolver, not a `GraphQLError`. */
const isInternal = (error: GraphQLError): boolean =>
  error.originalError !== undefined && error.originalError !== null &&
  !(error.originalError instanceof GraphQLErrorClass)

/** A result whose internal errors are logged and replaced by `Internal server error`. */
const masked = (result: ExecutionResult): Effect.Effect<ExecutionResult> => {
  const errors = result.errors
  if (errors === undefined || !errors.some(isInternal)) return Effect.succeed(result)
  return Effect.as(
    Effect.forEach(errors.filter(isInternal), (error) =>
      Effect.logError(
        `GraphQLCache: ${error.path?.join(".") ?? "the operation"} failed; the client sees "Internal server error"`,
        error.originalError
      ), { discard: true }),
    {
      ...result,
      errors: errors.map((error) =>
        isInternal(error)
          ? new GraphQLErrorClass("Internal server error", {
            nodes: error.nodes ?? null,
            source: error.source ?? null,
            positions: error.positions ?? null,
            path: error.path ?? null,
            extensions: { code: "INTERNAL_SERVER_ERROR" }
          })
          : error
      )
    }
  )
}

const asGraphQLError = (error: unknown): GraphQLError =>
  error instanceof GraphQLErrorClass
    ? error
    : new GraphQLErrorClass(error instanceof Error ? error.message : String(error), {
      originalError: error instanceof Error ? error : new Error(String(error))
    })
