/**
 * Comments: validated creation and deletion; each invalidates only its post's comment list.
 *
 * @since 0.1.0
 */
import { Validate } from "@cachet/validate"
import { Effect, Option } from "effect"

import { BlogCache, invalidate, tags } from "./BlogCache.js"
import { CommentsRepo } from "./Comments/Repo.js"
import type { CreateComment } from "./Domain/Comment.js"
import { CommentNotFound } from "./Domain/Comment.js"
import { canonicalize, CommentId, PostId, UserId } from "./Domain/Ids.js"
import { PostNotFound } from "./Domain/Post.js"
import * as Text from "./Domain/Text.js"
import { toValidationFailed } from "./Domain/Validation.js"
import { PostsRepo } from "./Posts/Repo.js"
import { nowIso } from "./Users.js"
import { UsersRepo } from "./Users/Repo.js"

/**
 * @since 0.1.0
 * @category validations
 */
export const validateCommentBody = (body: unknown) =>
  Validate.validate(body, "body", { presence: true, length: { min: 1, max: 5_000 } })

/**
 * @since 0.1.0
 * @category services
 */
export class Comments extends Effect.Service<Comments>()("Blog/Comments", {
  effect: Effect.gen(function*() {
    const repo = yield* CommentsRepo
    const posts = yield* PostsRepo
    const users = yield* UsersRepo
    const blog = yield* BlogCache

    const validateAuthor = (authorId: unknown) =>
      Validate.validate(authorId, "authorId", {
        presence: true,
        custom: {
          with: Effect.suspend(() =>
            typeof authorId === "string" && Option.isSome(canonicalize(authorId))
              ? Effect.flatMap(users.exists(authorId), (exists) => exists ? Effect.void : Effect.fail("unknown user"))
              : Effect.fail("not a user id")
          ),
          message: "Author must be an existing user"
        }
      })

    return {
      create: (postId: string, raw: CreateComment) =>
        Effect.gen(function*() {
          const input = Text.fields(raw, { body: Text.text })
          const post = yield* Option.match(canonicalize(postId), {
            onNone: () => Effect.succeedNone,
            onSome: (id) => posts.findById(PostId.make(id))
          })
          if (Option.isNone(post)) return yield* new PostNotFound({ id: postId })
          yield* Validate.validateAll([validateAuthor(input.authorId), validateCommentBody(input.body)])
          const comment = yield* repo.insert({
            postId: post.value.id,
            authorId: UserId.make(input.authorId!),
            body: input.body!,
            now: yield* nowIso
          })
          // That post's comments, not the author's other posts.
          yield* invalidate(tags.Post(post.value.id).comments)
          return comment
        }).pipe(toValidationFailed, Effect.provideService(BlogCache, blog), Effect.withSpan("Comments.create")),

      remove: (id: string) =>
        Effect.gen(function*() {
          const found = yield* Option.match(canonicalize(id), {
            onNone: () => Effect.succeedNone,
            onSome: (id) => repo.findById(CommentId.make(id))
          })
          if (Option.isNone(found)) return yield* new CommentNotFound({ id })
          const { comment } = found.value
          yield* repo.delete(comment.id)
          yield* invalidate([tags.Post(comment.postId).comments, tags.Comment(comment.id)])
        }).pipe(Effect.provideService(BlogCache, blog), Effect.withSpan("Comments.remove"))
    } as const
  }),
  dependencies: [CommentsRepo.Default, PostsRepo.Default, UsersRepo.Default]
}) {}
