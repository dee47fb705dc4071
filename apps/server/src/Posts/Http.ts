/**
 * @since 0.1.0
 */
import { HttpApiBuilder } from "@effect/platform"
import { Effect, Layer } from "effect"

import { Api } from "../Api.js"
import { Posts } from "../Posts.js"

/**
 * @since 0.1.0
 * @category layers
 */
export const HttpPostsLive = HttpApiBuilder.group(Api, "posts", (handlers) =>
  Effect.gen(function*() {
    const posts = yield* Posts
    return handlers
      .handle("listPosts", ({ urlParams }) => posts.list(urlParams))
      .handle("getPost", ({ path }) => posts.get(path.id))
      .handle("createPost", ({ path, payload }) => posts.create(path.id, payload))
      .handle("updatePost", ({ path, payload }) => posts.update(path.id, payload))
  })).pipe(Layer.provide(Posts.Default))
