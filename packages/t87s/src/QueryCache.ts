/**
 * `QueryCache`: typed queries declared once, each a method whose result is cached under the
 * query's name and arguments and tagged with tags from the schema's builders.
 *
 * @since 0.1.0
 */
import type { Duration } from "./Duration.js"
import { tagsOf } from "./internal/tagBuilder.js"
import type { Primitives } from "./Primitives.js"
import { createPrimitives, createQueryPromise } from "./Primitives.js"
import type { SchemaNode, TagsOf, TypedTag } from "./Schema.js"
import type { QueryPromise, RefreshResult, StorageAdapter } from "./Types.js"

/**
 * What a query returns: its tags, the function that fetches the value, and optionally its
 * own TTL, grace and `onRefresh`.
 *
 * @since 0.1.0
 * @category models
 */
export interface TypedQueryDef<T> {
  tags: Array<TypedTag>
  fn: () => Promise<T>
  ttl?: Duration
  grace?: Duration | false
  onRefresh?(result: RefreshResult<T>): void
}

/**
 * The queries of a cache: functions of their arguments returning a {@link TypedQueryDef}.
 *
 * @since 0.1.0
 * @category models
 */
export type QueryRecord = Record<string, (...args: Array<never>) => TypedQueryDef<unknown>>

/**
 * The methods a cache gets from its queries: same arguments, a {@link QueryPromise} of the value.
 *
 * @since 0.1.0
 * @category models
 */
export type QueriesToMethods<Q extends QueryRecord> = {
  readonly [K in keyof Q]: Q[K] extends (...args: infer A) => TypedQueryDef<infer T> ? (...args: A) => QueryPromise<T>
    : never
}

/**
 * The tag builders of a schema.
 *
 * @since 0.1.0
 * @category models
 */
export type SchemaToTags<S> = TagsOf<S>

/**
 * How `QueryCache` is set up.
 *
 * @since 0.1.0
 * @category models
 */
export interface QueryCacheOptions<S, Q extends QueryRecord> {
  schema: S
  adapter: StorageAdapter
  queries: (tags: SchemaToTags<S>) => Q
  /** Prepended to every key (default `qc`). */
  prefix?: string
  defaultTtl?: Duration
  defaultGrace?: Duration | false
  verifyPercent?: number
}

/**
 * A query cache: one method per query, plus `tags`, `primitives`, `invalidate`, `clear` and
 * `disconnect`.
 *
 * @since 0.1.0
 * @category models
 */
export type QueryCacheClient<S, Q extends QueryRecord> = QueriesToMethods<Q> & {
  readonly tags: SchemaToTags<S>
  readonly primitives: Primitives
  /** Invalidates entries tagged with `tag` or (unless `exact`) below it. */
  invalidate(tag: TypedTag, exact?: boolean): Promise<void>
  clear(): Promise<void>
  disconnect(): Promise<void>
}

/**
 * Builds a query cache. A query's entry is keyed by its name and its arguments' JSON, so
 * `fn` runs once per distinct arguments until the entry expires or a tag invalidates it.
 *
 * @example
 * ```ts
 * import { at, MemoryAdapter, QueryCache, wild } from "@cachet/t87s"
 *
 * const cache = QueryCache({
 *   schema: at("users", () => wild),
 *   adapter: new MemoryAdapter(),
 *   queries: (tags) => ({
 *     getUser: (id: string) => ({ tags: [tags.users(id)], fn: async () => ({ id, name: "Ada" }) })
 *   })
 * })
 *
 * export const user = await cache.getUser("1")
 * export const { before, after } = await cache.getUser("1").entries // a hit: after === before
 * await cache.invalidate(cache.tags.users("1"))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const QueryCache = <const S extends SchemaNode<unknown>, Q extends QueryRecord>(
  options: QueryCacheOptions<S, Q>
): QueryCacheClient<S, Q> => {
  const primitives = createPrimitives({
    adapter: options.adapter,
    prefix: options.prefix ?? "qc",
    ...(options.defaultTtl === undefined ? {} : { defaultTtl: options.defaultTtl }),
    ...(options.defaultGrace === undefined ? {} : { defaultGrace: options.defaultGrace }),
    ...(options.verifyPercent === undefined ? {} : { verifyPercent: options.verifyPercent })
  })
  const tags = tagsOf(options.schema) as SchemaToTags<S>
  const methods: Record<string, (...args: Array<unknown>) => QueryPromise<unknown>> = {}
  for (const [name, define] of Object.entries(options.queries(tags))) {
    methods[name] = (...args) => {
      const def = (define as (...args: Array<unknown>) => TypedQueryDef<unknown>)(...args)
      const query = {
        key: `${name}:${JSON.stringify(args)}`,
        tags: def.tags.map((tag) => tag.__path),
        fn: def.fn,
        ...(def.ttl === undefined ? {} : { ttl: def.ttl }),
        ...(def.grace === undefined ? {} : { grace: def.grace }),
        ...(def.onRefresh === undefined ? {} : { onRefresh: def.onRefresh })
      }
      return createQueryPromise(() => primitives.query(query), () => primitives.queryWithEntries(query))
    }
  }
  return {
    ...methods,
    tags,
    primitives,
    invalidate: (tag: TypedTag, exact?: boolean) => primitives.invalidate([tag.__path], exact ?? false),
    clear: () => primitives.clear(),
    disconnect: () => primitives.disconnect()
  } as unknown as QueryCacheClient<S, Q>
}
