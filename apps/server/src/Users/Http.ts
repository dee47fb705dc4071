/**
 * @since 0.1.0
 */
import { HttpApiBuilder } from "@effect/platform"
import { Effect, Layer } from "effect"

import { Api } from "../Api.js"
import { Users } from "../Users.js"

/**
 * @since 0.1.0
 * @category layers
 */
export const HttpUsersLive = HttpApiBuilder.group(Api, "users", (handlers) =>
  Effect.gen(function*() {
    const users = yield* Users
    return handlers
      .handle("getUser", ({ path }) => users.get(path.id))
      .handle("getUserPosts", ({ path }) => users.posts(path.id))
      .handle("createUser", ({ payload }) => users.create(payload))
      .handle("updateUser", ({ path, payload }) => users.update(path.id, payload))
      .handle("deleteUser", ({ path }) => users.remove(path.id))
  })).pipe(Layer.provide(Users.Default))
