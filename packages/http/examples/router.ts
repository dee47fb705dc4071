/**
 * `@cachet/http` on a plain `HttpRouter`: `npx tsx --conditions=@cachet/source packages/http/examples/router.ts`,
 * then `curl -si localhost:3000/posts/1` twice (MISS, then HIT with the same ETag). `PORT` picks another port.
 */
import { createServer } from "node:http"

import { Cache, MemoryStore } from "@cachet/core"
import { HttpCache } from "@cachet/http"
import { HttpRouter, HttpServer, HttpServerResponse } from "@effect/platform"
import { NodeHttpServer, NodeRuntime } from "@effect/platform-node"
import { Config, Effect, Layer } from "effect"

const post = Effect.map(HttpRouter.params, ({ id }) => HttpServerResponse.unsafeJson({ id, title: `Post ${id}` }))

const router = HttpRouter.empty.pipe(
  HttpRouter.get(
    "/posts/:id",
    post.pipe(HttpCache.middleware({
      ttl: "5 minutes",
      grace: "1 minute",
      query: ["lang"],
      vary: ["Accept-Language"],
      tags: (_request, _response, { id }) => [`posts/${id}`] // cache.invalidate("posts/1") drops it
    }))
  )
)

const port = Config.integer("PORT").pipe(Config.withDefault(3000))

HttpServer.serve(router).pipe(
  Layer.provide(NodeHttpServer.layerConfig(createServer, { port })),
  Layer.provide(Cache.layer().pipe(Layer.provide(MemoryStore.layer()))),
  Layer.launch,
  NodeRuntime.runMain
)
