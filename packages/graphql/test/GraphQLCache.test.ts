import { Cache, MemoryStore } from "@cachet/core"
import { FaultyStore } from "@cachet/core/testing"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, TestClock } from "effect"
import type { ExecutionResult } from "graphql"
import { buildSchema, execute as plainExecute, parse } from "graphql"

import { GraphQLCache } from "../src/index.js"
import { makeBlog } from "./blog.js"
import { readAcrossMutation, twoConcurrentMisses } from "./concurrent.js"

const live = (options: GraphQLCache.Options = {}) =>
  Layer.mergeAll(
    Cache.layer().pipe(Layer.provideMerge(FaultyStore.layer(MemoryStore.layer()))),
    GraphQLCache.layer({ extensions: true, ...options })
  )

type Blog = ReturnType<typeof makeBlog>

const run = (blog: Blog, source: string, extra: Partial<GraphQLCache.ExecuteArgs> = {}) =>
  GraphQLCache.execute({ schema: blog.schema, source, ...extra })

const stats = (result: ExecutionResult) =>
  (result.extensions as { cachet: { hits: number; misses: number; writes: number } }).cachet

const calls = (blog: Blog, name: string) => blog.calls.get(name) ?? 0

const storeCalls = Effect.map(FaultyStore.FaultControl, (faults) => ({
  getMany: faults.calls.get("getMany") ?? 0,
  setMany: faults.calls.get("setMany") ?? 0,
  set: faults.calls.get("set") ?? 0,
  get: faults.calls.get("get") ?? 0,
  reset: () => faults.calls.clear()
}))

const postQuery = `{ post(id: "1") { id title author { name } comments { body author { name } } } }`

describe("GraphQLCache: graphql-ruby-fragment_cache's behaviours", () => {
  it.effect("a hit skips the field's resolver and every resolver below it", () =>
    Effect.gen(function*() {
      const blog = makeBlog({ post: {} })
      const first = yield* run(blog, postQuery)
      expect(first.errors).toBeUndefined()
      expect(stats(first)).toEqual({ hits: 0, misses: 1, writes: 1 })
      const counted = new Map(blog.calls)
      const second = yield* run(blog, postQuery)
      expect(second.data).toEqual(first.data)
      expect(stats(second)).toEqual({ hits: 1, misses: 0, writes: 0 })
      expect(blog.calls).toEqual(counted)
    }).pipe(Effect.provide(live())))

  it.effect("a hit below the root replays the subtree through the executor (no resolver runs)", () =>
    Effect.gen(function*() {
      const blog = makeBlog({ comments: {} })
      const query = `{ post(id: "2") { title comments { body author { name } } } }`
      const first = yield* run(blog, query)
      const before = [calls(blog, "Post.comments"), calls(blog, "Comment.body"), calls(blog, "Comment.author")]
      const second = yield* run(blog, query)
      expect(second.data).toEqual(first.data)
      expect([calls(blog, "Post.comments"), calls(blog, "Comment.body"), calls(blog, "Comment.author")]).toEqual(before)
      expect(calls(blog, "Query.post")).toBe(2)
    }).pipe(Effect.provide(live())))

  it.effect("selections and arguments (the field's and nested ones) are part of the key", () =>
    Effect.gen(function*() {
      const blog = makeBlog({ post: {} })
      yield* run(blog, `{ post(id: "1") { title } }`)
      yield* run(blog, `{ post(id: "1") { id } }`)
      yield* run(blog, `{ post(id: "2") { title } }`)
      yield* run(blog, `{ post(id: "1") { t: title } }`)
      yield* run(blog, `{ post(id: "1") { comments(first: 1) { body } } }`)
      yield* run(blog, `{ post(id: "1") { comments(first: 2) { body } } }`)
      yield* run(blog, `query($n: Int) { post(id: "1") { comments(first: $n) { body } } }`, {
        variableValues: { n: 2 }
      })
      expect(calls(blog, "Query.post")).toBe(6)
      const viaFragment = yield* run(blog, `{ post(id: "1") { ...F } } fragment F on Post { title }`)
      expect(calls(blog, "Query.post")).toBe(6)
      expect(viaFragment.data).toEqual({ post: { title: "Post 1" } })
    }).pipe(Effect.provide(live())))

  it.effect("excludeArguments and includeArguments keep arguments out of the key", () =>
    Effect.gen(function*() {
      const blog = makeBlog({ post: { excludeArguments: ["trace"] }, user: { includeArguments: [] } })
      yield* run(blog, `{ post(id: "1", trace: "a") { title } }`)
      const hit = yield* run(blog, `{ post(id: "1", trace: "b") { title } }`)
      expect(stats(hit).hits).toBe(1)
      yield* run(blog, `{ user(id: "1") { name } }`)
      const shared = yield* run(blog, `{ user(id: "2") { name } }`)
      expect(stats(shared).hits).toBe(1)
      expect(calls(blog, "Query.post")).toBe(1)
    }).pipe(Effect.provide(live())))

  it.effect("object keys: one post's fragment is shared by every query and list position; a changed updatedAt misses", () =>
    Effect.gen(function*() {
      const blog = makeBlog({ author: {} })
      yield* run(blog, `{ posts(limit: 3) { author { name } } }`)
      expect(calls(blog, "Post.author")).toBe(3)
      const single = yield* run(blog, `{ post(id: "2") { author { name } } }`)
      expect(stats(single)).toEqual({ hits: 1, misses: 0, writes: 0 })
      blog.posts[0]!.updatedAt = "2026-02-02T00:00:00.000Z"
      const again = yield* run(blog, `{ posts(limit: 3) { author { name } } }`)
      expect(stats(again)).toEqual({ hits: 2, misses: 1, writes: 1 })
      expect(calls(blog, "Post.author")).toBe(4)
    }).pipe(Effect.provide(live())))

  it.effect("objectKey: a custom key for the parent", () =>
    Effect.gen(function*() {
      const blog = makeBlog({ author: { objectKey: (post: { userId: string }) => `by-${post.userId}` } })
      yield* run(blog, `{ posts(limit: 3) { author { name } } }`)
      const result = yield* run(blog, `{ posts(limit: 6) { author { name } } }`)
      expect(stats(result)).toEqual({ hits: 6, misses: 0, writes: 0 })
    }).pipe(Effect.provide(live())))

  it.effect("contextKey: two users, two entries", () =>
    Effect.gen(function*() {
      const blog = makeBlog({ me: { contextKey: ["userId"] } })
      const ada = yield* run(blog, `{ me { name } }`, { contextValue: { userId: "1" } })
      const bob = yield* run(blog, `{ me { name } }`, { contextValue: { userId: "2" } })
      expect([ada.data, bob.data]).toEqual([{ me: { name: "Ada" } }, { me: { name: "Bob" } }])
      const adaAgain = yield* run(blog, `{ me { name } }`, { contextValue: { userId: "1" } })
      expect(adaAgain.data).toEqual({ me: { name: "Ada" } })
      expect(stats(adaAgain).hits).toBe(1)
      const blog2 = makeBlog({ me: { contextKey: (context: { userId: string }) => context.userId } })
      yield* run(blog2, `{ me { name } }`, { contextValue: { userId: "1" } })
      const other = yield* run(blog2, `{ me { name } }`, { contextValue: { userId: "3" } })
      expect(other.data).toEqual({ me: { name: "Cy" } })
    }).pipe(Effect.provide(live())))

  it.effect("renew recomputes every cached field and overwrites it", () =>
    Effect.gen(function*() {
      const blog = makeBlog({ post: {} })
      yield* run(blog, `{ post(id: "1") { title } }`)
      blog.posts[0]!.title = "Renamed"
      const stale = yield* run(blog, `{ post(id: "1") { title } }`)
      expect(stale.data).toEqual({ post: { title: "Post 1" } })
      const renewed = yield* run(blog, `{ post(id: "1") { title } }`, { renew: true })
      expect(renewed.data).toEqual({ post: { title: "Renamed" } })
      expect(stats(renewed)).toEqual({ hits: 0, misses: 1, writes: 1 })
      const after = yield* run(blog, `{ post(id: "1") { title } }`)
      expect(after.data).toEqual({ post: { title: "Renamed" } })
      expect(stats(after).hits).toBe(1)
    }).pipe(Effect.provide(live())))

  it.effect("when / unless false: the field neither reads nor writes", () =>
    Effect.gen(function*() {
      const blog = makeBlog({
        post: { when: (_: unknown, args: { id: string }) => args.id !== "1" },
        user: { unless: () => true }
      })
      const store = yield* storeCalls
      store.reset()
      yield* run(blog, `{ post(id: "1") { title } user(id: "1") { name } }`)
      yield* run(blog, `{ post(id: "1") { title } user(id: "1") { name } }`)
      expect([calls(blog, "Query.post"), calls(blog, "Query.user")]).toEqual([2, 2])
      const after = yield* storeCalls
      expect([after.get, after.getMany, after.set, after.setMany]).toEqual([0, 0, 0, 0])
      yield* run(blog, `{ post(id: "2") { title } }`)
      expect((yield* storeCalls).setMany).toBe(1)
    }).pipe(Effect.provide(live())))

  it.effect("keepInContext: resolved once per request, never touching the store", () =>
    Effect.gen(function*() {
      const blog = makeBlog({ post: { keepInContext: true } })
      const store = yield* storeCalls
      store.reset()
      const result = yield* run(blog, `{ a: post(id: "1") { title } b: post(id: "1") { title } }`)
      expect(result.data).toEqual({ a: { title: "Post 1" }, b: { title: "Post 1" } })
      expect(calls(blog, "Query.post")).toBe(1)
      yield* run(blog, `{ a: post(id: "1") { title } }`)
      expect(calls(blog, "Query.post")).toBe(2)
      const after = yield* storeCalls
      expect([after.get, after.getMany, after.set, after.setMany]).toEqual([0, 0, 0, 0])
    }).pipe(Effect.provide(live())))

  it.effect("a cached null is a hit", () =>
    Effect.gen(function*() {
      const blog = makeBlog({ post: {} })
      const first = yield* run(blog, `{ post(id: "999") { title } }`)
      expect(first.data).toEqual({ post: null })
      const second = yield* run(blog, `{ post(id: "999") { title } }`)
      expect(second.data).toEqual({ post: null })
      expect(stats(second).hits).toBe(1)
      expect(calls(blog, "Query.post")).toBe(1)
    }).pipe(Effect.provide(live())))

  it.effect("a fragment whose subtree has an error is never written; clean siblings are", () =>
    Effect.gen(function*() {
      const blog = makeBlog({ comments: {}, title: {} })
      blog.failing.comment = "1-a"
      const query = `{ post(id: "1") { title comments { body } } }`
      const first = yield* run(blog, query)
      expect(first.errors?.length).toBe(1)
      expect(stats(first)).toEqual({ hits: 0, misses: 2, writes: 1 })
      const second = yield* run(blog, query)
      expect(stats(second)).toEqual({ hits: 1, misses: 1, writes: 0 })
      expect(calls(blog, "Post.comments")).toBe(2)
    }).pipe(Effect.provide(live())))

  it.effect("skipWhenQueryHasErrors: nothing of an operation with errors is written", () =>
    Effect.gen(function*() {
      const blog = makeBlog({ comments: {}, title: {} })
      blog.failing.comment = "1-a"
      const result = yield* run(blog, `{ post(id: "1") { title comments { body } } }`)
      expect(stats(result)).toEqual({ hits: 0, misses: 2, writes: 0 })
      expect((yield* storeCalls).setMany).toBe(0)
    }).pipe(Effect.provide(live({ skipWhenQueryHasErrors: true }))))

  it.effect("ttl: a fragment expires after its ttl (TestClock)", () =>
    Effect.gen(function*() {
      const blog = makeBlog({ post: { ttl: "1 minute" }, user: {} })
      yield* run(blog, `{ post(id: "1") { title } user(id: "1") { name } }`)
      yield* TestClock.adjust("30 seconds")
      expect(stats(yield* run(blog, `{ post(id: "1") { title } }`)).hits).toBe(1)
      yield* TestClock.adjust("31 seconds")
      expect(stats(yield* run(blog, `{ post(id: "1") { title } user(id: "1") { name } }`))).toEqual({
        hits: 1,
        misses: 1,
        writes: 1
      })
      yield* TestClock.adjust("10 minutes")
      expect(stats(yield* run(blog, `{ user(id: "1") { name } }`)).misses).toBe(1)
    }).pipe(Effect.provide(live({ defaults: { ttl: "5 minutes" } }))))

  it.effect("a schema change busts the entries", () =>
    Effect.gen(function*() {
      const before = makeBlog({ post: {} })
      const after = makeBlog({ post: {} }, { extraField: true })
      yield* run(before, `{ post(id: "1") { title } }`)
      expect(stats(yield* run(before, `{ post(id: "1") { title } }`)).hits).toBe(1)
      expect(stats(yield* run(after, `{ post(id: "1") { title } }`)).misses).toBe(1)
    }).pipe(Effect.provide(live())))

  it.effect("namespace and version are part of every key; enabled: false caches nothing", () =>
    Effect.gen(function*() {
      const blog = makeBlog({ post: {} })
      yield* run(blog, `{ post(id: "1") { title } }`)
      const other = yield* run(blog, `{ post(id: "1") { title } }`).pipe(
        Effect.provide(GraphQLCache.layer({ extensions: true, version: 2 }))
      )
      expect(stats(other).misses).toBe(1)
      const store = yield* storeCalls
      store.reset()
      const off = yield* run(blog, `{ post(id: "1") { title } }`).pipe(
        Effect.provide(GraphQLCache.layer({ extensions: true, enabled: false }))
      )
      expect(stats(off)).toEqual({ hits: 0, misses: 0, writes: 0 })
      expect([(yield* storeCalls).getMany, (yield* storeCalls).setMany]).toEqual([0, 0])
    }).pipe(Effect.provide(live())))

  it.effect("the @cacheFragment directive marks fields of SDL-first schemas", () =>
    Effect.gen(function*() {
      const schema = GraphQLCache.typed(GraphQLCache.transformSchema(buildSchema(`
        ${GraphQLCache.directiveDefinition}
        type Query { greeting(name: String!, trace: String): String @cacheFragment(ttl: "1 minute", excludeArguments: ["trace"]) }
      `)))
      let calls = 0
      schema.getQueryType()!.getFields()["greeting"]!.resolve = (_, args: { name: string }) => {
        calls++
        return `hello ${args.name}`
      }
      const first = yield* GraphQLCache.execute({ schema, source: `{ greeting(name: "a", trace: "1") }` })
      const second = yield* GraphQLCache.execute({ schema, source: `{ greeting(name: "a", trace: "2") }` })
      expect([first.data, second.data, calls]).toEqual([{ greeting: "hello a" }, { greeting: "hello a" }, 1])
      yield* TestClock.adjust("2 minutes")
      yield* GraphQLCache.execute({ schema, source: `{ greeting(name: "a") }` })
      expect(calls).toBe(2)
    }).pipe(Effect.provide(live())))
})

describe("GraphQLCache: execution", () => {
  it.effect("a list of 50 posts with a cached field costs one getMany and one setMany", () =>
    Effect.gen(function*() {
      const blog = makeBlog({ comments: {} })
      const store = yield* storeCalls
      store.reset()
      const first = yield* run(blog, `{ posts(limit: 50) { id comments { body author { name } } } }`)
      expect(stats(first)).toEqual({ hits: 0, misses: 50, writes: 50 })
      const counted = yield* storeCalls
      expect([counted.getMany, counted.setMany, counted.get, counted.set]).toEqual([1, 1, 0, 0])
      store.reset()
      const second = yield* run(blog, `{ posts(limit: 50) { id comments { body author { name } } } }`)
      expect(second.data).toEqual(first.data)
      const again = yield* storeCalls
      expect([again.getMany, again.setMany]).toEqual([1, 0])
    }).pipe(Effect.provide(live())))

  it.effect("resolvers returning Effects run in the caller's runtime, batched per tick", () =>
    Effect.gen(function*() {
      const blog = makeBlog({})
      const result = yield* run(blog, `{ posts(limit: 5) { comments { author { name } } } }`)
      expect(result.errors).toBeUndefined()
      expect(calls(blog, "Post.comments")).toBe(5)
      expect(calls(blog, "Comment.author")).toBe(10)
    }).pipe(Effect.provide(live())))

  it.effect("unions: two concrete types under one cached field never share an entry and replay their type", () =>
    Effect.gen(function*() {
      const blog = makeBlog({ search: {} })
      const query = `query($t: String!) { search(term: $t) { __typename ... on User { name } ... on Post { title } } }`
      const user = yield* run(blog, query, { variableValues: { t: "Ada" } })
      const post = yield* run(blog, query, { variableValues: { t: "Post 1" } })
      expect([user.data, post.data]).toEqual([
        { search: { __typename: "User", name: "Ada" } },
        { search: { __typename: "Post", title: "Post 1" } }
      ])
      const again = yield* run(blog, `{ a: search(term: "Ada") { ... on User { name } ... on Post { title } } }`)
      yield* run(blog, `{ a: search(term: "Post 1") { ... on User { name } ... on Post { title } } }`)
      const replayed = yield* run(
        blog,
        `{ a: search(term: "Ada") { ... on User { name } ... on Post { title } } b: search(term: "Post 1") { ... on User { name } ... on Post { title } } }`
      )
      expect(replayed.data).toEqual({ a: again.data!["a"], b: { title: "Post 1" } })
      expect(stats(replayed).hits).toBe(2)
    }).pipe(Effect.provide(live())))

  it.effect("interfaces: objects of two types with one id keep separate entries", () =>
    Effect.gen(function*() {
      const blog = makeBlog({ summary: {}, node: {} })
      const query = `{ nodes { id summary } node(kind: "User", id: "1") { ... on User { name } summary } }`
      const first = yield* run(blog, query)
      expect(first.data).toEqual({
        nodes: [{ id: "1", summary: "user Ada" }, { id: "1", summary: "post Post 1" }],
        node: { name: "Ada", summary: "user Ada" }
      })
      const second = yield* run(blog, query)
      expect(second.data).toEqual(first.data)
      expect(stats(second).hits).toBe(3)
    }).pipe(Effect.provide(live())))

  it.effect("invalidation by tags: after addComment(postId: 5) post 5's fragments miss, post 6's hit", () =>
    Effect.gen(function*() {
      const blog = makeBlog({ comments: {}, post: {} })
      const cache = yield* Cache.Cache
      const query = `{ five: post(id: "5") { comments { body } } six: post(id: "6") { comments { body } } }`
      yield* run(blog, `{ posts(limit: 10) { id comments { body } } }`)
      yield* run(blog, query)
      yield* run(blog, `mutation { addComment(postId: "5", body: "new") { id } }`)
      yield* cache.invalidate(GraphQLCache.fieldTag("Post", "5", "comments"))
      // post(id: "5") shows post 5's comments list, so it misses with the list itself.
      const after = yield* run(blog, query)
      expect(stats(after)).toEqual({ hits: 1, misses: 2, writes: 2 })
      expect((after.data!["five"] as { comments: Array<unknown> }).comments).toHaveLength(3)
      // The list positions share the per-post entries, post 5's rewritten just above.
      const list = yield* run(blog, `{ posts(limit: 10) { id comments { body } } }`)
      expect(stats(list)).toEqual({ hits: 10, misses: 0, writes: 0 })
      expect(list.data!["posts"]).toContainEqual({
        id: "5",
        comments: [{ body: "first on 5" }, { body: "second on 5" }, { body: "new" }]
      })
      yield* cache.invalidate(GraphQLCache.ownFieldsTag("Post", "6"))
      expect(stats(yield* run(blog, query))).toEqual({ hits: 2, misses: 1, writes: 1 })
    }).pipe(Effect.provide(live())))

  it.effect("entity tags reach fragments that show an object anywhere in their subtree", () =>
    Effect.gen(function*() {
      const blog = makeBlog({ post: {} })
      const cache = yield* Cache.Cache
      yield* run(blog, `{ post(id: "4") { comments { author { name } } } }`)
      yield* cache.invalidate(GraphQLCache.ownFieldsTag("User", "3"))
      expect(stats(yield* run(blog, `{ post(id: "4") { comments { author { name } } } }`)).misses).toBe(1)
      yield* cache.invalidate(GraphQLCache.ownFieldsTag("User", "1"))
      expect(stats(yield* run(blog, `{ post(id: "4") { comments { author { name } } } }`)).hits).toBe(1)
    }).pipe(Effect.provide(live())))

  it.effect("an entity's tag covers its fields by prefix; its own fields' tag leaves its lists cached", () =>
    Effect.gen(function*() {
      const blog = makeBlog({ comments: {}, post: {} })
      const cache = yield* Cache.Cache
      const query = `{ post(id: "6") { title comments { body } } }`
      yield* run(blog, query)
      expect(GraphQLCache.entityTag("Post", 6)).toBe("Post/6")
      expect(GraphQLCache.ownFieldsTag("Post", 6)).toBe("Post/6/$fields")
      expect(GraphQLCache.fieldTag("Post", 6, "comments")).toBe("Post/6/comments")
      // Its title changed: the root fragment misses, the comments fragment inside it hits.
      yield* cache.invalidate(GraphQLCache.ownFieldsTag("Post", "6"))
      expect(stats(yield* run(blog, query))).toEqual({ hits: 1, misses: 1, writes: 1 })
      // The post as a whole: both miss.
      yield* cache.invalidate(GraphQLCache.entityTag("Post", "6"))
      expect(stats(yield* run(blog, query))).toEqual({ hits: 0, misses: 2, writes: 2 })
    }).pipe(Effect.provide(live())))

  it.effect("a mutation names the entities its root fields returned, not the objects nested below them", () =>
    Effect.gen(function*() {
      const blog = makeBlog()
      const single = yield* GraphQLCache.executeReport({
        schema: blog.schema,
        source: `mutation { addComment(postId: "5", body: "new") { id author { id name } } }`
      })
      expect(single.changed).toEqual([`Comment/5-${blog.comments.length - 1}`])
      const list = yield* GraphQLCache.executeReport({
        schema: blog.schema,
        source: `mutation { renameUsers(ids: ["1", "3"], name: "Renamed") { name } }`
      })
      expect(list.changed).toEqual(["User/1", "User/3"])
      const query = yield* GraphQLCache.executeReport({ schema: blog.schema, source: `{ post(id: "1") { id } }` })
      expect(query.changed).toEqual([])
    }).pipe(Effect.provide(live())))

  it.effect("invalidateMutations: a mutation invalidates the entities it returned, and nothing else", () =>
    Effect.gen(function*() {
      const blog = makeBlog({ post: {} })
      const query = `{ a: post(id: "1") { author { name } } b: post(id: "2") { author { name } } }`
      yield* run(blog, query)
      yield* run(blog, `mutation { renameUsers(ids: ["1"], name: "Ada L") { id } }`)
      const after = yield* run(blog, query)
      // Post 1 shows user 1 (refreshed); post 2 shows user 2 (still cached).
      expect(stats(after)).toEqual({ hits: 1, misses: 1, writes: 1 })
      expect(after.data).toEqual({ a: { author: { name: "Ada L" } }, b: { author: { name: "Bob" } } })
    }).pipe(Effect.provide(live({ invalidateMutations: true }))))

  it.effect("without invalidateMutations a mutation invalidates nothing by itself", () =>
    Effect.gen(function*() {
      const blog = makeBlog({ post: {} })
      const query = `{ a: post(id: "1") { author { name } } }`
      yield* run(blog, query)
      yield* run(blog, `mutation { renameUsers(ids: ["1"], name: "Ada L") { id } }`)
      const after = yield* run(blog, query)
      expect(stats(after)).toEqual({ hits: 1, misses: 0, writes: 0 })
      expect(after.data).toEqual({ a: { author: { name: "Ada" } } })
    }).pipe(Effect.provide(live())))

  it.effect("nested fragments: an enclosing miss carries the tags of the hits inside it", () =>
    Effect.gen(function*() {
      const blog = makeBlog({ post: {}, comments: {} })
      const cache = yield* Cache.Cache
      yield* run(blog, `{ posts(limit: 2) { comments { body } } }`)
      yield* run(blog, `{ post(id: "1") { title comments { body } } }`)
      yield* cache.invalidate(GraphQLCache.ownFieldsTag("Comment", "1-a"))
      const after = yield* run(blog, `{ post(id: "1") { title comments { body } } }`)
      expect(stats(after).misses).toBeGreaterThanOrEqual(1)
      expect(after.data).toEqual({
        post: { title: "Post 1", comments: [{ body: "first on 1" }, { body: "second on 1" }] }
      })
    }).pipe(Effect.provide(live())))

  it.effect("misses of one key across concurrent requests run the resolver once", () =>
    Effect.gen(function*() {
      const { calls, reports } = yield* twoConcurrentMisses
      expect(reports.map((report) => report.result.data)).toEqual([{ slow: "done" }, { slow: "done" }])
      expect(calls).toBe(1)
    }).pipe(Effect.provide(live())))

  it.effect("a failing store fails open: every field resolves, nothing fails", () =>
    Effect.gen(function*() {
      const blog = makeBlog({ post: {}, comments: {} })
      const faults = yield* FaultyStore.FaultControl
      faults.failing = true
      const result = yield* run(blog, postQuery)
      expect(result.errors).toBeUndefined()
      expect(result.data).toMatchObject({ post: { id: "1", title: "Post 1" } })
      expect(stats(result)).toMatchObject({ hits: 0, misses: 2 })
    }).pipe(Effect.provide(live())))

  it.effect("plain graphql.execute on a prepared schema runs the resolvers unchanged", () =>
    Effect.gen(function*() {
      const blog = makeBlog({ post: {} })
      yield* run(blog, postQuery)
      const plain = yield* Effect.promise(async () =>
        plainExecute({ schema: blog.schema, document: parse(`{ post(id: "1") { title } }`) })
      )
      expect(plain.data).toEqual({ post: { title: "Post 1" } })
    }).pipe(Effect.provide(live())))

  it.effect("unparsable and invalid documents are GraphQL errors, not failures", () =>
    Effect.gen(function*() {
      const blog = makeBlog({})
      const unparsable = yield* run(blog, `{ post(id: `)
      const invalid = yield* run(blog, `{ nope }`)
      expect(unparsable.errors?.[0]?.message).toMatch(/Syntax Error/)
      expect(invalid.errors?.[0]?.message).toMatch(/nope/)
    }).pipe(Effect.provide(live())))
})

describe("GraphQLCache: reads racing a mutation", () => {
  it.effect("a read sent after a mutation answered never takes a fragment computed before it", () =>
    Effect.gen(function*() {
      const { after, before, later, mutation, resolverCalls } = yield* readAcrossMutation
      expect(mutation.changed).toEqual(["Post/1"])
      // The first read started before the mutation: the old title is its right answer.
      expect(before.result.data).toEqual({ post: { id: "1", title: "Old" } })
      // The second was sent after the mutation answered: it computes the fragment itself...
      expect(after.result.data).toEqual({ post: { id: "1", title: "New" } })
      expect(resolverCalls).toBe(2)
      // ...and the first read's late write (it may land last) is not served as fresh.
      expect(later.result.data).toEqual({ post: { id: "1", title: "New" } })
    }).pipe(Effect.provide(live({ invalidateMutations: true }))))
})
