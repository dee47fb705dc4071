/**
 * @since 0.1.0
 */
import { HttpApiEndpoint, HttpApiGroup, HttpApiSchema, OpenApi } from "@effect/platform"
import { Schema } from "effect"

import { Comment, CommentNotFound, CreateComment } from "../Domain/Comment.js"
import { PostNotFound } from "../Domain/Post.js"
import { ValidationFailed } from "../Domain/Validation.js"

const IdPath = Schema.Struct({ id: Schema.String })

/**
 * @since 0.1.0
 * @category groups
 */
export class CommentsApi extends HttpApiGroup.make("comments")
  .add(
    HttpApiEndpoint.post("createComment", "/posts/:id/comments")
      .setPath(IdPath)
      .setPayload(CreateComment)
      .addSuccess(Comment, { status: 201 })
      .addError(PostNotFound)
      .addError(ValidationFailed)
      .annotate(OpenApi.Summary, "Comments on a post (authorId an existing user, body 1..5000)")
  )
  .add(
    HttpApiEndpoint.del("deleteComment", "/comments/:id")
      .setPath(IdPath)
      .addSuccess(HttpApiSchema.NoContent)
      .addError(CommentNotFound)
      .annotate(OpenApi.Summary, "Deletes a comment")
  )
  .annotate(OpenApi.Title, "Comments")
{}
