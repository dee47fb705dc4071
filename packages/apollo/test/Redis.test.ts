/**
 * `ApolloServerPluginCachet` on Redis and on a 3-master Redis Cluster: hits run no resolver, a
 * mutation's entities are fresh on the next read, and no `KEYS` command reaches a server.
 */
import { execFileSync } from "node:child_process"

import { ApolloServer } from "@apollo/server"
import { ApolloServerPluginCachet } from "@cachet/apollo"
import { Cache } from "@cachet/core"
import { RedisCluster, Servers } from "@cachet/core/testing"
import { RedisStore } from "@cachet/redis"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"

import { makeBlog, typeDefs } from "../../envelop/test/blog.js"

const feed = `{ posts(first: 2) { id title author { name } comments { body author { name } } } }`

const scenario = (store: ReturnType<typeof RedisStore.layer>, namespace: string) =>
  Effect.promise(async () => {
    const blog = makeBlog()
    const server = new ApolloServer({
      typeDefs,
      resolvers: blog.resolvers,
      plugins: [ApolloServerPluginCachet({ cache: Cache.layer().pipe(Layer.provide(store)), namespace })]
    })
    await server.start()
    const post = async (query: string) => {
      const response = await server.executeOperation({ query }, {
        contextValue: { request: new Request("http://apollo/") }
      })
      if (response.body.kind !== "single") throw new Error("expected a single result")
      return response.body.singleResult as { data: { posts: Array<{ title: string }> } }
    }
    try {
      const first = await post(feed)
      expect(blog.take()["Query.posts"]).toBe(1)
      expect(await post(feed)).toEqual(first)
      expect(blog.take()).toEqual({})
      await post(`mutation { renamePost(id: "1", title: "Renamed") { id } }`)
      expect((await post(feed)).data.posts[0]!.title).toBe("Renamed")
    } finally {
      // Closes the runtime the plugin built from the layer (the Redis connections).
      await server.stop()
    }
  })

const keysCalls = (port: number): number => {
  const stats = execFileSync("redis-cli", ["-h", "127.0.0.1", "-p", String(port), "INFO", "commandstats"]).toString()
  const line = stats.split("\n").find((l) => l.startsWith("cmdstat_keys:"))
  return line === undefined ? 0 : Number(/calls=(\d+)/.exec(line)?.[1] ?? "0")
}

describe.skipIf(Servers.skipReason("redis") !== undefined)("ApolloServerPluginCachet on Redis", () => {
  it.scopedLive("fragments on Redis, with no KEYS", () =>
    Effect.gen(function*() {
      const server = yield* Servers.redis
      yield* scenario(RedisStore.layer({ url: server.url }), "redis")
      expect(keysCalls(server.port)).toBe(0)
    }), 60_000)
})

describe.skipIf(RedisCluster.skipReason() !== undefined)("ApolloServerPluginCachet on a Redis Cluster", () => {
  it.scopedLive("fragments across 3 masters, with no KEYS", () =>
    Effect.gen(function*() {
      const cluster = yield* RedisCluster.start({ replicas: 0 })
      yield* cluster.awaitHealthy
      yield* scenario(RedisStore.layer({ cluster: cluster.nodes }), "cluster")
      for (const node of cluster.nodes) expect(keysCalls(node.port)).toBe(0)
    }), 120_000)
})
