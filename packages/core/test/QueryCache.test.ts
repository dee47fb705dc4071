import { Cache, Codec, Key, MemoryStore, QueryCache, Tag } from "@cachet/core"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Option, Schema, Stream } from "effect"

class User extends Schema.Class<User>("User")({ id: Schema.String, name: Schema.String, joined: Schema.Date }) {}
class Post extends Schema.Class<Post>("Post")({ id: Schema.String, userId: Schema.String, title: Schema.String }) {}
class NotFound extends Schema.TaggedError<NotFound>()("NotFound", { id: Schema.String }) {}

const hierarchy = Tag.at("users", () => Tag.wild.at("posts", () => Tag.wild.at("comments", () => Tag.wild)))

/** A fake database that counts its lookups. */
const makeDb = () => {
  const calls: Record<string, number> = {}
  const count = (name: string) =>
    Effect.sync(() => {
      calls[name] = (calls[name] ?? 0) + 1
    })
  const users = new Map([["123", "Ada"], ["456", "Grace"]])
  return {
    calls,
    users,
    findUser: (id: string) =>
      Effect.zipRight(
        count(`user:${id}`),
        Effect.suspend(() => {
          const name = users.get(id)
          return name === undefined
            ? Effect.fail(new NotFound({ id }))
            : Effect.succeed(new User({ id, name, joined: new Date(0) }))
        })
      ),
    findPost: (userId: string, postId: string) =>
      Effect.as(
        count(`post:${postId}`),
        new Post({ id: postId, userId, title: `post ${postId} v${calls[`post:${postId}`] ?? 0}` })
      ),
    findComments: (postId: string) => Effect.as(count(`comments:${postId}`), [`c1 on ${postId}`])
  }
}

const makeBlog = (db: ReturnType<typeof makeDb>) =>
  QueryCache.make({
    hierarchy,
    queries: (tags) => ({
      getUser: QueryCache.query({
        args: Schema.String,
        success: User,
        error: NotFound,
        tags: (id) => [tags.users(id)],
        lookup: db.findUser
      }),
      getPost: QueryCache.query({
        args: Schema.Struct({ userId: Schema.String, postId: Schema.String }),
        success: Post,
        tags: ({ postId, userId }) => tags.users(userId).posts(postId),
        lookup: ({ postId, userId }) => db.findPost(userId, postId)
      }),
      getComments: QueryCache.query({
        args: Schema.Struct({ userId: Schema.String, postId: Schema.String }),
        success: Schema.Array(Schema.String),
        tags: ({ postId, userId }) => tags.users(userId).posts(postId).comments,
        lookup: ({ postId }) => db.findComments(postId)
      })
    })
  })

const CacheLive = Cache.layer({ ttl: "1 hour" }).pipe(Layer.provideMerge(MemoryStore.layer()))

describe("QueryCache (the t87s tutorial)", () => {
  it.effect("getUser twice runs the lookup once", () =>
    Effect.gen(function*() {
      const db = makeDb()
      const blog = yield* makeBlog(db)
      const first = yield* blog.getUser("123")
      const second = yield* blog.getUser("123")
      expect(first.name).toBe("Ada")
      expect(second).toEqual(first)
      expect(second.joined).toBeInstanceOf(Date)
      expect(db.calls["user:123"]).toBe(1)
    }).pipe(Effect.provide(CacheLive)))

  it.effect("invalidating a user refetches that user, their posts and comments", () =>
    Effect.gen(function*() {
      const db = makeDb()
      const blog = yield* makeBlog(db)
      yield* blog.getUser("123")
      yield* blog.getPost({ userId: "123", postId: "p1" })
      yield* blog.getComments({ userId: "123", postId: "p1" })
      yield* blog.getUser("456")
      yield* blog.invalidate(blog.tags.users("123"))
      yield* blog.getUser("123")
      yield* blog.getPost({ userId: "123", postId: "p1" })
      yield* blog.getComments({ userId: "123", postId: "p1" })
      yield* blog.getUser("456")
      expect(db.calls).toEqual({ "user:123": 2, "post:p1": 2, "comments:p1": 2, "user:456": 1 })
    }).pipe(Effect.provide(CacheLive)))

  it.effect("invalidating one post leaves the user and the other posts cached", () =>
    Effect.gen(function*() {
      const db = makeDb()
      const blog = yield* makeBlog(db)
      yield* blog.getUser("123")
      yield* blog.getPost({ userId: "123", postId: "p1" })
      yield* blog.getPost({ userId: "123", postId: "p2" })
      yield* blog.getComments({ userId: "123", postId: "p1" })
      yield* blog.invalidate(blog.tags.users("123").posts("p1"))
      yield* blog.getUser("123")
      yield* blog.getPost({ userId: "123", postId: "p1" })
      yield* blog.getPost({ userId: "123", postId: "p2" })
      yield* blog.getComments({ userId: "123", postId: "p1" })
      expect(db.calls).toEqual({ "user:123": 1, "post:p1": 2, "post:p2": 1, "comments:p1": 2 })
    }).pipe(Effect.provide(CacheLive)))

  it.effect("tags are accepted in their string form", () =>
    Effect.gen(function*() {
      const db = makeDb()
      const blog = yield* makeBlog(db)
      yield* blog.getPost({ userId: "123", postId: "p1" })
      yield* blog.invalidate("users/123/posts")
      yield* blog.getPost({ userId: "123", postId: "p1" })
      expect(db.calls["post:p1"]).toBe(2)
    }).pipe(Effect.provide(CacheLive)))

  it.effect("a typed failure is cached with its schema and invalidated by its tags", () =>
    Effect.gen(function*() {
      const db = makeDb()
      const blog = yield* makeBlog(db)
      const missing = yield* Effect.flip(blog.getUser("789"))
      expect(missing).toBeInstanceOf(NotFound)
      yield* Effect.flip(blog.getUser("789"))
      expect(db.calls["user:789"]).toBe(1)
      db.users.set("789", "Barbara")
      yield* blog.invalidate(blog.tags.users("789"))
      expect((yield* blog.getUser("789")).name).toBe("Barbara")
    }).pipe(Effect.provide(CacheLive)))

  it.effect("per-call policies: CacheOnly never fetches, NetworkOnly always does, CacheAndNetwork streams both", () =>
    Effect.gen(function*() {
      const db = makeDb()
      const blog = yield* makeBlog(db)
      expect(yield* blog.getUser("123", { policy: "CacheOnly" })).toEqual(Option.none())
      yield* blog.getUser("123")
      expect(Option.map(yield* blog.getUser("123", { policy: "CacheOnly" }), (u) => u.name)).toEqual(Option.some("Ada"))
      yield* blog.getUser("123", { policy: "NetworkOnly" })
      expect(db.calls["user:123"]).toBe(2)
      const both = yield* Stream.runCollect(blog.getUser("123", { policy: "CacheAndNetwork" }))
      expect(both.length).toBe(2)
      expect(db.calls["user:123"]).toBe(3)
    }).pipe(Effect.provide(CacheLive)))

  it("builders only accept declared paths and print lossless strings", () => {
    const tags = Tag.builders(hierarchy)
    expect(Tag.toString(tags.users("123").posts("p1").comments("c/9"))).toBe("users/123/posts/p1/comments/c%2F9")
    expect(Tag.parse("users/123/posts/p1/comments/c%2F9")).toEqual(tags.users("123").posts("p1").comments("c/9"))
    // @ts-expect-error "likes" is not declared under a post
    expect(() => tags.users("1").posts("p").likes).toBeDefined()
  })
})

describe("QueryCache keys", () => {
  it.effect("are name:digest:canonical(args) — one-field arguments (whose keys are remembered) like any others, extra keys included", () =>
    Effect.gen(function*() {
      const cache = yield* Cache.Cache
      const Item = Schema.Struct({ id: Schema.Union(Schema.String, Schema.Number), label: Schema.String })
      const queries = yield* QueryCache.make({
        hierarchy,
        queries: () => ({
          byId: QueryCache.query({
            args: Schema.Struct({ id: Schema.Union(Schema.String, Schema.Number) }),
            success: Item,
            lookup: ({ id }) => Effect.succeed({ id, label: `item ${id}` })
          }),
          byPair: QueryCache.query({
            args: Schema.Struct({ a: Schema.String, b: Schema.String }),
            success: Item,
            lookup: ({ a, b }) => Effect.succeed({ id: a, label: b })
          })
        })
      })
      const calls: ReadonlyArray<{ readonly id: string | number }> = [
        { id: "1" },
        { id: 1 },
        { id: "1" },
        { id: "1", extra: "kept in the key" } as { readonly id: string },
        { id: "x:y" }
      ]
      for (const args of calls) expect(yield* queries.byId(args)).toEqual({ id: args.id, label: `item ${args.id}` })
      yield* queries.byPair({ b: "2", a: "1" })
      const digest = Codec.digest(Item)
      const expected = [
        ...calls.map((args) => Key.make(["byId", digest], args)),
        Key.make(["byPair", digest], { a: "1", b: "2" })
      ]
      const stored = yield* cache.keys({ limit: 100 })
      expect([...stored].sort()).toEqual([...new Set(expected)].sort())
      expect(new Set(expected).size).toBe(5)
    }).pipe(Effect.provide(CacheLive)))
})

/** Compile-time check (`tsc` type-checks the tests); never called. */
export const typeChecks = () =>
  // @ts-expect-error the tag hierarchy is `hierarchy`: `schema` is a value's Schema everywhere else
  QueryCache.make({ schema: hierarchy, queries: () => ({}) })
