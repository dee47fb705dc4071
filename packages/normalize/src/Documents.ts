/**
 * GraphQL documents over the entity graph: queries, mutations, subscriptions and fragments (as
 * strings, `gql` DocumentNodes or typed documents) compile once into the plans the Schema front end
 * runs on, with urql Graphcache's configuration (`keys`, `resolvers`, `updates`, `optimistic`,
 * `schema`) and cache API, and Houdini's list operations and `markStale`.
 *
 * @since 0.1.0
 */
import type { DocumentNode } from "@0no-co/graphql.web"
import type { Key } from "@cachet/core"
import type { Effect, Exit, Scope, Stream } from "effect"
import { Context, Layer } from "effect"

import type { FieldInfo, InvalidCacheCall, ReadResult } from "./EntityGraph.js"
import { EntityGraph } from "./EntityGraph.js"
import * as pagination from "./internal/documents/paginationConfig.js"
import type { Introspection } from "./internal/documents/schema.js"
import * as internal from "./internal/documents/service.js"

/**
 * A cache used after the updater, optimistic function or `update` it was given to has returned
 * (urql's "(2) Invalid Cache Call"): the same error as the Schema front end's.
 *
 * @since 0.1.0
 * @category errors
 */
export { InvalidCacheCall } from "./EntityGraph.js"

/**
 * A scalar, an object of fields, or a list of them: the data of a GraphQL result.
 *
 * @since 0.1.0
 * @category models
 */
export type DataField = string | number | boolean | null | undefined | DataObject | ReadonlyArray<DataField>

/**
 * An object of a GraphQL result.
 *
 * @since 0.1.0
 * @category models
 */
export interface DataObject {
  [field: string]: DataField
}

/**
 * Variables (or arguments) of an operation or field.
 *
 * @since 0.1.0
 * @category models
 */
export type Variables = { readonly [name: string]: unknown }

/**
 * A document typed with its result and variables (`TypedDocumentNode` of
 * `@graphql-typed-document-node/core`, urql's and gql.tada's documents).
 *
 * @since 0.1.0
 * @category models
 */
export interface TypedDocumentNode<Result = DataObject, Vars = Variables> extends DocumentNode {
  readonly __apiType?: (variables: Vars) => Result
}

/**
 * A document: GraphQL text, a parsed `DocumentNode`, or a typed document.
 *
 * @since 0.1.0
 * @category models
 */
export type DocumentInput<Result = DataObject, Vars = Variables> =
  | string
  | DocumentNode
  | TypedDocumentNode<Result, Vars>

/**
 * A query and its variables (urql's `QueryInput`).
 *
 * @since 0.1.0
 * @category models
 */
export interface QueryInput<Result = DataObject, Vars = Variables> {
  readonly query: DocumentInput<Result, Vars>
  readonly variables?: Vars | undefined
}

/**
 * An entity: its key (`"Todo:1"`, `"Query"`) or an object with `__typename` and its key fields.
 *
 * @since 0.1.0
 * @category models
 */
export type Entity = string | { readonly __typename?: string | undefined; readonly [field: string]: unknown }

/**
 * A link written by `cache.link`: entity keys or entities, null, or lists of them.
 *
 * @since 0.1.0
 * @category models
 */
export type LinkInput = Entity | null | ReadonlyArray<LinkInput>

/**
 * What an updater or optimistic function is told about where it runs.
 *
 * @since 0.1.0
 * @category models
 */
export interface ResolveInfo {
  readonly parentTypeName: string
  readonly parentKey: string
  readonly parentFieldKey: string
  readonly fieldName: string
  readonly variables: Variables
  readonly optimistic: boolean
}

/**
 * Which lists a Houdini list operation touches: the list's parent (default the root, or every
 * parent with `allLists`) and, with `when`, only the instances whose arguments include these.
 *
 * @since 0.1.0
 * @category models
 */
export interface ListOptions {
  readonly parentId?: Entity
  readonly allLists?: boolean
  readonly when?: { readonly [arg: string]: Key.Part }
}

/**
 * The list operations of a list (Houdini's `cache.list(...)`).
 *
 * @since 0.1.0
 * @category models
 */
export interface ListHandle {
  /** Adds the entity at the end of every matching list that does not hold it. */
  readonly append: (entity: Entity) => void
  /** Adds the entity at the start of every matching list that does not hold it. */
  readonly prepend: (entity: Entity) => void
  /** Removes the entity from every matching list. */
  readonly remove: (entity: Entity) => void
  /** Removes the entity where it is, appends it where it is not. */
  readonly toggle: (entity: Entity) => void
}

/**
 * Which fields `markStale` marks: every field, the fields of a name, or that field called with
 * `when` as arguments.
 *
 * @since 0.1.0
 * @category models
 */
export interface MarkStaleOptions {
  readonly field?: string
  readonly when?: { readonly [arg: string]: Key.Part }
}

/**
 * The synchronous cache given to updaters and optimistic functions, with urql Graphcache's names
 * and semantics. Every call after the function it was given to has returned throws
 * `InvalidCacheCall` (urql's error 2).
 *
 * @since 0.1.0
 * @category models
 */
export interface Cache {
  readonly keyOfEntity: (entity: Entity | null | undefined) => string | null
  readonly keyOfField: (fieldName: string, args?: Variables | null) => string
  readonly resolve: (entity: Entity | null | undefined, fieldName: string, args?: Variables | null) => DataField
  readonly inspectFields: (entity: Entity) => ReadonlyArray<FieldInfo>
  readonly invalidate: (entity: Entity, fieldName?: string, args?: Variables | null) => void
  readonly readQuery: <Result = DataObject, Vars = Variables>(input: QueryInput<Result, Vars>) => Result | null
  readonly updateQuery: <Result = DataObject, Vars = Variables>(
    input: QueryInput<Result, Vars>,
    updater: (data: Result | null) => Result | null
  ) => void
  readonly writeQuery: <Result = DataObject, Vars = Variables>(
    input: QueryInput<Result, Vars> & { readonly data: Result }
  ) => void
  readonly readFragment: <Result = DataObject, Vars = Variables>(
    fragment: DocumentInput<Result, Vars>,
    entity: Entity,
    variables?: Vars,
    fragmentName?: string
  ) => Result | null
  readonly writeFragment: <Result = DataObject, Vars = Variables>(
    fragment: DocumentInput<Result, Vars>,
    data: Result,
    variables?: Vars,
    fragmentName?: string
  ) => void
  readonly link: {
    (entity: Entity, fieldName: string, link: LinkInput): void
    (entity: Entity, fieldName: string, args: Variables | null, link: LinkInput): void
  }
  readonly list: (nameOrField: string, options?: ListOptions) => ListHandle
  readonly markStale: (typename?: string, options?: MarkStaleOptions) => void
}

/**
 * An updater of a mutation or subscription field: `(result, args, cache, info)`.
 *
 * @since 0.1.0
 * @category models
 */
export type Updater = (result: DataObject, args: Variables, cache: Cache, info: ResolveInfo) => void

/**
 * An optimistic function of a mutation field: returns the result it expects from the server.
 *
 * @since 0.1.0
 * @category models
 */
export type OptimisticResolver = (args: Variables, cache: Cache, info: ResolveInfo) => DataField

/**
 * How a type's entities are keyed: a function of the entity (`null` or `undefined` when it has no
 * key), or `null` for an embedded type (stored inside its parent, never normalized).
 *
 * @since 0.1.0
 * @category models
 */
export type KeyGenerator = ((data: DataObject) => string | null | undefined) | null

/**
 * A local resolver `(parent, args, cache, info)`: computes a field when it is read, from its
 * parent's stored fields (by field key) and the cache's `resolve`, `inspectFields`, `keyOfEntity`
 * (other calls throw `InvalidCacheCall`). A field with a selection resolves to entities (keys or
 * keyable objects, null, lists of them: a cache redirect); a scalar field to its value; `undefined`
 * is a missing field.
 *
 * @since 0.1.0
 * @category models
 */
export type ResolverFunction = (parent: DataObject, args: Variables, cache: Cache, info: ResolveInfo) => unknown

/**
 * A field resolver: a {@link ResolverFunction}, or a pagination helper ({@link relayPagination},
 * {@link simplePagination}).
 *
 * @since 0.1.0
 * @category models
 */
export type Resolver = ResolverFunction | Pagination

/**
 * A pagination helper's configuration, as built by {@link relayPagination} or {@link simplePagination}.
 *
 * @since 0.1.0
 * @category models
 */
export type Pagination = pagination.Pagination

/**
 * An introspected schema (`{ __schema }`, the result of the introspection query).
 *
 * @since 0.1.0
 * @category models
 */
export type SchemaIntrospection = Introspection

/**
 * Graphcache's configuration. Without `keys` for a type, an entity is keyed by `id` or `_id`
 * (and embedded when it has neither). With `schema`, reads of data the graph lacks return partial
 * results where the schema allows nulls (`complete: false`), and fragments on interfaces and
 * unions match exactly (without it, a fragment on a type never seen as a `__typename` or in
 * `keys` is taken for an interface and matches every type).
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  readonly keys?: { readonly [typename: string]: KeyGenerator }
  readonly resolvers?: { readonly [typename: string]: { readonly [fieldName: string]: Resolver } }
  readonly updates?: {
    readonly Mutation?: { readonly [fieldName: string]: Updater }
    readonly Subscription?: { readonly [fieldName: string]: Updater }
  }
  readonly optimistic?: { readonly [mutationField: string]: OptimisticResolver }
  readonly schema?: SchemaIntrospection
}

/**
 * Options of `mutate`: the mutation, its variables and how to run it (its result's `data`).
 *
 * @since 0.1.0
 * @category models
 */
export interface MutateOptions<Result, Vars, E, R> {
  readonly query: DocumentInput<Result, Vars>
  readonly variables?: Vars
  readonly run: Effect.Effect<Result, E, R>
}

/**
 * A read with the dependency keys it reached (its root fields and the entity fields below them),
 * the keys `onChange` reports: what urql's exchange indexes its active queries by. Partial data
 * comes back (`complete: false`) wherever a field may be null: under `@_optional`, and where the
 * schema allows it.
 *
 * @since 0.1.0
 * @category models
 */
export interface TrackedRead<A> extends ReadResult<A> {
  readonly dependencies: ReadonlySet<string>
  /** When nothing could be read: the first of the document's root fields the graph has no value for. */
  readonly missing?: { readonly field: string; readonly args: Variables | null }
}

/**
 * A mutation's optimistic results, written at once in a layer of their own; `drop` removes the
 * layer (once; later calls do nothing).
 *
 * @since 0.1.0
 * @category models
 */
export interface OptimisticLayer {
  readonly drop: () => void
}

/**
 * A place reserved for a query's result when the query is sent: results written there lie under
 * the results of operations sent later, whatever order they arrive in (Graphcache's
 * commutativity). A layer whose results below have all arrived is merged into the graph.
 *
 * @since 0.1.0
 * @category models
 */
export interface ResultLayer {
  /** Writes the result into the reserved place (as `writeResultSync`). */
  readonly write: <Result = DataObject, Vars = Variables>(
    input: QueryInput<Result, Vars> & { readonly data: Result }
  ) => Exit.Exit<Result, InvalidCacheCall>
  /** Gives the place up: no result will come (the query was torn down). */
  readonly close: () => void
}

/**
 * The documents front end's operations.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** The graph the documents read and write. */
  readonly graph: EntityGraph["Type"]
  /** Reads a query from the graph (with a `schema`, partial data comes back with `complete: false`). */
  readonly readQuery: <Result = DataObject, Vars = Variables>(
    input: QueryInput<Result, Vars>
  ) => Effect.Effect<ReadResult<Result>>
  /** `readQuery` for synchronous callers (urql's exchange, render code): the same read, at once. */
  readonly readQuerySync: <Result = DataObject, Vars = Variables>(input: QueryInput<Result, Vars>) => ReadResult<Result>
  /** `readQuerySync` with the dependency keys the read reached (see {@link TrackedRead}). */
  readonly readQueryTracked: <Result = DataObject, Vars = Variables>(
    input: QueryInput<Result, Vars>
  ) => TrackedRead<Result>
  /**
   * `writeResult` at once (above the reserved places still waiting for their results), returning
   * the data as read back: a mutation's or subscription's fields
   * with their entities as the graph now has them (local resolvers applied; the result's own value
   * where one cannot be read back), a query's data as given.
   */
  readonly writeResultSync: <Result = DataObject, Vars = Variables>(
    input: QueryInput<Result, Vars> & { readonly data: Result }
  ) => Exit.Exit<Result, InvalidCacheCall>
  /** Reserves a place for a query's result, above the results of the operations sent before it. */
  readonly reserveLayer: () => ResultLayer
  /** Calls `listener` with the dependency keys each write changed, as it is made; returns its stop function. */
  readonly onChange: (listener: (changed: ReadonlySet<string>) => void) => () => void
  /**
   * Writes a mutation's optimistic results (from the `optimistic` functions, with their updaters)
   * at once in a layer of its own; null when no field of it has an optimistic function (or one failed).
   */
  readonly applyOptimistic: <Result = DataObject, Vars = Variables>(
    input: QueryInput<Result, Vars>
  ) => OptimisticLayer | null
  /** Writes a query's data (a priming write, as a server result is written). */
  readonly writeQuery: <Result = DataObject, Vars = Variables>(
    input: QueryInput<Result, Vars> & { readonly data: Result }
  ) => Effect.Effect<void>
  /** Reads a fragment of an entity; null when anything is missing. */
  readonly readFragment: <Result = DataObject, Vars = Variables>(
    fragment: DocumentInput<Result, Vars>,
    entity: Entity,
    variables?: Vars,
    fragmentName?: string
  ) => Effect.Effect<Result | null>
  /** Writes a result of an operation: a query's data, or a mutation's or subscription's (running their updaters). */
  readonly writeResult: <Result = DataObject, Vars = Variables>(
    input: QueryInput<Result, Vars> & { readonly data: Result }
  ) => Effect.Effect<void, InvalidCacheCall>
  /** Runs `f` with a synchronous cache whose writes form one change; the cache fails once `f` returns. */
  readonly update: <A>(f: (cache: Cache) => A) => Effect.Effect<A, InvalidCacheCall>
  /** Runs a mutation: optimistic results at once in a layer of their own, then the real result and the updaters. */
  readonly mutate: <Result, Vars, E, R>(
    options: MutateOptions<Result, Vars, E, R>
  ) => Effect.Effect<Result, E | InvalidCacheCall, R>
  /** The key of an entity, or null when it has none. */
  readonly keyOfEntity: (entity: Entity) => string | null
  /** Removes an entity (or a type's entities, given a typename), a field, or a field with arguments. */
  readonly invalidate: (entity: Entity, fieldName?: string, args?: Variables | null) => Effect.Effect<void>
  /** Marks data stale (Houdini): everything, a type's entities, or one field of them, optionally called `when`. */
  readonly markStale: (typename?: string, options?: MarkStaleOptions) => Effect.Effect<void>
  /** Houdini's list operations, each one change to the graph. */
  readonly list: (nameOrField: string, options?: ListOptions) => {
    readonly [K in keyof ListHandle]: (entity: Entity) => Effect.Effect<void>
  }
  /** The read results of a query: the current one, then one each time data it read changes. */
  readonly watch: <Result = DataObject, Vars = Variables>(
    input: QueryInput<Result, Vars>
  ) => Stream.Stream<ReadResult<Result>>
  /**
   * Calls `onChange` with a query's new read result each time data it read changes; returns the function that stops it.
   */
  readonly subscribe: <Result = DataObject, Vars = Variables>(
    input: QueryInput<Result, Vars>,
    onChange: (result: ReadResult<Result>) => void
  ) => () => void
}

/**
 * The documents front end of the graph.
 *
 * @since 0.1.0
 * @category tags
 */
export class Documents extends Context.Tag("@cachet/normalize/Documents")<Documents, Service>() {}

/**
 * Builds the documents front end over the `EntityGraph` in context; its watchers are removed from
 * the graph when the scope closes.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (config: Options = {}): Effect.Effect<Service, never, EntityGraph | Scope.Scope> =>
  internal.make(config)

/**
 * The documents front end over the `EntityGraph` layer below it.
 *
 * @example
 * ```ts
 * import { Documents, EntityGraph } from "@cachet/normalize"
 * import { Effect, Layer } from "effect"
 *
 * const TodoList = `query TodoList { todos { id text } }`
 *
 * const program = Effect.gen(function*() {
 *   const docs = yield* Documents.Documents
 *   yield* docs.writeQuery({ query: TodoList, data: { todos: [{ __typename: "Todo", id: "1", text: "one" }] } })
 *   const { complete, data } = yield* docs.readQuery({ query: TodoList })
 *   return { complete, data }
 * })
 *
 * const DocumentsLive = Documents.layer({ keys: { Address: null } }).pipe(Layer.provide(EntityGraph.layer()))
 * export const result = await Effect.runPromise(program.pipe(Effect.provide(DocumentsLive)))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (config: Options = {}): Layer.Layer<Documents, never, EntityGraph> =>
  Layer.scoped(Documents, make(config))

/**
 * Relay cursor pagination (urql's `relayPagination`): the pages of a connection field, told apart
 * by `first`/`last`/`after`/`before`, read as one connection whose `edges` (or `nodes`) are the
 * pages' in cursor order and whose `pageInfo` spans them.
 *
 * @since 0.1.0
 * @category resolvers
 */
export const relayPagination: () => Pagination = pagination.relayPagination

/**
 * Offset pagination (urql's `simplePagination`): the pages of a list field, told apart by the
 * offset and limit arguments (default `skip` and `limit`), read as one list in offset order.
 *
 * @since 0.1.0
 * @category resolvers
 */
export const simplePagination: (options?: {
  readonly offsetArgument?: string
  readonly limitArgument?: string
}) => Pagination = pagination.simplePagination
