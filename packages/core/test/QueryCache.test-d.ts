/**
 * Type tests of `QueryCache`: each query becomes a method whose arguments come from its `args`
 * Schema and whose result comes from `success` (and `error`), shaped by the policy; the tag
 * builders are typed from the hierarchy; the lookups' requirements move to `make`.
 *
 * Left out on purpose (issue 21): `invalidate`/`expire`'s `StoreError` (they defer, they do not
 * fail).
 */
import { Cache, QueryCache, Tag } from "@cachet/core"
import { Context, Effect, Schema } from "effect"
import type { Exit, Option, Stream } from "effect"
import { describe, expectTypeOf, it } from "vitest"

class Db extends Context.Tag("Db")<Db, {
  readonly user: (id: string) => Effect.Effect<User, NotFound>
  readonly posts: (userId: string, page: number) => Effect.Effect<ReadonlyArray<Post>>
}>() {}
class Audit extends Context.Tag("Audit")<Audit, { readonly log: (line: string) => Effect.Effect<void> }>() {}
class NotFound extends Schema.TaggedError<NotFound>()("NotFound", { id: Schema.String }) {}

const User = Schema.Struct({ id: Schema.String, name: Schema.String, joined: Schema.DateFromString })
type User = typeof User.Type
const Post = Schema.Struct({ id: Schema.String, title: Schema.String })
type Post = typeof Post.Type
const PostsArgs = Schema.Struct({ userId: Schema.String, page: Schema.NumberFromString })

const hierarchy = Tag.at("users", () => Tag.wild.at("posts", () => Tag.wild))

const blog = QueryCache.make({
  hierarchy,
  queries: (tags) => ({
    getUser: QueryCache.query({
      args: Schema.String,
      success: User,
      error: NotFound,
      tags: (id, exit) => {
        expectTypeOf(id).toEqualTypeOf<string>()
        expectTypeOf(exit).toEqualTypeOf<Exit.Exit<User, NotFound>>()
        return tags.users(id)
      },
      lookup: (id) => Effect.flatMap(Db, (db) => db.user(id))
    }),
    getPosts: QueryCache.query({
      args: PostsArgs,
      success: Schema.Array(Post),
      tags: ({ userId }) => tags.users(userId).posts,
      when: (args, value) => {
        expectTypeOf(args).toEqualTypeOf<{ readonly userId: string; readonly page: number }>()
        expectTypeOf(value).toEqualTypeOf<ReadonlyArray<Post>>()
        return value.length > 0
      },
      timeout: { hard: "2 seconds" },
      lookup: ({ page, userId }) =>
        Effect.zipRight(
          Effect.flatMap(Audit, (audit) => audit.log("posts")),
          Effect.flatMap(Db, (db) => db.posts(userId, page))
        )
    })
  })
})

type Blog = Effect.Effect.Success<typeof blog>
declare const methods: Blog

describe("QueryCache.make", () => {
  it("needs the Cache and every lookup's requirements", () => {
    expectTypeOf<Effect.Effect.Context<typeof blog>>().toEqualTypeOf<Cache.Cache | Db | Audit>()
    expectTypeOf<Effect.Effect.Error<typeof blog>>().toEqualTypeOf<never>()
  })

  it("has one method per query, plus tags, invalidate and expire", () => {
    expectTypeOf<keyof Blog>().toEqualTypeOf<"getUser" | "getPosts" | "tags" | "invalidate" | "expire">()
  })

  it("a query's result must match its success Schema", () => {
    QueryCache.query({
      args: Schema.String,
      success: User,
      // @ts-expect-error the lookup returns a post, the query's success is a user
      lookup: (id: string) => Effect.succeed({ id, title: "t" })
    })
  })

  it("a success Schema that needs a service does not compile", () => {
    const NeedsDb = Post as unknown as Schema.Schema<Post, typeof Post.Encoded, Db>
    QueryCache.query({
      args: Schema.String,
      // @ts-expect-error the result's Schema must need nothing
      success: NeedsDb,
      lookup: (id: string) => Effect.succeed({ id, title: "t" })
    })
  })
})

describe("QueryCache methods", () => {
  it("take the args Schema's type", () => {
    expectTypeOf(methods.getUser).parameter(0).toEqualTypeOf<string>()
    expectTypeOf(methods.getPosts).parameter(0).toEqualTypeOf<{ readonly userId: string; readonly page: number }>()
    // @ts-expect-error `page` is a number once decoded (the Schema encodes it to a string for the key)
    methods.getPosts({ userId: "u1", page: "1" })
    // @ts-expect-error `userId` is missing
    methods.getPosts({ page: 1 })
  })

  it("return the success Schema's type, the error Schema's failure and need nothing", () => {
    expectTypeOf(methods.getUser("u1")).toEqualTypeOf<Effect.Effect<User, NotFound, never>>()
  })

  it("add FetchTimeoutError when the query has a hard timeout", () => {
    expectTypeOf(methods.getPosts({ userId: "u1", page: 1 }))
      .toEqualTypeOf<Effect.Effect<ReadonlyArray<Post>, Cache.FetchTimeoutError, never>>()
  })

  it("are shaped by the call's policy", () => {
    expectTypeOf(methods.getUser("u1", { policy: "CacheAndNetwork" }))
      .toEqualTypeOf<Stream.Stream<User, NotFound, never>>()
    expectTypeOf(methods.getUser("u1", { policy: "CacheOnly" }))
      .toEqualTypeOf<Effect.Effect<Option.Option<User>, never, never>>()
    expectTypeOf(methods.getUser("u1", { policy: "NetworkOnly" })).toEqualTypeOf<Effect.Effect<User, NotFound, never>>()
    // @ts-expect-error not a policy
    methods.getUser("u1", { policy: "CacheFirst" })
  })

  it("tags are the hierarchy's builders", () => {
    expectTypeOf(methods.tags).toEqualTypeOf<Tag.BuildersOf<typeof hierarchy>>()
    expectTypeOf(methods.tags.users("u1").posts("p1")).toExtend<Tag.Tag>()
    // @ts-expect-error `comments` is not in the hierarchy
    methods.tags.users("u1").comments
    expectTypeOf(methods.invalidate).parameter(0).toEqualTypeOf<Tag.Input>()
    expectTypeOf(methods.expire).parameter(0).toEqualTypeOf<Tag.Input>()
  })

  it("the builders given to `queries` are the same, so a tag outside the hierarchy does not compile", () => {
    QueryCache.make({
      hierarchy,
      queries: (tags) => ({
        getUser: QueryCache.query({
          args: Schema.String,
          success: User,
          // @ts-expect-error `profile` is not below a user in this hierarchy
          tags: (id) => tags.users(id).profile,
          lookup: (id) => Effect.succeed({ id, name: "Ada", joined: new Date(0) })
        })
      })
    })
  })
})
