/**
 * One app process of the chaos suite (forked by `processes.ts`): a Cache with a memory tier
 * over the store the parent names in `CACHET_CHAOS_NODE` (Redis, a Redis Cluster, or memcached
 * — all reached through the parent's fault-injecting proxies — kept coherent by the Redis bus),
 * driven over the IPC channel. The database lives in the parent: a fetch asks it for the key's
 * row and caches the fetch's id, so the parent knows what every read returned.
 *
 * Messages in: `read`/`invalidate` (a key), `heap`, `fetched` (a fetch's answer). Out: `ready`,
 * `done` (with the fetch id read, or an `error`), `fetch` (a key).
 */
import { Cache, Store, TieredStore } from "@cachet/core"
import { MemcachedStore } from "@cachet/memcached"
import { Duration, Effect, Layer, Logger, LogLevel, Runtime } from "effect"

import { RedisBus } from "../../src/index.js"
import { tiered } from "../fixtures/tiered.js"
import type { NodeConfig, ToNode, ToParent } from "./protocol.js"

const config = JSON.parse(process.env.CACHET_CHAOS_NODE ?? "{}") as NodeConfig
const send = (message: ToParent) => process.send?.(message)

const StoreLive = (() => {
  const localTtl = Duration.millis(config.localTtlMillis)
  switch (config.store._tag) {
    case "redis":
      return tiered({ url: config.store.url, localTtl })
    case "cluster":
      return tiered({ cluster: config.store.nodes, natMap: config.store.natMap, localTtl })
    case "memcached":
      // memcached has no pub/sub: the memory tiers hear of other processes' bumps on the Redis bus.
      return TieredStore.layer({ localTtl }).pipe(
        Layer.provide(
          Layer.effectContext(
            Effect.map(
              MemcachedStore.make({
                servers: config.store.servers,
                timeout: Duration.millis(config.storeTimeoutMillis)
              }),
              Store.context
            )
          )
        ),
        Layer.provideMerge(RedisBus.layer({ url: config.store.busUrl }))
      )
  }
})()

const CacheLive = Cache.layer({
  namespace: "chaos",
  ttl: "1 minute",
  storeTimeout: Duration.millis(config.storeTimeoutMillis),
  invalidationRetry: Duration.millis(config.invalidationRetryMillis)
}).pipe(Layer.provide(StoreLive))

const program = Effect.gen(function*() {
  const cache = yield* Cache.Cache
  const run = Runtime.runFork(yield* Effect.runtime<never>())
  const fetches = new Map<number, (id: number) => void>()
  let next = 0
  // A fetch reads the key's row in the parent's database.
  const fetch = (key: number) =>
    Effect.async<number>((resume) => {
      const rid = next++
      fetches.set(rid, (id) => resume(Effect.succeed(id)))
      send({ _tag: "fetch", rid, key })
    })
  const answer = (rid: number, effect: Effect.Effect<number, unknown>) =>
    run(effect.pipe(
      Effect.matchCause({
        onFailure: (cause) => send({ _tag: "done", rid, error: String(cause) }),
        onSuccess: (value) => send({ _tag: "done", rid, value })
      })
    ))
  process.on("message", (message: ToNode) => {
    switch (message._tag) {
      case "fetched":
        fetches.get(message.rid)?.(message.id)
        fetches.delete(message.rid)
        return
      case "read":
        return answer(
          message.rid,
          cache.getOrFetch(`k${message.key}`, fetch(message.key), { tags: [`keys/${message.key}`] })
        )
      case "invalidate":
        return answer(message.rid, Effect.as(cache.invalidate(`keys/${message.key}`), 0))
      case "heap":
        return answer(
          message.rid,
          Effect.sync(() => {
            ;(globalThis as { gc?: () => void }).gc?.()
            return process.memoryUsage().heapUsed
          })
        )
    }
  })
  send({ _tag: "ready" })
  yield* Effect.async<void>((resume) => void process.once("disconnect", () => resume(Effect.void)))
})

program.pipe(
  Effect.provide(CacheLive),
  Effect.scoped,
  // Warnings under faults (deferred invalidations, connection errors) are expected: the parent's
  // checker says what matters.
  Logger.withMinimumLogLevel(LogLevel.Error),
  Effect.runPromise
).then(() => process.exit(0), (error) => {
  process.stderr.write(`[chaos node] ${String(error)}\n`)
  process.exit(1)
})
