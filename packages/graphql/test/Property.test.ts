import { Cache, MemoryStore } from "@cachet/core"
import { describe, expect, it } from "@effect/vitest"
import { Effect, FastCheck as fc, Layer } from "effect"
import { execute as plainExecute, GraphQLObjectType, parse } from "graphql"

import { GraphQLCache } from "../src/index.js"
import { makeBlog } from "./blog.js"

const live = Layer.mergeAll(Cache.layer().pipe(Layer.provide(MemoryStore.layer())), GraphQLCache.layer())

const subset = (items: ReadonlyArray<string>) =>
  fc.subarray(items.slice(), { minLength: 1 }).map((picked) => picked.join(" "))

const userSel = subset(["id", "name", "posts { id title }", "p2: posts { title author { name } }"])
const postSel = subset([
  "id",
  "title",
  "author { name }",
  "a2: author { id name posts { id } }",
  "comments { body author { name } }",
  "c2: comments(first: 1) { id }",
  "... on Post { updatedAt }"
])

const rootField = fc.oneof(
  fc.tuple(fc.integer({ min: 1, max: 8 }), postSel).map(([id, sel]) => `post(id: "${id}") { ${sel} }`),
  fc.tuple(fc.integer({ min: 1, max: 5 }), postSel).map(([limit, sel]) => `posts(limit: ${limit}) { ${sel} }`),
  fc.tuple(fc.integer({ min: 1, max: 4 }), userSel).map(([id, sel]) => `user(id: "${id}") { ${sel} }`),
  fc.tuple(fc.constantFrom("Ada", "Post 2", "nobody"), userSel, postSel).map(([term, u, p]) =>
    `search(term: "${term}") { __typename ... on User { ${u} } ... on Post { ${p} } }`
  )
)

const document = fc.array(rootField, { minLength: 1, maxLength: 3 }).map((fields) =>
  `{ ${fields.map((field, i) => `r${i}: ${field}`).join(" ")} }`
)

type Op =
  | { readonly op: "queries"; readonly documents: ReadonlyArray<string> }
  | { readonly op: "addComment"; readonly postId: number }
  | { readonly op: "renamePost"; readonly postId: number }
  | { readonly op: "renameUser"; readonly userId: number }

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.array(document, { minLength: 1, maxLength: 3 }).map((documents) => ({
      op: "queries" as const,
      documents
    }))
  },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 8 }).map((postId) => ({ op: "addComment" as const, postId })) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 8 }).map((postId) => ({ op: "renamePost" as const, postId })) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 3 }).map((userId) => ({ op: "renameUser" as const, userId })) }
)

/** The blog for plain graphql-js: its Effect resolvers run as promises. */
const plainBlog = () => {
  const blog = makeBlog({})
  for (const type of Object.values(blog.schema.getTypeMap())) {
    if (!(type instanceof GraphQLObjectType) || type.name.startsWith("__")) continue
    for (const field of Object.values(type.getFields())) {
      const resolve = field.resolve
      if (resolve === undefined) continue
      field.resolve = (...args) => {
        const value = resolve(...args)
        return Effect.isEffect(value) ? Effect.runPromise(value as Effect.Effect<unknown>) : value
      }
    }
  }
  return blog
}

describe("GraphQLCache against uncached execution", () => {
  it.effect.prop(
    "a cached execution returns exactly what an uncached execution returns at the same moment",
    [fc.array(opArb, { minLength: 1, maxLength: 12 })],
    ([ops]) =>
      Effect.gen(function*() {
        const cache = yield* Cache.Cache
        yield* cache.clear
        const cached = makeBlog({ post: {}, posts: {}, user: {}, comments: {}, author: {}, userPosts: {}, search: {} })
        const plain = plainBlog()
        let version = 0
        for (const op of ops) {
          switch (op.op) {
            case "queries": {
              const results = yield* Effect.all(
                op.documents.map((source) => GraphQLCache.execute({ schema: cached.schema, source })),
                { concurrency: "unbounded" }
              )
              for (let i = 0; i < results.length; i++) {
                const expected = yield* Effect.promise(async () =>
                  plainExecute({ schema: plain.schema, document: parse(op.documents[i]!) })
                )
                expect(JSON.parse(JSON.stringify(results[i]))).toEqual(JSON.parse(JSON.stringify(expected)))
              }
              break
            }
            case "addComment": {
              for (const blog of [cached, plain]) {
                blog.comments.push({
                  id: `n${version}`,
                  postId: String(op.postId),
                  authorId: "1",
                  body: `new ${version}`
                })
              }
              version++
              yield* cache.invalidate(GraphQLCache.fieldTag("Post", op.postId, "comments"))
              break
            }
            case "renamePost": {
              for (const blog of [cached, plain]) blog.posts[op.postId - 1]!.title = `Renamed ${version}`
              version++
              yield* cache.invalidate(GraphQLCache.ownFieldsTag("Post", op.postId))
              break
            }
            case "renameUser": {
              for (const blog of [cached, plain]) blog.users[op.userId - 1]!.name = `Name ${version}`
              version++
              yield* cache.invalidate(GraphQLCache.ownFieldsTag("User", op.userId))
              break
            }
          }
        }
      }).pipe(Effect.provide(live)),
    { fastCheck: { numRuns: 40 } }
  )
})
