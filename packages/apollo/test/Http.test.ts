/** `ApolloServerPluginCachet` with Apollo's standalone HTTP server on a loopback port. */
import { ApolloServer } from "@apollo/server"
import { startStandaloneServer } from "@apollo/server/standalone"
import { ApolloServerPluginCachet } from "@cachet/apollo"
import { Cache, MemoryStore } from "@cachet/core"
import { describe, it } from "@effect/vitest"
import { Layer } from "effect"

import { cachedThenFresh, makeBlog, typeDefs } from "../../graphql/test/fixtures/serverBlog.js"
import type { Answer } from "../../graphql/test/fixtures/serverBlog.js"

describe("ApolloServerPluginCachet over HTTP", () => {
  it("hits run no resolver and a mutation's entities are fresh on the next read", async () => {
    const blog = makeBlog()
    const server = new ApolloServer({
      typeDefs,
      resolvers: blog.resolvers,
      plugins: [ApolloServerPluginCachet({ cache: Cache.layer().pipe(Layer.provide(MemoryStore.layer())) })],
      stopOnTerminationSignals: false
    })
    const { url } = await startStandaloneServer(server, {
      listen: { port: 0, host: "127.0.0.1" },
      context: ({ req }) =>
        Promise.resolve({
          request: new Request("http://apollo/", { headers: { "x-user": String(req.headers["x-user"] ?? "") } })
        })
    })
    const post = async (query: string) =>
      (await (await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ query })
      })).json()) as Answer
    try {
      await cachedThenFresh(blog, post, 2)
    } finally {
      await server.stop()
    }
  })
})
