/**
 * Posts: reads (one post with its author and comments, the feed), validated writes and their
 * invalidation. The reads return domain values; which are cached is the HTTP layer's
 * (`CachedEndpoints`).
 *
 * @since 0.1.0
 */
import { Validate } from "@cachet/validate"
import { Effect, Option } from "effect"

import { BlogCache, invalidate, tags } from "./BlogCache.js"
import { CommentsRepo } from "./Comments/Repo.js"
import { canonicalize, PostId, UserId } from "./Domain/Ids.js"
import type { CreatePost, UpdatePost } from "./Domain/Post.js"
import { PostDetail, PostNotFound, PostPage } from "./Domain/Post.js"
import * as Text from "./Domain/Text.js"
import { Author, UserNotFound } from "./Domain/User.js"
import { toValidationFailed } from "./Domain/Validation.js"
import { PostsRepo } from "./Posts/Repo.js"
import { nowIso } from "./Users.js"
import { UsersRepo } from "./Users/Repo.js"

/**
 * @since 0.1.0
 * @category validations
 */
export const validateTitle = (title: unknown) =>
  Validate.validate(title, "title", { presence: true, length: { min: 3, max: 200 } })

/**
 * @since 0.1.0
 * @category validations
 */
export const validateBody = (body: unknown) =>
  Validate.validate(body, "body", { presence: true, length: { min: 1, max: 20_000 } })

/**
 * The feed's page size when none is asked for.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultLimit = 20

/**
 * @since 0.1.0
 * @category services
 */
export class Posts extends Effect.Service<Posts>()("Blog/Posts", {
  effect: Effect.gen(function*() {
    const repo = yield* PostsRepo
    const users = yield* UsersRepo
    const comments = yield* CommentsRepo
    const blog = yield* BlogCache

    const withId = <A, E, R>(id: string, f: (id: PostId) => Effect.Effect<A, E, R>) =>
      // On every cached read: no closures built for the match.
      Option.isSome(canonicalize(id)) ? f(PostId.make(id)) : Effect.fail(new PostNotFound({ id }))

    const find = (id: PostId) =>
      Effect.gen(function*() {
        const post = yield* repo.findById(id)
        if (Option.isNone(post)) return yield* new PostNotFound({ id })
        const [author, list] = yield* Effect.all([users.findById(post.value.userId), comments.findByPost(id)])
        if (Option.isNone(author)) return yield* Effect.dieMessage(`post ${id} has no author`)
        return new PostDetail({
          ...post.value,
          author: new Author({ id: author.value.id, name: author.value.name }),
          comments: list
        })
      })

    return {
      /** A post with its author and comments. */
      get: (id: string): Effect.Effect<PostDetail, PostNotFound> => withId(id, find),
      /** A page of the feed, newest first. */
      list: (params: { readonly limit?: number | undefined; readonly cursor?: string | undefined }) => {
        const limit = params.limit ?? defaultLimit
        return Effect.map(repo.page({ limit: limit + 1, cursor: params.cursor ?? null }), (rows) =>
          new PostPage({
            items: rows.slice(0, limit),
            nextCursor: rows.length > limit ? rows[limit - 1]!.id : null
          }))
      },

      create: (userId: string, raw: CreatePost) =>
        Effect.gen(function*() {
          const input = Text.fields(raw, { title: Text.text, body: Text.text })
          const author = yield* Option.match(canonicalize(userId), {
            onNone: () => Effect.succeedNone,
            onSome: (id) => users.findById(UserId.make(id))
          })
          if (Option.isNone(author)) return yield* new UserNotFound({ id: userId })
          yield* Validate.validateAll([validateTitle(input.title), validateBody(input.body)])
          const post = yield* repo.insert({
            userId: author.value.id,
            title: input.title!,
            body: input.body!,
            now: yield* nowIso
          })
          // The author's list and the feed's first pages; none of their other posts.
          yield* invalidate([tags.User(post.userId).posts, tags.Query.posts])
          return post
        }).pipe(toValidationFailed, Effect.provideService(BlogCache, blog), Effect.withSpan("Posts.create")),

      update: (id: string, raw: UpdatePost) =>
        withId(id, (id) =>
          Effect.gen(function*() {
            const input = Text.fields(raw, { title: Text.text, body: Text.text })
            const current = yield* Effect.flatMap(
              repo.findById(id),
              Option.match({
                onNone: () => Effect.fail(new PostNotFound({ id })),
                onSome: Effect.succeed
              })
            )
            yield* Validate.validateAll([
              ...(input.title !== undefined ? [validateTitle(input.title)] : []),
              ...(input.body !== undefined ? [validateBody(input.body)] : [])
            ])
            const fields = {
              ...(input.title != null ? { title: input.title } : {}),
              ...(input.body != null ? { body: input.body } : {})
            }
            if (Object.keys(fields).length === 0) return current
            const updated = yield* repo.update(id, fields, yield* nowIso)
            if (Option.isNone(updated)) return yield* new PostNotFound({ id })
            // The post, and the lists and feed pages that show it (they carry its tag).
            yield* invalidate(tags.Post(id).$fields)
            return updated.value
          })).pipe(toValidationFailed, Effect.provideService(BlogCache, blog), Effect.withSpan("Posts.update"))
    } as const
  }),
  dependencies: [PostsRepo.Default, UsersRepo.Default, CommentsRepo.Default]
}) {}
