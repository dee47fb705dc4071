/**
 * A normalized entity graph: every entity stored once (records and links), root fields on the
 * `Query` entity under keys with canonical arguments, reads that rebuild only what changed,
 * updaters, optimistic layers, staleness, retention with GC, and watchers.
 *
 * @since 0.1.0
 */
import type { Key, Policy as CorePolicy, Store } from "@cachet/core"
import type { Duration, Schema, Scope, Stream } from "effect"
import { Context, Effect, Layer } from "effect"

import * as errors from "./internal/errors.js"
import * as internal from "./internal/graph.js"

/**
 * Field arguments: a JSON-like object (stored canonically, keys sorted), or none.
 *
 * @since 0.1.0
 * @category models
 */
export type Args = { readonly [key: string]: Key.Part } | null | undefined

/**
 * An entity: its key (`"User:1"`, `"Query"`) or a keyable object (`{ __typename: "User", id: "1" }`,
 * keyed by the keys its entity Schema declares).
 *
 * @since 0.1.0
 * @category models
 */
export type EntityRef = string | { readonly __typename: string; readonly [field: string]: unknown }

/**
 * A link stored on a field: an entity key, null, or nested lists of them.
 *
 * @since 0.1.0
 * @category models
 */
export type Link = string | null | ReadonlyArray<Link>

/**
 * The result of a read. `data` is `null` when the graph cannot fulfil the read (or, with
 * `partial: true`, when a missing required field has no nullable parent); `complete` is false
 * when anything was missing; `stale` is true when anything read was marked stale or outlived
 * `defaultLifetime`.
 *
 * @since 0.1.0
 * @category models
 */
export interface ReadResult<A> {
  readonly data: A | null
  readonly complete: boolean
  readonly stale: boolean
}

/**
 * Read options. With `partial: true`, missing nullable fields read as null, missing optional
 * fields are left out, and a missing required field nulls its nearest nullable parent.
 *
 * @since 0.1.0
 * @category models
 */
export interface ReadOptions {
  readonly partial?: boolean
}

/**
 * A field known on an entity, as listed by `inspectFields`.
 *
 * @since 0.1.0
 * @category models
 */
export interface FieldInfo {
  readonly fieldName: string
  readonly arguments: Readonly<Record<string, unknown>> | null
  readonly fieldKey: string
}

/**
 * Which fields `markStale` marks: all of them, the fields of a name (any arguments), or the one
 * field of a name called `when` given arguments.
 *
 * @since 0.1.0
 * @category models
 */
export interface MarkStaleOptions {
  readonly field?: string
  readonly when?: { readonly [key: string]: Key.Part }
}

/**
 * Options of a graph.
 *
 * - `cacheBufferSize`: how many recent root queries `gc()` keeps besides the watched and
 *   retained ones (default 10).
 * - `defaultLifetime`: data older than this reads as stale.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  readonly cacheBufferSize?: number
  readonly defaultLifetime?: Duration.DurationInput
  /** Runs after every change with the keys of the entities that changed (used by `NormalizedQuery.layer`). */
  readonly onChange?: (entityKeys: ReadonlyArray<string>) => Effect.Effect<void>
}

/**
 * A transaction object used after the updater (or optimistic function) it was given to has
 * returned: urql's "(2) Invalid Cache Call".
 *
 * @since 0.1.0
 * @category errors
 */
export const InvalidCacheCall: typeof errors.InvalidCacheCall = errors.InvalidCacheCall

/**
 * A transaction object used after the updater (or optimistic function) it was given to has
 * returned: urql's "(2) Invalid Cache Call".
 *
 * @since 0.1.0
 * @category errors
 */
export type InvalidCacheCall = errors.InvalidCacheCall

/**
 * The cache handle given to updaters and optimistic functions: the operations it shares with
 * {@link Service}, failing with `InvalidCacheCall`. They apply to the mutation's layer
 * (optimistic) or to the base (real result) and fail once the function it was given to has
 * returned.
 *
 * @since 0.1.0
 * @category models
 */
export type Tx = Operations<InvalidCacheCall>

/**
 * An updater: receives the mutation's result, its arguments and a transaction.
 *
 * @since 0.1.0
 * @category models
 */
export type Updater<A, Args> = (result: A, args: Args, tx: Tx) => Effect.Effect<unknown, InvalidCacheCall>

/**
 * Options of `mutate`. `schema` describes the result so the entities in it are written to the
 * graph; without it, the objects of the result whose `__typename` names an entity Schema the
 * graph has seen are written by that Schema (a warning is logged when nothing is written and no
 * updater runs). `optimistic` builds a result applied at once in a layer of its own; `updates`
 * run with the optimistic result in that layer, then with the real result on the base.
 *
 * @since 0.1.0
 * @category models
 */
export interface MutateOptions<A, Args, E, R, AI = unknown> {
  readonly name: string
  readonly args: Args
  readonly schema?: Schema.Schema<A, AI>
  readonly optimistic?: (args: Args, tx: Tx) => A | Effect.Effect<A, InvalidCacheCall>
  readonly run: Effect.Effect<A, E, R>
  readonly updates?: Updater<A, Args> | ReadonlyArray<Updater<A, Args>>
}

/**
 * Options of `query`: the root field, its arguments and Schema, how to fetch it, the policy
 * (default `CacheOrNetwork`) and whether partial cached data may be returned.
 *
 * @since 0.1.0
 * @category models
 */
export interface QueryOptions<A, I, E, R> {
  readonly field: string
  readonly args?: Args
  readonly schema: Schema.Schema<A, I>
  readonly fetch: Effect.Effect<A, E, R>
  readonly policy?: CorePolicy.Policy
  readonly partial?: boolean
}

/**
 * Where a snapshot is kept in the `Store` (default key `cachet:normalize:snapshot`).
 *
 * @since 0.1.0
 * @category models
 */
export interface SnapshotOptions {
  readonly key?: string
}

/**
 * The operations a graph's {@link Service} and a transaction ({@link Tx}) share, each failing
 * with `E`: nothing for the service, `InvalidCacheCall` for a transaction used after its updater
 * returned.
 *
 * @since 0.1.0
 * @category models
 */
export interface Operations<E = never> {
  /** Writes the data of a root field (and every entity in it). */
  readonly writeQuery: <A, I>(field: string, args: Args, schema: Schema.Schema<A, I>, data: A) => Effect.Effect<void, E>
  /** Reads a root field through the graph. */
  readonly readQuery: <A, I>(
    field: string,
    args: Args,
    schema: Schema.Schema<A, I>,
    options?: ReadOptions
  ) => Effect.Effect<ReadResult<A>, E>
  /** Writes an entity (its key read from the data); returns its key, or null if it has none. */
  readonly writeFragment: <A, I>(schema: Schema.Schema<A, I>, data: A) => Effect.Effect<string | null, E>
  /** Reads an entity by key. */
  readonly readFragment: <A, I>(
    schema: Schema.Schema<A, I>,
    entity: EntityRef,
    options?: ReadOptions
  ) => Effect.Effect<ReadResult<A>, E>
  /** Reads a root field, lets `f` change a copy (or null), and writes back what it returns (unless null). */
  readonly updateQuery: <A, I>(
    field: string,
    args: Args,
    schema: Schema.Schema<A, I>,
    f: (data: A | null) => A | null
  ) => Effect.Effect<void, E>
  /** Sets the link of a field. */
  readonly link: {
    (entity: EntityRef, fieldKey: string, links: Link): Effect.Effect<void, E>
    (entity: EntityRef, field: string, args: Args, links: Link): Effect.Effect<void, E>
  }
  /** The link or record of a field (`undefined` when unknown). */
  readonly resolve: (entity: EntityRef, field: string, args?: Args) => Effect.Effect<unknown, E>
  /** Every field known on an entity. */
  readonly inspectFields: (entity: EntityRef) => Effect.Effect<ReadonlyArray<FieldInfo>, E>
  /** The key of an entity, or null when it is not keyable. */
  readonly keyOf: (entity: EntityRef) => Effect.Effect<string | null, E>
  /** Removes an entity's data, or one of its fields: reads that need it become incomplete. */
  readonly invalidate: (entity: EntityRef, field?: string, args?: Args) => Effect.Effect<void, E>
}

/**
 * The graph's operations.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service extends Operations {
  /** Removes the data of every entity of a type. */
  readonly invalidateType: (typename: string) => Effect.Effect<void>
  /**
   * Marks data stale (it still reads, flagged `stale: true`, until written again): everything,
   * a type (a typename), or one entity (a key or keyable object), optionally one field name, or
   * one field with given arguments.
   */
  readonly markStale: (target?: EntityRef, options?: MarkStaleOptions) => Effect.Effect<void>
  /** Runs a mutation with optional optimistic result and updaters. */
  readonly mutate: <A, Args, E, R, AI = unknown>(
    options: MutateOptions<A, Args, E, R, AI>
  ) => Effect.Effect<A, E | InvalidCacheCall, R>
  /**
   * Removes root fields outside the retained set and every entity they no longer reach; returns how many entities were
   * removed.
   */
  readonly gc: () => Effect.Effect<number>
  /** Keeps a root field (and what it reaches) through `gc()` while the scope is open. */
  readonly retain: (field: string, args?: Args) => Effect.Effect<void, never, Scope.Scope>
  /** The read results of a root field: the current one, then one each time it changes. */
  readonly watch: <A, I>(
    field: string,
    args: Args,
    schema: Schema.Schema<A, I>,
    options?: ReadOptions
  ) => Stream.Stream<ReadResult<A>>
  /** Saves the base graph (not optimistic layers) and the recent queries, versioned, in the `Store`. */
  readonly snapshot: (options?: SnapshotOptions) => Effect.Effect<void, Store.StoreError, Store.Store>
  /** Loads a snapshot saved by `snapshot` into the graph; false when there is none (or of an unknown version). */
  readonly restore: (options?: SnapshotOptions) => Effect.Effect<boolean, Store.StoreError, Store.Store>
  /** Reads a root field under a cache policy, fetching it when needed. */
  readonly query: {
    <A, I, E, R>(
      options: QueryOptions<A, I, E, R> & { readonly policy: "CacheAndNetwork" }
    ): Stream.Stream<ReadResult<A>, E, R>
    <A, I, E, R>(
      options: QueryOptions<A, I, E, R> & { readonly policy?: Exclude<CorePolicy.Policy, "CacheAndNetwork"> }
    ): Effect.Effect<ReadResult<A>, E, R>
  }
}

/**
 * The entity graph service.
 *
 * @since 0.1.0
 * @category tags
 */
export class EntityGraph extends Context.Tag("@cachet/normalize/EntityGraph")<EntityGraph, Service>() {}

/**
 * Builds a graph held in memory; background refreshes are scoped to the given scope.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options = {}): Effect.Effect<Service, never, Scope.Scope> =>
  Effect.map(internal.make(options), (internals) => internals.graph)

/**
 * A graph held in memory.
 *
 * @example
 * ```ts
 * import { EntityGraph, Normalize } from "@cachet/normalize"
 * import { Effect, Schema } from "effect"
 *
 * const Author = Normalize.entity(Schema.Struct({ id: Schema.String, name: Schema.String }), { typename: "Author" })
 * const Post = Normalize.entity(Schema.Struct({ id: Schema.String, title: Schema.String, author: Author }), {
 *   typename: "Post"
 * })
 *
 * const program = Effect.gen(function*() {
 *   const graph = yield* EntityGraph.EntityGraph
 *   yield* graph.writeQuery("post", { id: "p1" }, Post, { id: "p1", title: "One", author: { id: "a1", name: "Ada" } })
 *   // The author is stored once: a write through any query is seen by every query that reaches it.
 *   yield* graph.writeQuery("author", { id: "a1" }, Author, { id: "a1", name: "Ada L." })
 *   const { data } = yield* graph.readQuery("post", { id: "p1" }, Post)
 *   return data?.author.name // "Ada L."
 * })
 *
 * export const result = await Effect.runPromise(program.pipe(Effect.provide(EntityGraph.layer())))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options = {}): Layer.Layer<EntityGraph> =>
  Layer.scopedContext(
    Effect.map(
      internal.make(options),
      (internals) => Context.make(EntityGraph, internals.graph).pipe(Context.add(internal.GraphInternals, internals))
    )
  )
