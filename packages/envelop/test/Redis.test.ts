/**
 * `useCachet` on Redis and on a 3-master Redis Cluster: hits run no resolver, a mutation's
 * entities are fresh on the next read, complete GET responses are kept whole, and no `KEYS`
 * command ever reaches a server.
 */
import { useCachet } from "@cachet/envelop"
import { RedisStore } from "@cachet/redis"
import { expect } from "@effect/vitest"
import { ManagedRuntime } from "effect"
import { createSchema, createYoga } from "graphql-yoga"

import { cachedThenFresh, feed, makeBlog, onRedis, typeDefs } from "../../graphql/test/fixtures/serverBlog.js"
import type { Answer } from "../../graphql/test/fixtures/serverBlog.js"

onRedis("useCachet", RedisStore.layer, async (cache, namespace) => {
  const blog = makeBlog()
  const runtime = ManagedRuntime.make(cache)
  const yoga = createYoga({
    schema: createSchema({ typeDefs, resolvers: blog.resolvers }),
    plugins: [useCachet({ cache: runtime, namespace })],
    logging: false
  })
  const post = async (query: string) => {
    const response = await yoga.fetch("http://yoga/graphql", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query })
    })
    return (await response.json()) as Answer
  }
  try {
    await cachedThenFresh(blog, post)
    const url = `http://yoga/graphql?query=${encodeURIComponent(feed)}`
    const whole = await yoga.fetch(url)
    const etag = whole.headers.get("etag")
    expect(etag).not.toBeNull()
    expect((await yoga.fetch(url, { headers: { "if-none-match": etag! } })).status).toBe(304)
  } finally {
    await runtime.dispose()
  }
})
