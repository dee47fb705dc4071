/**
 * `QueryCache` integration: a normalized query stores its result in the entity graph and tags
 * its cache entry with `<Type>/<key>` for every entity the result contains — the entity tags of
 * Cachet's one tag model (`docs/concepts/tags.md`), the same a REST write or a GraphQL fragment
 * uses; a graph built with {@link layer} invalidates those tags whenever an entity changes in the
 * graph, so a `writeFragment` on a user drops every cached result that shows that user, and
 * invalidating `User/1` (or anything below it, such as `User/1/posts`) refetches them.
 *
 * @since 0.1.0
 */
import type { Key } from "@cachet/core"
import { Cache, QueryCache, Tag } from "@cachet/core"
import type { Schema } from "effect"
import { Context, Effect, Either, Exit, FiberRef, Layer, Queue } from "effect"
import { Schema as S } from "effect"

import * as EntityGraph from "./EntityGraph.js"
import * as internal from "./internal/graph.js"
import * as keys from "./internal/keys.js"
import type { Plan } from "./internal/plan.js"
import { makeCompiler } from "./internal/plan.js"

/**
 * The tag of an entity key: `User:1` → `User/1`.
 *
 * @since 0.1.0
 * @category tags
 */
export const entityTag = (entityKey: string): Tag.Tag | undefined => {
  const typename = keys.typenameOf(entityKey)
  if (typename === undefined || typename === keys.ROOT) return undefined
  return Tag.make(typename, entityKey.slice(typename.length + 1))
}

/**
 * The tags `<Type>/<key>` of every entity a value of a Schema contains.
 *
 * @since 0.1.0
 * @category tags
 */
export const entityTags = <A, I>(schema: Schema.Schema<A, I>, value: A): ReadonlyArray<Tag.Tag> => {
  const plan = makeCompiler().compile(schema.ast)
  const found = new Map<string, Tag.Tag>()
  const visit = (p: Plan, v: unknown): void => {
    if (v === null || v === undefined) return
    switch (p._tag) {
      case "Leaf":
        return
      case "Array":
        if (Array.isArray(v)) { for (const item of v) visit(p.item, item) }
        return
      case "Union":
        for (const member of p.members) {
          if (member._tag !== "Leaf" && member.guard(v)) return visit(member, v)
        }
        return
      case "Object": {
        if (typeof v !== "object") return
        if (p.entity !== undefined) {
          const key = keys.entityKey(p.entity, v)
          const tag = key === undefined ? undefined : entityTag(key)
          if (key !== undefined && tag !== undefined) found.set(key, tag)
        }
        for (const field of p.fields) visit(field.plan, (v as Record<string, unknown>)[field.name])
        return
      }
    }
  }
  visit(plan, value)
  return [...found.values()]
}

const inLookup = FiberRef.unsafeMake(false)

/**
 * Makes a `QueryCache` query normalized: its lookup's result is written to the graph under the
 * root field `field` (with the query's encoded arguments), and its entry is tagged with the
 * entity tags of the result, besides its own tags.
 *
 * @since 0.1.0
 * @category constructors
 */
export const query = <Args, ArgsI, A, AI, E = never, EI = never, R = never, T extends Cache.Timeout = {}>(
  field: string,
  options: QueryCache.QueryOptions<Args, ArgsI, A, AI, E, EI, R, T>
): QueryCache.Query<Args, ArgsI, A, AI, E, EI, R | EntityGraph.EntityGraph, T> => {
  const encodeArgs = S.encodeEither(options.args)
  const own = options.tags
  return QueryCache.query<Args, ArgsI, A, AI, E, EI, R | EntityGraph.EntityGraph, T>({
    ...options,
    tags: (args, exit) => {
      const base = own === undefined ? [] : Tag.normalize(own(args, exit))
      const entities = Exit.isSuccess(exit) ? entityTags(options.success, exit.value).map(Tag.toString) : []
      return [...base, ...entities]
    },
    lookup: (args) =>
      Effect.tap(options.lookup(args), (data) =>
        Effect.flatMap(EntityGraph.EntityGraph, (graph) => {
          const encoded = encodeArgs(args)
          const graphArgs = Either.isRight(encoded) && typeof encoded.right === "object" && encoded.right !== null
            ? (encoded.right as { readonly [key: string]: Key.Part })
            : Either.isRight(encoded)
            ? { value: encoded.right as Key.Part }
            : undefined
          return Effect.locally(graph.writeQuery(field, graphArgs, options.success, data), inLookup, true)
        }))
  })
}

/**
 * The entity graph of normalized queries, kept in step with the `Cache` both ways: a change of
 * an entity in the graph invalidates `<Type>/<key>` in the cache, and invalidating (or expiring)
 * that tag or one below it (`<Type>/<key>/<field>`) in the cache invalidates (or marks stale) that
 * entity in the graph — `<Type>` covers the whole type. Tags whose first segment is not a type the
 * graph holds (REST paths such as `users/1/posts`) reach nothing in the graph.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: Omit<EntityGraph.Options, "onChange"> = {}
): Layer.Layer<EntityGraph.EntityGraph, never, Cache.Cache> =>
  Layer.scopedContext(
    Effect.gen(function*() {
      const cache = yield* Cache.Cache
      // Tags the graph itself invalidated in the cache: their echo must not come back to the graph.
      const echoes = new Map<string, number>()
      const internals = yield* internal.make({
        ...options,
        onChange: (entityKeys) =>
          Effect.flatMap(FiberRef.get(inLookup), (skip) => {
            if (skip) return Effect.void
            const tags = entityKeys.flatMap((key) => {
              const tag = entityTag(key)
              return tag === undefined ? [] : [tag]
            })
            if (tags.length === 0) return Effect.void
            for (const tag of Tag.normalize(tags)) echoes.set(tag, (echoes.get(tag) ?? 0) + 1)
            return cache.invalidate(tags)
          })
      })
      const graph = internals.graph
      const invalidations = yield* cache.invalidations
      yield* Queue.take(invalidations).pipe(
        Effect.flatMap(({ mode, tags }) =>
          Effect.forEach(tags, (tag) => {
            const echoed = echoes.get(tag)
            if (echoed !== undefined) {
              if (echoed <= 1) echoes.delete(tag)
              else echoes.set(tag, echoed - 1)
              return Effect.void
            }
            const [typename, id] = Tag.segments(Tag.parse(tag))
            if (typename === undefined || typename === keys.ROOT) return Effect.void
            if (id === undefined) {
              return mode === "hard" ? graph.invalidateType(typename) : graph.markStale(typename)
            }
            const entityKey = `${typename}:${id}`
            return mode === "hard" ? graph.invalidate(entityKey) : graph.markStale(entityKey)
          }, { discard: true })
        ),
        Effect.forever,
        Effect.forkScoped
      )
      return Context.make(EntityGraph.EntityGraph, graph).pipe(Context.add(internal.GraphInternals, internals))
    })
  )
