/**
 * The blog's reads, cached: one `QueryCache` over the tag tree
 * `users/<id>/{profile,postList,posts/<id>/comments/<id>}` and `feed`, and the invalidation the
 * writes run. Each entry carries the narrowest tags that cover what it shows:
 *
 * | read | tags |
 * | --- | --- |
 * | `GET /users/:id` | `users/<id>/profile` |
 * | `GET /users/:id/posts` | `users/<id>/postList`, `users/<id>/posts/<pid>` of each post listed |
 * | `GET /posts/:id` | `users/<author>/posts/<id>/comments`, `users/<author>/profile` |
 * | `GET /posts` (first page) | `feed`, `users/<uid>/posts/<pid>` of each post listed |
 * | `GET /posts?cursor=` | `users/<uid>/posts/<pid>` of each post listed (older pages only change when a listed post does) |
 *
 * Invalidating a tag also invalidates every entry tagged below it, so `users/<id>` (a deleted
 * user) covers their profile, lists and posts wherever they are shown.
 *
 * @since 0.1.0
 */
import { type Cache, QueryCache, Tag } from "@cachet/core"
import type { SqlClient } from "@effect/sql"
import { type ConfigError, Context, Effect, Exit, Layer, Option, Schedule, Schema } from "effect"
import { CommentsRepo } from "./Comments/Repo.js"
import * as AppConfig from "./Config.js"
import { Author, User, UserNotFound } from "./Domain/User.js"
import { PostDetail, PostNotFound, PostPage, PostSummary } from "./Domain/Post.js"
import { PostId, UserId } from "./Domain/Ids.js"
import { withGraphTags } from "./GraphQL/Tags.js"
import * as HttpCache from "./HttpCache.js"
import { PostsRepo } from "./Posts/Repo.js"
import { UsersRepo } from "./Users/Repo.js"

/**
 * The tag tree.
 *
 * @since 0.1.0
 * @category tags
 */
export const tagSchema = Tag.at("users", () =>
  Tag.wild
    .at("profile")
    .at("postList")
    .at("posts", () => Tag.wild.at("comments", () => Tag.wild))
).at("feed")

/**
 * The typed tag builders: `tags.users("1").posts("7").comments`.
 *
 * @since 0.1.0
 * @category tags
 */
export const tags = Tag.builders(tagSchema)

const FeedArgs = Schema.Struct({ limit: Schema.Number, cursor: Schema.NullOr(Schema.String) })

const make = Effect.gen(function* () {
  const config = yield* AppConfig.cache
  const users = yield* UsersRepo
  const posts = yield* PostsRepo
  const comments = yield* CommentsRepo
  const options = { ttl: config.ttl, grace: config.grace }

  const postTags = (items: ReadonlyArray<PostSummary>) => items.map((post) => tags.users(post.userId).posts(post.id))

  return yield* QueryCache.make({
    schema: tagSchema,
    queries: (tags) => ({
      user: QueryCache.query({
        ...options,
        args: UserId,
        success: HttpCache.Representation(User),
        error: UserNotFound,
        tags: (id) => tags.users(id).profile,
        lookup: (id: UserId) =>
          users.findById(id).pipe(
            Effect.flatMap(Option.match({
              onNone: () => Effect.fail(new UserNotFound({ id })),
              onSome: Effect.succeed
            })),
            HttpCache.represent(User, config.ttl)
          )
      }),
      userPosts: QueryCache.query({
        ...options,
        args: UserId,
        success: HttpCache.Representation(Schema.Array(PostSummary)),
        error: UserNotFound,
        tags: (id, exit) =>
          Exit.isSuccess(exit) ? [tags.users(id).postList, ...postTags(exit.value.data)] : tags.users(id).profile,
        lookup: (id: UserId) =>
          users.findById(id).pipe(
            Effect.flatMap(Option.match({
              onNone: () => Effect.fail(new UserNotFound({ id })),
              onSome: () => posts.findByUser(id)
            })),
            HttpCache.represent(Schema.Array(PostSummary), config.ttl)
          )
      }),
      post: QueryCache.query({
        ...options,
        args: PostId,
        success: HttpCache.Representation(PostDetail),
        error: PostNotFound,
        // A post id not taken yet may be taken by the next new post, which invalidates `feed`.
        tags: (id, exit) =>
          Exit.isSuccess(exit)
            ? [tags.users(exit.value.data.userId).posts(id).comments, tags.users(exit.value.data.userId).profile]
            : tags.feed,
        lookup: (id: PostId) =>
          Effect.gen(function* () {
            const post = yield* posts.findById(id)
            if (Option.isNone(post)) return yield* new PostNotFound({ id })
            const [author, list] = yield* Effect.all([users.findById(post.value.userId), comments.findByPost(id)])
            if (Option.isNone(author)) return yield* Effect.dieMessage(`post ${id} has no author`)
            return new PostDetail({
              ...post.value,
              author: new Author({ id: author.value.id, name: author.value.name }),
              comments: list
            })
          }).pipe(HttpCache.represent(PostDetail, config.ttl))
      }),
      feed: QueryCache.query({
        ...options,
        args: FeedArgs,
        success: HttpCache.Representation(PostPage),
        tags: ({ cursor }, exit) => [
          ...(cursor === null ? [tags.feed] : []),
          ...(Exit.isSuccess(exit) ? postTags(exit.value.data.items) : [])
        ],
        lookup: ({ cursor, limit }: typeof FeedArgs.Type) =>
          posts.page({ limit: limit + 1, cursor }).pipe(
            Effect.map((rows) =>
              new PostPage({
                items: rows.slice(0, limit),
                nextCursor: rows.length > limit ? rows[limit - 1]!.id : null
              })
            ),
            HttpCache.represent(PostPage, config.ttl)
          )
      })
    })
  })
})

/**
 * The blog's cached reads.
 *
 * @since 0.1.0
 * @category services
 */
export class BlogCache extends Context.Tag("Blog/BlogCache")<BlogCache, Effect.Effect.Success<typeof make>>() {
  /**
   * @since 0.1.0
   */
  static readonly Default: Layer.Layer<BlogCache, ConfigError.ConfigError, Cache.Cache | SqlClient.SqlClient> = Layer.effect(BlogCache, make).pipe(
    Layer.provide([UsersRepo.Default, PostsRepo.Default, CommentsRepo.Default])
  )
}

/**
 * Invalidates tags after a write has committed. A store that keeps failing does not fail the
 * write (it happened): the failure is logged, and the entries age out with their ttl.
 *
 * @since 0.1.0
 * @category combinators
 */
export const invalidate = (input: Tag.Input): Effect.Effect<void, never, BlogCache> =>
  Effect.flatMap(BlogCache, (blog) =>
    blog.invalidate(withGraphTags(input)).pipe(
      Effect.retry(Schedule.exponential("20 millis").pipe(Schedule.intersect(Schedule.recurs(3)))),
      Effect.tap(() => Effect.logDebug("invalidated").pipe(Effect.annotateLogs("tags", Tag.normalize(input).join(" ")))),
      Effect.catchAll((error) =>
        Effect.logError("cache invalidation failed after the write; entries will age out").pipe(
          Effect.annotateLogs({ tags: Tag.normalize(input).join(" "), error: error.message })
        )
      )
    ))
