/**
 * Comments.
 *
 * @since 0.1.0
 */
import { HttpApiSchema } from "@effect/platform"
import { Schema } from "effect"

import { CommentId, PostId, UserId } from "./Ids.js"
import { Field, payload } from "./User.js"

/**
 * @since 0.1.0
 * @category models
 */
export class Comment extends Schema.Class<Comment>("Comment")({
  id: CommentId,
  postId: PostId,
  authorId: UserId,
  body: Schema.String,
  createdAt: Schema.DateTimeUtc,
  updatedAt: Schema.DateTimeUtc
}) {}

/**
 * @since 0.1.0
 * @category models
 */
export const CreateComment = payload({ authorId: Field, body: Field })

/**
 * @since 0.1.0
 * @category models
 */
export type CreateComment = typeof CreateComment.Type

/**
 * @since 0.1.0
 * @category errors
 */
export class CommentNotFound extends Schema.TaggedError<CommentNotFound>()(
  "CommentNotFound",
  { id: Schema.String },
  HttpApiSchema.annotations({ status: 404 })
) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return `no comment ${JSON.stringify(this.id)}`
  }
}
