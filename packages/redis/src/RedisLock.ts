/**
 * Cross-process single-flight on Redis: the core `Lock` service, taken with `SET NX PX` and a
 * random token, released by a Lua compare-and-delete so a holder whose lock expired never
 * releases someone else's. The `Cache` takes it on a miss; the other processes poll the store
 * for the holder's value with backoff and fetch themselves after a bound (`Cache` option `lock`).
 *
 * @since 0.1.0
 */
import { randomUUID } from "node:crypto"

import { Lock } from "@cachet/core"
import { Effect, Layer, Option } from "effect"

import { call } from "./internal/redisStore.js"
import * as Script from "./internal/script.js"
import * as RedisClient from "./RedisClient.js"

/**
 * Builds the lock on the connection of a `RedisClient`; lock keys are `<keyPrefix>l:<key>`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<Lock.Service, never, RedisClient.RedisClient> = Effect.map(
  RedisClient.RedisClient,
  ({ client, keyPrefix }): Lock.Service => {
    const lockKey = (key: string) => `${keyPrefix}l:${key}`
    return {
      acquire: (key, ttlMillis) =>
        Effect.suspend(() => {
          const token = randomUUID()
          return Effect.map(
            call("lock", () => client.set(lockKey(key), token, "PX", Math.max(1, Math.ceil(ttlMillis)), "NX")),
            (reply) => (reply === "OK" ? Option.some(token) : Option.none())
          )
        }),
      release: (key, token) =>
        Effect.asVoid(call("unlock", () => Script.run(client, Script.RELEASE, [lockKey(key)], [token])))
    }
  }
)

/**
 * `Lock` on an existing `RedisClient`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerClient: Layer.Layer<Lock.Lock, never, RedisClient.RedisClient> = Layer.effect(Lock.Lock, make)

/**
 * `Lock` on a new connection.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: RedisClient.Options = {}): Layer.Layer<Lock.Lock> =>
  Layer.provide(layerClient, RedisClient.layer(options))
