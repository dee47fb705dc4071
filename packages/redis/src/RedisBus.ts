/**
 * A bus over Redis pub/sub carrying tag bumps, key changes and clears between processes, so
 * each process's local tier drops what another process made stale. Every process publishes
 * with an id and ignores its own messages. Pub/sub is fire-and-forget: when the subscriber
 * connection drops, messages may be lost, so subscribers receive `Reset` after reconnecting and
 * must forget everything they hold.
 *
 * @since 0.1.0
 */
import { Store } from "@cachet/core"
import { Context, Effect, Layer, PubSub, Queue, Runtime } from "effect"
import type { Scope } from "effect"
import { randomUUID } from "node:crypto"
import * as RedisClient from "./RedisClient.js"
import { call } from "./internal/redisStore.js"

/**
 * What travels on the bus.
 *
 * @since 0.1.0
 * @category models
 */
export type Message =
  | { readonly _tag: "TagsBumped"; readonly paths: ReadonlyArray<string>; readonly mode: "hard" | "soft"; readonly counter: number }
  | { readonly _tag: "KeysChanged"; readonly keys: ReadonlyArray<string> }
  | { readonly _tag: "Cleared"; readonly prefix: string }
  | { readonly _tag: "Reset" }

/**
 * What the bus provides.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** This process's id on the bus. */
  readonly id: string
  /** Publishes to every other process. */
  readonly publish: (message: Message) => Effect.Effect<void, Store.StoreError>
  /** Messages from other processes (and `Reset` after a reconnection), from now until the scope closes. */
  readonly subscribe: Effect.Effect<Queue.Dequeue<Message>, never, Scope.Scope>
}

/**
 * The `RedisBus` service tag.
 *
 * @since 0.1.0
 * @category tags
 */
export class RedisBus extends Context.Tag("@cachet/redis/RedisBus")<RedisBus, Service>() {}

const isMessage = (u: unknown): u is Message => {
  if (typeof u !== "object" || u === null || !("_tag" in u)) return false
  switch (u._tag) {
    case "TagsBumped":
      return "paths" in u && Array.isArray(u.paths) && "counter" in u && typeof u.counter === "number" &&
        "mode" in u && (u.mode === "hard" || u.mode === "soft")
    case "KeysChanged":
      return "keys" in u && Array.isArray(u.keys)
    case "Cleared":
      return "prefix" in u && typeof u.prefix === "string"
    default:
      return false
  }
}

/**
 * Builds the bus: publishes on the client's connection, subscribes on a second one (channel
 * `<keyPrefix>bus`), both closed with the scope.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<Service, never, RedisClient.RedisClient | Scope.Scope> = Effect.gen(function* () {
  const redis = yield* RedisClient.RedisClient
  const channel = `${redis.keyPrefix}bus`
  const id = randomUUID()
  const hub = yield* Effect.acquireRelease(PubSub.unbounded<Message>(), PubSub.shutdown)
  const runtime = yield* Effect.runtime<never>()
  // The subscriber only ever sends SUBSCRIBE, so its offline queue stays tiny: let it queue.
  const subscriber = yield* RedisClient.connect({ ...redis.options, enableOfflineQueue: true })
  let lost = false
  subscriber.on("close", () => lost = true)
  subscriber.on("ready", () => {
    if (!lost) return
    lost = false
    Runtime.runSync(runtime)(PubSub.publish(hub, { _tag: "Reset" }))
    Runtime.runFork(runtime)(Effect.logInfo("redis bus reconnected: local tiers reset"))
  })
  subscriber.on("message", (from: string, text: string) => {
    if (from !== channel) return
    try {
      const parsed: unknown = JSON.parse(text)
      if (typeof parsed !== "object" || parsed === null || !("o" in parsed) || !("m" in parsed)) return
      if (parsed.o === id || !isMessage(parsed.m)) return
      Runtime.runSync(runtime)(PubSub.publish(hub, parsed.m))
    } catch {
      // not ours
    }
  })
  yield* Effect.tryPromise(() => subscriber.subscribe(channel)).pipe(
    Effect.timeout(2_000),
    Effect.catchAll((error) => Effect.logWarning("redis bus: subscribe failed; it will resubscribe on reconnection", error))
  )
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
export const layerClient: Layer.Layer<RedisBus, never, RedisClient.RedisClient> = Layer.scoped(RedisBus, make)

/**
 * The bus on new connections.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: RedisClient.Options = {}): Layer.Layer<RedisBus> =>
  Layer.provide(layerClient, RedisClient.layer(options))
