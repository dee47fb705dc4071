/**
 * @since 0.1.0
 */
import { HttpApiEndpoint, HttpApiGroup, HttpApiSchema, OpenApi } from "@effect/platform"
import { Schema } from "effect"

import { PostSummary } from "../Domain/Post.js"
import { CreateUser, UpdateUser, User, UserNotFound } from "../Domain/User.js"
import { ValidationFailed } from "../Domain/Validation.js"

const IdPath = Schema.Struct({ id: Schema.String })

/**
 * @since 0.1.0
 * @category groups
 */
export class UsersApi extends HttpApiGroup.make("users")
  .add(
    HttpApiEndpoint.get("getUser", "/users/:id")
      .setPath(IdPath)
      .addSuccess(User)
      .addError(UserNotFound)
      .annotate(OpenApi.Summary, "A user (cached; X-Cache, Age, ETag)")
  )
  .add(
    HttpApiEndpoint.get("getUserPosts", "/users/:id/posts")
      .setPath(IdPath)
      .addSuccess(Schema.Array(PostSummary))
      .addError(UserNotFound)
      .annotate(OpenApi.Summary, "A user's posts, newest first (cached)")
  )
  .add(
    HttpApiEndpoint.post("createUser", "/users")
      .setPayload(CreateUser)
      .addSuccess(User, { status: 201 })
      .addError(ValidationFailed)
      .annotate(OpenApi.Summary, "Creates a user (name 2..255, not Admin/Owner; email well formed and unique)")
  )
  .add(
    HttpApiEndpoint.patch("updateUser", "/users/:id")
      .setPath(IdPath)
      .setPayload(UpdateUser)
      .addSuccess(User)
      .addError(UserNotFound)
      .addError(ValidationFailed)
      .annotate(OpenApi.Summary, "Changes a user's name or email")
  )
  .add(
    HttpApiEndpoint.del("deleteUser", "/users/:id")
      .setPath(IdPath)
      .addSuccess(HttpApiSchema.NoContent)
      .addError(UserNotFound)
      .annotate(OpenApi.Summary, "Deletes a user, their posts and every comment they wrote or received")
  )
  .annotate(OpenApi.Title, "Users")
{}
