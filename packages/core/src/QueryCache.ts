/**
 * The t87s model in Effect: a tag hierarchy, and named queries whose arguments and results are
 * Schemas, whose lookups run only on misses, and whose entries carry tags built from the
 * arguments, so invalidating `users/123` refetches that user, their posts and comments.
 *
 * @since 0.1.0
 */
import type { SchemaAST } from "effect"
import type { Context, Duration, Exit } from "effect"
import { Effect, Either, Schema } from "effect"

import * as Cache from "./Cache.js"
import * as Codec from "./Codec.js"
import * as Key from "./Key.js"
import type * as Policy from "./Policy.js"
import * as Tag from "./Tag.js"

/**
 * @since 0.1.0
 * @category type ids
 */
export const QueryTypeId: unique symbol = Symbol.for("@cachet/core/QueryCache/Query")

/**
 * @since 0.1.0
 * @category type ids
 */
export type QueryTypeId = typeof QueryTypeId

/**
 * What defines a query.
 *
 * @since 0.1.0
 * @category models
 */
export interface QueryOptions<Args, ArgsI, A, AI, E, EI, R, T extends Cache.Timeout> {
  /** The arguments' Schema: they are encoded by it into the key. */
  readonly args: Schema.Schema<Args, ArgsI, never>
  /** The result's Schema: how it is stored; its digest is part of the key. */
  readonly success: Schema.Schema<A, AI, never>
  /** The typed failure's Schema: when given, failures are cached too (for `failureTtl`). */
  readonly error?: Schema.Schema<E, EI, never>
  /** The entry's tags, from the arguments (and the outcome, when it matters). */
  readonly tags?: (args: Args, exit: Exit.Exit<A, E>) => Tag.Input
  readonly ttl?: Duration.DurationInput | ((exit: Exit.Exit<A, E>) => Duration.DurationInput)
  readonly grace?: Duration.DurationInput
  /** How long a typed failure is cached when `error` is given (default 30 seconds). */
  readonly failureTtl?: Duration.DurationInput
  /** Store the result only if this holds. */
  readonly when?: (args: Args, value: A) => boolean
  readonly timeout?: T
  /** Runs on a miss. */
  readonly lookup: (args: Args) => Effect.Effect<A, E, R>
}

/**
 * A declared query.
 *
 * @since 0.1.0
 * @category models
 */
export interface Query<Args, ArgsI, A, AI, E, EI, R, T extends Cache.Timeout>
  extends QueryOptions<Args, ArgsI, A, AI, E, EI, R, T>
{
  readonly [QueryTypeId]: QueryTypeId
}

/**
 * Any query, for constraints.
 *
 * @since 0.1.0
 * @category models
 */
export interface Any {
  readonly [QueryTypeId]: QueryTypeId
}

/**
 * Declares a query.
 *
 * @since 0.1.0
 * @category constructors
 */
export const query = <Args, ArgsI, A, AI, E = never, EI = never, R = never, T extends Cache.Timeout = {}>(
  options: QueryOptions<Args, ArgsI, A, AI, E, EI, R, T>
): Query<Args, ArgsI, A, AI, E, EI, R, T> => ({ ...options, [QueryTypeId]: QueryTypeId })

/**
 * Per-call options of a query method.
 *
 * @since 0.1.0
 * @category models
 */
export interface CallOptions<P extends Policy.Policy> {
  readonly policy?: P
}

/**
 * The method a query becomes: arguments in, the (cached) result out.
 *
 * @since 0.1.0
 * @category models
 */
export type Method<Q> = Q extends
  Query<infer Args, infer _ArgsI, infer A, infer _AI, infer E, infer _EI, infer _R, infer T>
  ? <P extends Policy.Policy = "CacheOrNetwork">(
    args: Args,
    options?: CallOptions<P>
  ) => Policy.Result<P, A, E | Cache.TimeoutErrorOf<T>, never>
  : never

/**
 * The services the lookups of some queries need.
 *
 * @since 0.1.0
 * @category models
 */
export type Requirements<Q> = Q extends
  Query<infer _Args, infer _ArgsI, infer _A, infer _AI, infer _E, infer _EI, infer R, infer _T> ? R
  : never

/**
 * A query cache: one method per query, the typed tag builders, and invalidation.
 *
 * @since 0.1.0
 * @category models
 */
export type QueryCache<S extends Tag.Static<{}>, Q extends Record<string, Any>> =
  & { readonly [K in keyof Q]: Method<Q[K]> }
  & {
    /** The typed tag builders of the hierarchy. */
    readonly tags: Tag.BuildersOf<S>
    /**
     * Hard invalidation of tags and their descendants; never fails (deferred and replayed while
     * the store does not take it: see `Cache.Service.invalidate`).
     */
    readonly invalidate: (tags: Tag.Input) => Effect.Effect<void>
    /** Soft expiry of tags and their descendants (grace still applies); never fails, like `invalidate`. */
    readonly expire: (tags: Tag.Input) => Effect.Effect<void>
  }

const reserved = new Set(["tags", "invalidate", "expire"])

/**
 * Builds a query cache over the `Cache` in context. The lookups' requirements are taken from
 * the context when it is built, so the methods need nothing more.
 *
 * @example
 * ```ts
 * import { Cache, MemoryStore, QueryCache, Tag } from "@cachet/core"
 * import { Effect, Layer, Schema } from "effect"
 *
 * class User extends Schema.Class<User>("User")({ id: Schema.String, name: Schema.String }) {}
 *
 * // users/<id>/posts/<id>: invalidating a user also drops their posts.
 * const hierarchy = Tag.at("users", () => Tag.wild.at("posts", () => Tag.wild))
 *
 * const makeUsers = QueryCache.make({
 *   hierarchy,
 *   queries: (tags) => ({
 *     getUser: QueryCache.query({
 *       args: Schema.Struct({ id: Schema.String }),
 *       success: User,
 *       tags: ({ id }) => [tags.users(id)],
 *       lookup: ({ id }) => Effect.succeed(new User({ id, name: `User ${id}` }))
 *     })
 *   })
 * })
 *
 * const program = Effect.gen(function*() {
 *   const users = yield* makeUsers
 *   const user = yield* users.getUser({ id: "1" }) // a miss: the lookup runs
 *   yield* users.invalidate(users.tags.users("1")) // the user and everything under it
 *   return user
 * })
 *
 * const CacheLive = Cache.layer().pipe(Layer.provide(MemoryStore.layer()))
 * export const result = await Effect.runPromise(program.pipe(Effect.provide(CacheLive)))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = <const S extends Tag.Static<{}>, const Q extends Record<string, Any>>(options: {
  /**
   * The tag hierarchy (`Tag.at(...)`) the queries' tags are built from (named apart from the
   * `schema` of a value, which a query calls `success`).
   */
  readonly hierarchy: S
  readonly queries: (tags: Tag.BuildersOf<S>) => Q
}): Effect.Effect<QueryCache<S, Q>, never, Cache.Cache | Requirements<Q[keyof Q]>> =>
  Effect.gen(function*() {
    const cache = yield* Cache.Cache
    const context = (yield* Effect.context<Requirements<Q[keyof Q]>>()) as Context.Context<unknown>
    const tags = Tag.builders(options.hierarchy)
    const queries = options.queries(tags)
    const clash = Object.keys(queries).find((name) => reserved.has(name))
    if (clash !== undefined) return yield* Effect.dieMessage(`QueryCache: a query may not be named "${clash}"`)
    const methods: Record<string, unknown> = {}
    for (const [name, definition] of Object.entries(queries)) {
      methods[name] = method(cache, name, definition as unknown as Untyped, context)
    }
    return {
      ...methods,
      tags,
      invalidate: cache.invalidate,
      expire: cache.expire
    } as QueryCache<S, Q>
  })

type Untyped = Query<unknown, unknown, unknown, unknown, unknown, unknown, unknown, Cache.Timeout>

const method = (cache: Cache.Service, name: string, query: Untyped, context: Context.Context<unknown>) => {
  const digest = query.error === undefined
    ? Codec.digest(query.success)
    : Key.digest(Codec.digest(query.success) + Codec.digest(query.error)).slice(0, 12)
  // Every key of this query starts the same way: `Key.make([name, digest], args)` built once.
  const head = `${Key.escapeSegment(name)}:${Key.escapeSegment(digest)}:`
  const argsSchema = query.args as Schema.Schema<unknown, unknown, never>
  const asIs = encodesAsIs(argsSchema.ast)
  const encodeArgs = asIs ? undefined : Schema.encodeEither(argsSchema)
  const keyOf = asIs
    ? keyBuilder(head, argsSchema.ast)
    : (keyArgs: unknown) => Key.bound(head + Key.canonical(keyArgs as Key.Part))
  const { error, failureTtl, grace, success, tags, timeout, ttl, when } = query
  const failures = error === undefined
    ? undefined
    : { schema: error, ...(failureTtl !== undefined ? { ttl: failureTtl } : {}) }
  return (args: unknown, callOptions?: CallOptions<Policy.Policy>) => {
    let keyArgs = args
    if (encodeArgs !== undefined) {
      const encoded = encodeArgs(args)
      if (Either.isLeft(encoded)) {
        return Effect.dieMessage(`QueryCache.${name}: arguments do not match their Schema: ${encoded.left.message}`)
      }
      keyArgs = encoded.right
    }
    const key = keyOf(keyArgs)
    // The lookup is built, and given its services, only when the cache actually fetches.
    const fetch = Effect.suspend(() => Effect.provide(query.lookup(args), context))
    // One flat object (absent options are undefined, which the cache treats as unset): object
    // spreads on this path cost more than the cache hit itself.
    const options = {
      schema: success,
      ttl,
      grace,
      timeout,
      failures,
      tags: tags === undefined ? undefined : (exit: Exit.Exit<unknown, unknown>) => tags(args, exit),
      when: when === undefined ? undefined : (value: unknown) => when(args, value),
      policy: callOptions?.policy ?? "CacheOrNetwork"
    } as unknown as
      & Cache.FetchOptions<unknown, unknown, unknown, unknown, Policy.Policy, Cache.Timeout, never>
      & { readonly schema: Schema.Schema<unknown, unknown, never> }
    return cache.getOrFetch(key, fetch, options)
  }
}

/** How many keys of one-field arguments a query remembers (then it forgets them all and starts again). */
const REMEMBERED_KEYS = 16_384

/**
 * The key of a query's arguments (given as they are): `head` + their canonical text, bounded.
 * Arguments of one scalar field (`{ id }`, the common case) have their keys remembered by that
 * value, so a repeated call builds no string and the cache hashes one it has seen before.
 */
const keyBuilder = (head: string, ast: SchemaAST.AST): (args: unknown) => string => {
  const build = (args: unknown) => Key.bound(head + Key.canonical(args as Key.Part))
  const field = ast._tag === "TypeLiteral" && ast.propertySignatures.length === 1 && ast.indexSignatures.length === 0
    ? ast.propertySignatures[0]!.name
    : undefined
  if (typeof field !== "string") return build
  const remembered = new Map<string | number, string>()
  return (args) => {
    if (typeof args !== "object" || args === null) return build(args)
    const record = args as Record<string, unknown>
    const value = record[field]
    if (typeof value !== "string" && typeof value !== "number") return build(args)
    // Only an object whose one key is the field (extra keys are part of the canonical text).
    let count = 0
    for (const _ in record) count++
    if (count !== 1) return build(args)
    let key = remembered.get(value)
    if (key === undefined) {
      key = build(args)
      if (remembered.size >= REMEMBERED_KEYS) remembered.clear()
      remembered.set(value, key)
    }
    return key
  }
}

/**
 * Whether values of a Schema encode to themselves as JSON-like data (no transformations or
 * declarations such as `Date` or classes), so a key can be built from the arguments directly.
 */
const encodesAsIs = (ast: SchemaAST.AST): boolean => {
  switch (ast._tag) {
    case "StringKeyword":
    case "NumberKeyword":
    case "BooleanKeyword":
    case "Literal":
    case "Enums":
    case "TemplateLiteral":
      return true
    case "Refinement":
      return encodesAsIs(ast.from)
    case "Union":
      return ast.types.every(encodesAsIs)
    case "TupleType":
      return ast.elements.every((element) => encodesAsIs(element.type)) &&
        ast.rest.every((rest) => encodesAsIs(rest.type))
    case "TypeLiteral":
      return ast.propertySignatures.every((property) => encodesAsIs(property.type)) &&
        ast.indexSignatures.every((index) => encodesAsIs(index.type))
    default:
      return false
  }
}
