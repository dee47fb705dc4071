/**
 * `useCachet` on Redis and on a 3-master Redis Cluster: hits run no resolver, a mutation's
 * entities are fresh on the next read, complete GET responses are kept whole, and no `KEYS`
 * command ever reaches a server.
 */
import { execFileSync } from "node:child_process"

import { Cache } from "@cachet/core"
import { RedisCluster, Servers } from "@cachet/core/testing"
import { useCachet } from "@cachet/envelop"
import { RedisStore } from "@cachet/redis"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, ManagedRuntime } from "effect"
import { createSchema, createYoga } from "graphql-yoga"

import { makeBlog, typeDefs } from "./blog.js"

const feed = `{ posts(first: 2) { id title author { name } comments { body author { name } } } }`

/** The scenario on one store. */
const scenario = (store: ReturnType<typeof RedisStore.layer>, namespace: string) =>
  Effect.promise(async () => {
    const blog = makeBlog()
    const runtime = ManagedRuntime.make(Cache.layer().pipe(Layer.provide(store)))
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
      return (await response.json()) as { data: { posts: Array<{ title: string }> } }
    }
    try {
      const first = await post(feed)
      expect(blog.take()["Query.posts"]).toBe(1)
      expect(await post(feed)).toEqual(first)
      expect(blog.take()).toEqual({})
      await post(`mutation { renamePost(id: "1", title: "Renamed") { id } }`)
      expect((await post(feed)).data.posts[0]!.title).toBe("Renamed")
      const url = `http://yoga/graphql?query=${encodeURIComponent(feed)}`
      const whole = await yoga.fetch(url)
      const etag = whole.headers.get("etag")
      expect(etag).not.toBeNull()
      expect((await yoga.fetch(url, { headers: { "if-none-match": etag! } })).status).toBe(304)
    } finally {
      await runtime.dispose()
    }
  })

const keysCalls = (port: number): number => {
  const stats = execFileSync("redis-cli", ["-h", "127.0.0.1", "-p", String(port), "INFO", "commandstats"]).toString()
  const line = stats.split("\n").find((l) => l.startsWith("cmdstat_keys:"))
  return line === undefined ? 0 : Number(/calls=(\d+)/.exec(line)?.[1] ?? "0")
}

describe.skipIf(Servers.skipReason("redis") !== undefined)("useCachet on Redis", () => {
  it.scopedLive("fragments and whole responses, with no KEYS", () =>
    Effect.gen(function*() {
      const server = yield* Servers.redis
      yield* scenario(RedisStore.layer({ url: server.url }), "redis")
      expect(keysCalls(server.port)).toBe(0)
    }), 60_000)
})

describe.skipIf(RedisCluster.skipReason() !== undefined)("useCachet on a Redis Cluster", () => {
  it.scopedLive("fragments and whole responses across 3 masters, with no KEYS", () =>
    Effect.gen(function*() {
      const cluster = yield* RedisCluster.start({ replicas: 0 })
      yield* cluster.awaitHealthy
      yield* scenario(RedisStore.layer({ cluster: cluster.nodes }), "cluster")
      for (const node of cluster.nodes) expect(keysCalls(node.port)).toBe(0)
    }), 120_000)
})
