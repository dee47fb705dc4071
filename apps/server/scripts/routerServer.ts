/**
 * The blog's `GET /posts/:id` on a plain `HttpRouter`, cached by `@cachet/http`'s middleware
 * instead of the app's `HttpApi` (the `http` bench section runs it beside the app): the same
 * services and data (`CACHET_DATABASE_PATH`, the cache settings), the post encoded by its Schema
 * on a miss, the stored bytes written on a hit. `CACHET_PORT` / `CACHET_HOST` as for the app.
 * It only reads, so its entries carry no tags.
 */
import * as Http from "node:http"

import { HttpCache } from "@cachet/http"
import { HttpRouter, HttpServer, HttpServerResponse } from "@effect/platform"
import { NodeHttpServer, NodeRuntime } from "@effect/platform-node"
import { Effect, Layer, Option } from "effect"

import { CommentsRepo } from "../src/Comments/Repo.js"
import * as AppConfig from "../src/Config.js"
import { canonicalize, PostId } from "../src/Domain/Ids.js"
import { PostDetail } from "../src/Domain/Post.js"
import { Author } from "../src/Domain/User.js"
import { ServicesLive } from "../src/Http.js"
import { LoggingLive } from "../src/Logging.js"
import { PostsRepo } from "../src/Posts/Repo.js"
import { UsersRepo } from "../src/Users/Repo.js"

const RouterLive = Layer.unwrapEffect(
  Effect.gen(function*() {
    const config = yield* AppConfig.cache
    const posts = yield* PostsRepo
    const users = yield* UsersRepo
    const comments = yield* CommentsRepo
    const notFound = HttpServerResponse.unsafeJson({ error: "NotFound" }, { status: 404 })
    const post = Effect.gen(function*() {
      const { id } = yield* HttpRouter.params
      const postId = Option.getOrUndefined(canonicalize(id ?? ""))
      if (postId === undefined) return notFound
      const found = yield* posts.findById(PostId.make(postId))
      if (Option.isNone(found)) return notFound
      const [author, list] = yield* Effect.all([
        users.findById(found.value.userId),
        comments.findByPost(found.value.id)
      ])
      if (Option.isNone(author)) return notFound
      const detail = new PostDetail({
        ...found.value,
        author: new Author({ id: author.value.id, name: author.value.name }),
        comments: list
      })
      return yield* HttpServerResponse.schemaJson(PostDetail)(detail)
    })
    const router = HttpRouter.empty.pipe(
      HttpRouter.get(
        "/posts/:id",
        post.pipe(
          HttpCache.middleware({
            ttl: config.ttl,
            grace: config.grace,
            // This server only reads (no writes to invalidate after), so its entries need no tags.
            name: "posts"
          })
        )
      ),
      HttpRouter.get("/health", HttpServerResponse.text("ok"))
    )
    return HttpServer.serve(router)
  })
).pipe(Layer.provide([PostsRepo.Default, UsersRepo.Default, CommentsRepo.Default]))

const ServerLive = Layer.unwrapEffect(
  Effect.map(AppConfig.server, ({ host, port }) => NodeHttpServer.layer(() => Http.createServer(), { host, port }))
)

RouterLive.pipe(
  Layer.provide(ServerLive),
  Layer.provide(ServicesLive),
  Layer.provide(LoggingLive),
  Layer.launch,
  Effect.tapErrorCause(Effect.logError),
  NodeRuntime.runMain
)
