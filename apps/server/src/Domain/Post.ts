/**
 * Posts.
 *
 * @since 0.1.0
 */
import { HttpApiSchema } from "@effect/platform"
import { Schema } from "effect"

import { Comment } from "./Comment.js"
import { PostId, UserId } from "./Ids.js"
import { Author, Field, payload } from "./User.js"

/**
 * A post as lists show it (no body).
 *
 * @since 0.1.0
 * @category models
 */
export class PostSummary extends Schema.Class<PostSummary>("PostSummary")({
  id: PostId,
  userId: UserId,
  title: Schema.String,
  createdAt: Schema.DateTimeUtc,
  updatedAt: Schema.DateTimeUtc
}) {}

/**
 * @since 0.1.0
 * @category models
 */
export class Post extends Schema.Class<Post>("Post")({
  ...PostSummary.fields,
  body: Schema.String
}) {}

/**
 * A post with its author and comments (`GET /posts/:id`).
 *
 * @since 0.1.0
 * @category models
 */
export class PostDetail extends Schema.Class<PostDetail>("PostDetail")({
  ...Post.fields,
  author: Author,
  comments: Schema.Array(Comment)
}) {}

/**
 * One page of the feed, newest first; `nextCursor` is null on the last page.
 *
 * @since 0.1.0
 * @category models
 */
export class PostPage extends Schema.Class<PostPage>("PostPage")({
  items: Schema.Array(PostSummary),
  nextCursor: Schema.NullOr(PostId)
}) {}

/**
 * @since 0.1.0
 * @category models
 */
export const CreatePost = payload({ title: Field, body: Field })

/**
 * @since 0.1.0
 * @category models
 */
export type CreatePost = typeof CreatePost.Type

/**
 * @since 0.1.0
 * @category models
 */
export const UpdatePost = payload({ title: Field, body: Field })

/**
 * @since 0.1.0
 * @category models
 */
export type UpdatePost = typeof UpdatePost.Type

/**
 * @since 0.1.0
 * @category errors
 */
export class PostNotFound extends Schema.TaggedError<PostNotFound>()(
  "PostNotFound",
  { id: Schema.String },
  HttpApiSchema.annotations({ status: 404 })
) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return `no post ${JSON.stringify(this.id)}`
  }
}
