/**
 * The blog's reads, cached as HTTP responses by `@cachet/http` (`HttpCache.reader`: a hit writes
 * the stored bytes, with `ETag`, `Age`, `X-Cache` and `304`), tagged with the app's one tag
 * vocabulary (`Tags.ts`, the GraphQL fragments' tags too), and the invalidation the writes run.
 * Each entry carries the narrowest tags that cover what it shows:
 *
 * | read | tags |
 * | --- | --- |
 * | `GET /users/:id` | `User/<id>/$fields` |
 * | `GET /users/:id/posts` | `User/<id>/posts`, `Post/<pid>/$fields` of each post listed |
 * | `GET /posts/:id` | `Post/<id>/$fields`, `Post/<id>/comments`, `User/<author>/$fields` |
 * | `GET /posts` (first page) | `Query/posts`, `Post/<pid>/$fields` of each post listed |
 * | `GET /posts?cursor=` | `Post/<pid>/$fields` of each post listed (older pages only change when a listed post
 * does) |
 *
 * Invalidating a tag also invalidates every entry tagged below it, so `User/<id>` (a deleted
 * user) covers their profile and lists wherever they are shown.
 *
 * @since 0.1.0
 */
import { Cache, Key, Tag } from "@cachet/core"
import { HttpCache } from "@cachet/http"
import type { HttpServerRequest, HttpServerResponse } from "@effect/platform"
import type { SqlClient } from "@effect/sql"
import { type ConfigError, Context, Effect, Exit, Layer, Option, Schedule, Schema } from "effect"

import { CommentsRepo } from "./Comments/Repo.js"
import * as AppConfig from "./Config.js"
import type { PostId, UserId } from "./Domain/Ids.js"
import { PostDetail, PostNotFound, PostPage, PostSummary } from "./Domain/Post.js"
import { Author, User, UserNotFound } from "./Domain/User.js"
import { PostsRepo } from "./Posts/Repo.js"
import { tags } from "./Tags.js"
import { UsersRepo } from "./Users/Repo.js"

/**
 * The app's tag builders (`Tags.ts`), for the writes' invalidation.
 *
 * @since 0.1.0
 * @category tags
 */
export { tags } from "./Tags.js"

/**
 * A cached read: the stored response (`X-Cache`, `Age`, `ETag`, `304`), from `@cachet/http`.
 *
 * @since 0.1.0
 * @category models
 */
export type CachedRead<E> = Effect.Effect<
  HttpServerResponse.HttpServerResponse,
  E,
  HttpServerRequest.HttpServerRequest | Cache.Cache
>

/**
 * The blog's cached reads (each answers with its stored response) and the invalidation the
 * writes run.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  readonly user: (id: UserId) => CachedRead<UserNotFound>
  readonly userPosts: (id: UserId) => CachedRead<UserNotFound>
  readonly post: (id: PostId) => CachedRead<PostNotFound>
  readonly feed: (args: { readonly limit: number; readonly cursor: string | null }) => CachedRead<never>
  /** Hard invalidation of tags and their descendants. */
  readonly invalidate: Cache.Service["invalidate"]
}

const PostSummaries = Schema.Array(PostSummary)

const make = Effect.gen(function*() {
  const config = yield* AppConfig.cache
  const cache = yield* Cache.Cache
  const users = yield* UsersRepo
  const posts = yield* PostsRepo
  const comments = yield* CommentsRepo
  const route = { ttl: config.ttl, grace: config.grace }

  const postTags = (items: ReadonlyArray<PostSummary>) => items.map((post) => tags.Post(post.id).$fields)

  const findUser = (id: UserId) =>
    Effect.flatMap(
      users.findById(id),
      Option.match({
        onNone: () => Effect.fail(new UserNotFound({ id })),
        onSome: Effect.succeed
      })
    )

  const findPost = (id: PostId) =>
    Effect.gen(function*() {
      const post = yield* posts.findById(id)
      if (Option.isNone(post)) return yield* new PostNotFound({ id })
      const [author, list] = yield* Effect.all([users.findById(post.value.userId), comments.findByPost(id)])
      if (Option.isNone(author)) return yield* Effect.dieMessage(`post ${id} has no author`)
      return new PostDetail({
        ...post.value,
        author: new Author({ id: author.value.id, name: author.value.name }),
        comments: list
      })
    })

  // Prepared once: a hit only computes its key (`HttpCache.reader`).
  const userRead = HttpCache.reader({
    ...route,
    key: (id: UserId) => `user:${id}`,
    schema: User,
    failure: { schema: UserNotFound },
    tags: (id) => tags.User(id).$fields
  })
  const userPostsRead = HttpCache.reader({
    ...route,
    key: (id: UserId) => `userPosts:${id}`,
    schema: PostSummaries,
    failure: { schema: UserNotFound },
    tags: (id, exit: Exit.Exit<ReadonlyArray<PostSummary>, UserNotFound>) =>
      Exit.isSuccess(exit) ? [tags.User(id).posts, ...postTags(exit.value)] : tags.User(id).$fields
  })
  const postRead = HttpCache.reader({
    ...route,
    key: (id: PostId) => `post:${id}`,
    schema: PostDetail,
    failure: { schema: PostNotFound },
    // A post id not taken yet may be taken by the next new post, which invalidates `Query/posts`.
    tags: (id, exit: Exit.Exit<PostDetail, PostNotFound>) =>
      Exit.isSuccess(exit)
        ? [tags.Post(id).$fields, tags.Post(id).comments, tags.User(exit.value.userId).$fields]
        : tags.Query.posts
  })
  const feedRead = HttpCache.reader({
    ...route,
    key: ({ cursor, limit }: { readonly limit: number; readonly cursor: string | null }) =>
      `feed:${Key.canonical({ limit, cursor })}`,
    schema: PostPage,
    tags: ({ cursor }, exit: Exit.Exit<PostPage, never>) => [
      ...(cursor === null ? [tags.Query.posts] : []),
      ...(Exit.isSuccess(exit) ? postTags(exit.value.items) : [])
    ]
  })

  const service: Service = {
    // The lookups are built only when they run (on a miss).
    user: (id) => userRead(id, Effect.suspend(() => findUser(id))),
    userPosts: (id) =>
      userPostsRead(id, Effect.suspend(() => Effect.flatMap(findUser(id), () => posts.findByUser(id)))),
    post: (id) => postRead(id, findPost(id)),
    feed: (page) =>
      feedRead(
        page,
        Effect.suspend(() =>
          Effect.map(posts.page({ limit: page.limit + 1, cursor: page.cursor }), (rows) =>
            new PostPage({
              items: rows.slice(0, page.limit),
              nextCursor: rows.length > page.limit ? rows[page.limit - 1]!.id : null
            }))
        )
      ),
    invalidate: cache.invalidate
  }
  return service
})

/**
 * The blog's cached reads.
 *
 * @since 0.1.0
 * @category services
 */
export class BlogCache extends Context.Tag("Blog/BlogCache")<BlogCache, Service>() {
  /**
   * @since 0.1.0
   */
  static readonly Default: Layer.Layer<BlogCache, ConfigError.ConfigError, Cache.Cache | SqlClient.SqlClient> = Layer
    .effect(BlogCache, make).pipe(
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
    blog.invalidate(input).pipe(
      Effect.retry(Schedule.exponential("20 millis").pipe(Schedule.intersect(Schedule.recurs(3)))),
      Effect.tap(() =>
        Effect.logDebug("invalidated").pipe(Effect.annotateLogs("tags", Tag.normalize(input).join(" ")))
      ),
      Effect.catchAll((error) =>
        Effect.logError("cache invalidation failed after the write; entries will age out").pipe(
          Effect.annotateLogs({ tags: Tag.normalize(input).join(" "), error: error.message })
        )
      )
    ))
