/**
 * `ApolloServerPluginCachet` on Redis and on a 3-master Redis Cluster: hits run no resolver, a
 * mutation's entities are fresh on the next read, and no `KEYS` command reaches a server.
 */
import { ApolloServer } from "@apollo/server"
import { ApolloServerPluginCachet } from "@cachet/apollo"
import { RedisStore } from "@cachet/redis"

import { cachedThenFresh, makeBlog, onRedis, typeDefs } from "../../graphql/test/fixtures/serverBlog.js"
import type { Answer } from "../../graphql/test/fixtures/serverBlog.js"

onRedis("ApolloServerPluginCachet", RedisStore.layer, async (cache, namespace) => {
  const blog = makeBlog()
  const server = new ApolloServer({
    typeDefs,
    resolvers: blog.resolvers,
    plugins: [ApolloServerPluginCachet({ cache, namespace })]
  })
  await server.start()
  const post = async (query: string) => {
    const response = await server.executeOperation({ query }, {
      contextValue: { request: new Request("http://apollo/") }
    })
    if (response.body.kind !== "single") throw new Error("expected a single result")
    return response.body.singleResult as Answer
  }
  try {
    await cachedThenFresh(blog, post)
  } finally {
    // Closes the runtime the plugin built from the layer (the Redis connections).
    await server.stop()
  }
})
