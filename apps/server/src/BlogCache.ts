/**
 * The blog's reads, cached as HTTP responses by `@cachet/http` (`HttpCache.reader`: a hit writes
 * the stored bytes, with `ETag`, `Age`, `X-Cache` and `304`), tagged over the tree
 * `users/<id>/{profile,postList,posts/<id>/comments/<id>}` and `feed`, and the invalidation the
 * writes run. Each entry carries the narrowest tags that cover what it shows:
 *
 * | read | tags |
 * | --- | --- |
 * | `GET /users/:id` | `users/<id>/profile` |
 * | `GET /users/:id/posts` | `users/<id>/postList`, `users/<id>/posts/<pid>` of each post listed |
 * | `GET /posts/:id` | `users/<author>/posts/<id>/comments`, `users/<author>/profile` |
 * | `GET /posts` (first page) | `feed`, `users/<uid>/posts/<pid>` of each post listed |
 * | `GET /posts?cursor=` | `users/<uid>/posts/<pid>` of each post listed (older pages only change when a listed post
 * does) |
 *
 * Invalidating a tag also invalidates every entry tagged below it, so `users/<id>` (a deleted
 * user) covers their profile, lists and posts wherever they are shown.
 *
 * @since 0.1.0
 */
import { Cache, Key, Tag } from "@cachet/core"
import { HttpCache } from "@cachet/http"
import type { HttpServerRequest, HttpServerResponse } from "@effect/platform"
import type { SqlClient } from "@effect/sql"
import { type ConfigError, Context, Effect, Exit, Layer, Option, Schema } from "effect"

import { CommentsRepo } from "./Comments/Repo.js"
import * as AppConfig from "./Config.js"
import type { PostId, UserId } from "./Domain/Ids.js"
import { PostDetail, PostNotFound, PostPage, PostSummary } from "./Domain/Post.js"
import { Author, User, UserNotFound } from "./Domain/User.js"
import { withGraphTags } from "./GraphQL/Tags.js"
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
    .at("posts", () => Tag.wild.at("comments", () => Tag.wild))).at("feed")

/**
 * The typed tag builders: `tags.users("1").posts("7").comments`.
 *
 * @since 0.1.0
 * @category tags
 */
export const tags = Tag.builders(tagSchema)

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

  const postTags = (items: ReadonlyArray<PostSummary>) => items.map((post) => tags.users(post.userId).posts(post.id))

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
    tags: (id) => tags.users(id).profile
  })
  const userPostsRead = HttpCache.reader({
    ...route,
    key: (id: UserId) => `userPosts:${id}`,
    schema: PostSummaries,
    failure: { schema: UserNotFound },
    tags: (id, exit: Exit.Exit<ReadonlyArray<PostSummary>, UserNotFound>) =>
      Exit.isSuccess(exit) ? [tags.users(id).postList, ...postTags(exit.value)] : tags.users(id).profile
  })
  const postRead = HttpCache.reader({
    ...route,
    key: (id: PostId) => `post:${id}`,
    schema: PostDetail,
    failure: { schema: PostNotFound },
    // A post id not taken yet may be taken by the next new post, which invalidates `feed`.
    tags: (id, exit: Exit.Exit<PostDetail, PostNotFound>) =>
      Exit.isSuccess(exit)
        ? [tags.users(exit.value.userId).posts(id).comments, tags.users(exit.value.userId).profile]
        : tags.feed
  })
  const feedRead = HttpCache.reader({
    ...route,
    key: ({ cursor, limit }: { readonly limit: number; readonly cursor: string | null }) =>
      `feed:${Key.canonical({ limit, cursor })}`,
    schema: PostPage,
    tags: ({ cursor }, exit: Exit.Exit<PostPage, never>) => [
      ...(cursor === null ? [tags.feed] : []),
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
 * Invalidates tags after a write has committed. It cannot fail: an invalidation the store does
 * not take is deferred and replayed by the cache (see `Cache.Service.invalidate`).
 *
 * @since 0.1.0
 * @category combinators
 */
export const invalidate = (input: Tag.Input): Effect.Effect<void, never, BlogCache> =>
  Effect.flatMap(BlogCache, (blog) =>
    blog.invalidate(withGraphTags(input)).pipe(
      Effect.tap(() => Effect.logDebug("invalidated").pipe(Effect.annotateLogs("tags", Tag.normalize(input).join(" "))))
    ))
