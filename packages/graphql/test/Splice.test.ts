/**
 * Hits below the root: a nullable field or a non-null list is completed by the executor as
 * `null` / `[]` and its stored JSON put in the response afterwards; a non-null object is
 * replayed through the executor. Either way the response is the uncached one, no resolver at or
 * below a hit runs, and a miss enclosing a spliced hit stores (and later replays) its types.
 */
import { Cache, MemoryStore } from "@cachet/core"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import type { ExecutionResult } from "graphql"
import type { GraphQLFieldResolver, GraphQLInterfaceType, GraphQLObjectType } from "graphql"
import { buildSchema, execute as plainExecute, parse } from "graphql"

import { GraphQLCache } from "../src/index.js"

const typeDefs = `${GraphQLCache.directiveDefinition}
  interface Node { id: ID! }
  type User implements Node { id: ID! name: String! }
  type Post implements Node {
    id: ID!
    title: String!
    related: [Node] @cacheFragment
    owner: Node! @cacheFragment
    comments: [Comment!]! @cacheFragment
    editor: User @cacheFragment
    fails: String
  }
  type Comment { id: ID! body: String! }
  type Shelf { id: ID! items: [Node] @cacheFragment }
  type Home { shelf: Shelf! @cacheFragment }
  type Query {
    feed: [Post!]!
    post(id: ID!): Post @cacheFragment
    shelf(id: ID!): Shelf
    home: Home
  }`

const users = [{ id: "1", name: "Ada" }, { id: "2", name: "Grace" }]
const posts = [1, 2, 3].map((n) => ({ id: String(n), title: `Post ${n}` }))

const makeSchema = () => {
  const calls = new Map<string, number>()
  const count = <A>(name: string, value: A): A => {
    calls.set(name, (calls.get(name) ?? 0) + 1)
    return value
  }
  const nodeOf = (n: number) => (n % 2 === 0 ? { kind: "User", ...users[n % 2]! } : { kind: "Post", ...posts[n % 3]! })
  const resolvers: Record<string, Record<string, GraphQLFieldResolver<any, unknown>>> = {
    Post: {
      related: (post: { id: string }) => count("Post.related", [nodeOf(Number(post.id)), nodeOf(Number(post.id) + 1)]),
      owner: (post: { id: string }) => count("Post.owner", nodeOf(Number(post.id))),
      comments: (post: { id: string }) => count("Post.comments", [{ id: `${post.id}-c`, body: `on ${post.id}` }]),
      editor: (post: { id: string }) => count("Post.editor", post.id === "2" ? null : users[0]),
      fails: (post: { id: string }) => {
        if (post.id === "3") throw new Error("no")
        return "fine"
      }
    },
    Shelf: { items: () => count("Shelf.items", [nodeOf(1), nodeOf(2), null]) },
    Home: { shelf: () => count("Home.shelf", { id: "s1" }) },
    Query: {
      feed: () => count("Query.feed", posts),
      post: (_: unknown, args: { id: string }) => posts.find((post) => post.id === args.id) ?? null,
      shelf: (_: unknown, args: { id: string }) => ({ id: args.id }),
      home: () => ({})
    }
  }
  const schema = buildSchema(typeDefs)
  for (const [type, fields] of Object.entries(resolvers)) {
    const object = schema.getType(type) as GraphQLObjectType
    for (const [name, resolve] of Object.entries(fields)) object.getFields()[name]!.resolve = resolve
  }
  ;(schema.getType("Node") as GraphQLInterfaceType).resolveType = (node: { kind: string }) => node.kind
  return { schema: GraphQLCache.typed(schema), calls }
}

const live = Layer.mergeAll(
  Cache.layer().pipe(Layer.provide(MemoryStore.layer())),
  GraphQLCache.layer({ extensions: true })
)

const hitsOf = (result: ExecutionResult) => (result.extensions as { cachet: { hits: number } }).cachet.hits

const feedQuery = `{
  feed {
    id
    related { __typename id ... on User { name } ... on Post { title } }
    owner { __typename id ... on User { name } }
    comments { id body }
    editor { name }
  }
}`

describe("hits below the root", () => {
  it.effect("spliced (nullable, non-null list) and replayed (non-null object) hits give the uncached response", () =>
    Effect.gen(function*() {
      const { calls, schema } = makeSchema()
      const first = yield* GraphQLCache.execute({ schema, source: feedQuery })
      const uncached = first.data
      expect(first.errors).toBeUndefined()
      const before = new Map(calls)
      const second = yield* GraphQLCache.execute({ schema, source: feedQuery })
      expect(second.errors).toBeUndefined()
      expect(second.data).toEqual(uncached)
      expect(JSON.stringify(second.data)).toBe(JSON.stringify(uncached))
      // Four cached fields on each of three posts hit; none of their resolvers ran again.
      expect(hitsOf(second)).toBe(12)
      for (const name of ["Post.related", "Post.owner", "Post.comments", "Post.editor"]) {
        expect(calls.get(name)).toBe(before.get(name))
      }
    }).pipe(Effect.provide(live)))

  it.effect("an error that nulls a hit's parent leaves the rest of the response as uncached", () =>
    Effect.gen(function*() {
      const { schema } = makeSchema()
      const query = `{ post(id: "3") { related { id } fails } other: post(id: "1") { related { id } fails } }`
      const first = yield* GraphQLCache.execute({ schema, source: query })
      const second = yield* GraphQLCache.execute({ schema, source: query })
      expect(second.data).toEqual(first.data)
      expect(second.errors?.map((error) => error.path)).toEqual([["post", "fails"]])
    }).pipe(Effect.provide(live)))

  it.effect("a miss enclosing a spliced hit at abstract positions is stored with their types and replays them", () =>
    Effect.gen(function*() {
      const { calls, schema } = makeSchema()
      const items = `items { ... on User { name } ... on Post { title } }`
      // Shelf s1's items are cached through a root that is not cached...
      yield* GraphQLCache.execute({ schema, source: `{ shelf(id: "s1") { ${items} } }` })
      // ...then Home.shelf misses around them: the items hit and are spliced into it.
      const query = `{ home { shelf { id ${items} } } }`
      const enclosing = yield* GraphQLCache.execute({ schema, source: query })
      expect(calls.get("Shelf.items")).toBe(1)
      expect(calls.get("Home.shelf")).toBe(1)
      // Home.shelf (a non-null object) now hits and is replayed through the executor, which
      // resolves the items' abstract types from what was stored with the enclosing entry.
      const replayed = yield* GraphQLCache.execute({ schema, source: query })
      expect(replayed.errors).toBeUndefined()
      expect(replayed.data).toEqual(enclosing.data)
      expect(replayed.data).toEqual({
        home: { shelf: { id: "s1", items: [{ title: "Post 2" }, { name: "Ada" }, null] } }
      })
      expect(calls.get("Home.shelf")).toBe(1)
      expect(hitsOf(replayed)).toBe(1)
    }).pipe(Effect.provide(live)))

  it.effect("the response matches plain graphql-js on the same schema unprepared", () =>
    Effect.gen(function*() {
      const { schema } = makeSchema()
      yield* GraphQLCache.execute({ schema, source: feedQuery })
      const cached = yield* GraphQLCache.execute({ schema, source: feedQuery })
      const reference = yield* Effect.promise(async () =>
        plainExecute({ schema: makeSchema().schema, document: parse(feedQuery) })
      )
      expect(cached.data).toEqual(reference.data)
    }).pipe(Effect.provide(live)))

  it.effect("root fields read ahead are counted once, whether all or only some of them hit", () =>
    Effect.gen(function*() {
      const { schema } = makeSchema()
      const cache = yield* Cache.Cache
      const hits = Effect.map(cache.stats, (stats) => stats.hits)
      yield* GraphQLCache.execute({ schema, source: `{ home { shelf { id } } }` })
      yield* GraphQLCache.execute({ schema, source: `{ a: post(id: "1") { id } }` })
      const before = yield* hits
      // One root hits, the other misses: the hit is read once, then executed with the miss.
      const partial = yield* GraphQLCache.execute({
        schema,
        source: `{ a: post(id: "1") { id } b: post(id: "2") { id } }`
      })
      expect(partial.data).toEqual({ a: { id: "1" }, b: { id: "2" } })
      expect(hitsOf(partial)).toBe(1)
      expect((yield* hits) - before).toBe(1)
      const full = yield* GraphQLCache.execute({
        schema,
        source: `{ a: post(id: "1") { id } b: post(id: "2") { id } }`
      })
      expect(hitsOf(full)).toBe(2)
      expect((yield* hits) - before).toBe(3)
    }).pipe(Effect.provide(live)))
})
