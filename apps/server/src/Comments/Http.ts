/**
 * @since 0.1.0
 */
import { HttpApiBuilder } from "@effect/platform"
import { Effect, Layer } from "effect"

import { Api } from "../Api.js"
import { Comments } from "../Comments.js"

/**
 * @since 0.1.0
 * @category layers
 */
export const HttpCommentsLive = HttpApiBuilder.group(Api, "comments", (handlers) =>
  Effect.gen(function*() {
    const comments = yield* Comments
    return handlers
      .handle("createComment", ({ path, payload }) => comments.create(path.id, payload))
      .handle("deleteComment", ({ path }) => comments.remove(path.id))
  })).pipe(Layer.provide(Comments.Default))
