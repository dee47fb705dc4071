/**
 * A bus over Redis pub/sub carrying tag bumps, key changes and clears between processes, so
 * each process's local tier drops what another process made stale. Every process publishes
 * with an id and ignores its own messages. Pub/sub is fire-and-forget: when the subscriber
 * connection drops, messages may be lost, so subscribers receive `Reset` after reconnecting and
 * must forget everything they hold.
 *
 * @since 0.1.0
 */
import { randomUUID } from "node:crypto"

import { Bus } from "@cachet/core"
import type { Scope } from "effect"
import { Context, Effect, Layer, PubSub, Runtime } from "effect"

import * as ClusterSubscriber from "./internal/clusterSubscriber.js"
import { call } from "./internal/redisStore.js"
import * as RedisClient from "./RedisClient.js"

/**
 * What travels on the bus (core's `Bus.Message`).
 *
 * @since 0.1.0
 * @category models
 */
export type Message = Bus.Message

/**
 * What the bus provides (core's `Bus.Service`).
 *
 * @since 0.1.0
 * @category models
 */
export type Service = Bus.Service

/**
 * The `RedisBus` service tag (the same service is also provided as core's `Bus.Bus`).
 *
 * @since 0.1.0
 * @category tags
 */
export class RedisBus extends Context.Tag("@cachet/redis/RedisBus")<RedisBus, Service>() {}

/**
 * Builds the bus: publishes on the client's connection, subscribes on a second one (channel
 * `<keyPrefix>bus`), both closed with the scope. On a cluster, messages are published with
 * classic `PUBLISH` (broadcast to every node) and heard on one node, moving to another node
 * (then `Reset`) when that one goes away.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<Service, never, RedisClient.RedisClient | Scope.Scope> = Effect.gen(function*() {
  const redis = yield* RedisClient.RedisClient
  const channel = `${redis.keyPrefix}bus`
  const id = randomUUID()
  const hub = yield* Effect.acquireRelease(PubSub.unbounded<Message>(), PubSub.shutdown)
  const runtime = yield* Effect.runtime<never>()
  const reset = () => {
    Runtime.runSync(runtime)(PubSub.publish(hub, { _tag: "Reset" }))
    Runtime.runFork(runtime)(Effect.logInfo("redis bus reconnected: local tiers reset"))
  }
  const receive = (text: string) => {
    try {
      const parsed: unknown = JSON.parse(text)
      if (typeof parsed !== "object" || parsed === null || !("o" in parsed) || !("m" in parsed)) return
      if (parsed.o === id || !Bus.isMessage(parsed.m) || parsed.m._tag === "Reset") return
      Runtime.runSync(runtime)(PubSub.publish(hub, parsed.m))
    } catch {
      // not ours
    }
  }
  if (RedisClient.isCluster(redis.client)) {
    yield* ClusterSubscriber.subscribe(redis.client, redis.options, channel, receive, reset)
  } else {
    // The subscriber only ever sends SUBSCRIBE, so its offline queue stays tiny: let it queue.
    const subscriber = yield* RedisClient.connect({ ...redis.options, enableOfflineQueue: true })
    let lost = false
    subscriber.on("close", () => lost = true)
    subscriber.on("ready", () => {
      if (!lost) return
      lost = false
      reset()
    })
    subscriber.on("message", (from: string, text: string) => {
      if (from === channel) receive(text)
    })
    yield* Effect.tryPromise(() => subscriber.subscribe(channel)).pipe(
      Effect.timeout(2_000),
      Effect.catchAll((error) =>
        Effect.logWarning("redis bus: subscribe failed; it will resubscribe on reconnection", error)
      )
    )
  }
  return {
    id,
    publish: (message) =>
      Effect.asVoid(call("publish", () => redis.client.publish(channel, JSON.stringify({ o: id, m: message })))),
    subscribe: PubSub.subscribe(hub)
  }
})

/**
 * The bus on an existing `RedisClient`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerClient: Layer.Layer<RedisBus | Bus.Bus, never, RedisClient.RedisClient> = Layer.scopedContext(
  Effect.map(make, (bus) => Context.make(RedisBus, bus).pipe(Context.add(Bus.Bus, bus)))
)

/**
 * The bus on new connections.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: RedisClient.Options = {}): Layer.Layer<RedisBus | Bus.Bus> =>
  Layer.provide(layerClient, RedisClient.layer(options))
