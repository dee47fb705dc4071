/**
 * @since 0.1.0
 */
import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform"
import { Schema } from "effect"

import { Cursor, DecimalInt } from "../Domain/Ids.js"
import { CreatePost, Post, PostDetail, PostNotFound, PostPage, UpdatePost } from "../Domain/Post.js"
import { UserNotFound } from "../Domain/User.js"
import { ValidationFailed } from "../Domain/Validation.js"

const IdPath = Schema.Struct({ id: Schema.String })

/**
 * `?limit=` (1..100 in decimal digits, default 20) and `?cursor=` (the `nextCursor` of the previous page).
 *
 * @since 0.1.0
 * @category models
 */
export const PageParams = Schema.Struct({
  limit: Schema.optional(DecimalInt.pipe(Schema.between(1, 100))),
  cursor: Schema.optional(Cursor)
})

/**
 * @since 0.1.0
 * @category groups
 */
export class PostsApi extends HttpApiGroup.make("posts")
  .add(
    HttpApiEndpoint.get("listPosts", "/posts")
      .setUrlParams(PageParams)
      .addSuccess(PostPage)
      .annotate(OpenApi.Summary, "The feed, newest first, a page at a time (cached)")
  )
  .add(
    HttpApiEndpoint.get("getPost", "/posts/:id")
      .setPath(IdPath)
      .addSuccess(PostDetail)
      .addError(PostNotFound)
      .annotate(OpenApi.Summary, "A post with its author and comments (cached)")
  )
  .add(
    HttpApiEndpoint.post("createPost", "/users/:id/posts")
      .setPath(IdPath)
      .setPayload(CreatePost)
      .addSuccess(Post, { status: 201 })
      .addError(UserNotFound)
      .addError(ValidationFailed)
      .annotate(OpenApi.Summary, "Creates a post (title 3..200, body 1..20000)")
  )
  .add(
    HttpApiEndpoint.patch("updatePost", "/posts/:id")
      .setPath(IdPath)
      .setPayload(UpdatePost)
      .addSuccess(Post)
      .addError(PostNotFound)
      .addError(ValidationFailed)
      .annotate(OpenApi.Summary, "Changes a post's title or body")
  )
  .annotate(OpenApi.Title, "Posts")
{}
