/** `useCachet` with Yoga over a real HTTP server on a loopback port. */
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"

import { Cache, MemoryStore } from "@cachet/core"
import { useCachet } from "@cachet/envelop"
import { describe, expect, it } from "@effect/vitest"
import { Layer } from "effect"
import { createSchema, createYoga } from "graphql-yoga"

import { cachedThenFresh, feed, makeBlog, typeDefs } from "../../graphql/test/fixtures/serverBlog.js"
import type { Answer } from "../../graphql/test/fixtures/serverBlog.js"

describe("useCachet over HTTP", () => {
  it("hits run no resolver, a mutation's entities are fresh, GET answers 304 on the body's ETag", async () => {
    const blog = makeBlog()
    const yoga = createYoga({
      schema: createSchema({ typeDefs, resolvers: blog.resolvers }),
      plugins: [useCachet({ cache: Cache.layer().pipe(Layer.provide(MemoryStore.layer())) })],
      logging: false
    })
    const server = createServer(yoga)
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`
    const post = async (query: string) =>
      (await (await fetch(base, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ query })
      })).json()) as Answer
    try {
      await cachedThenFresh(blog, post)
      const url = `${base}?query=${encodeURIComponent(feed)}`
      const first = await fetch(url)
      await first.text()
      const etag = first.headers.get("etag")!
      expect((await fetch(url, { headers: { "if-none-match": etag } })).status).toBe(304)
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await yoga.dispose()
    }
  })
})
