import { Lock } from "@cachet/core"
import { Servers } from "@cachet/core/testing"
import { describe, expect, layer } from "@effect/vitest"
import { Effect, Layer, Option, Queue } from "effect"

import { RedisBus, RedisClient, RedisLock } from "../src/index.js"

const skip = Servers.skipReason("redis")

const shared = Layer.unwrapScoped(Effect.map(Servers.redis, (server) => {
  const client = RedisClient.layer({ url: server.url, keyPrefix: "locktest:" })
  // Two buses on separate connections stand for two processes.
  const other = Layer.scoped(OtherBus, RedisBus.make.pipe(Effect.provide(client)))
  return Layer.mergeAll(RedisLock.layerClient, RedisBus.layerClient).pipe(
    Layer.provideMerge(client),
    Layer.merge(other)
  )
}))

class OtherBus extends Effect.Tag("test/OtherBus")<OtherBus, RedisBus.Service>() {}

describe.skipIf(skip !== undefined)("RedisLock and RedisBus", () => {
  layer(shared, { excludeTestServices: true })((it) => {
    it.effect("the lock is exclusive, released only by its token, and expires", () =>
      Effect.gen(function*() {
        const lock = yield* Lock.Lock
        const first = yield* lock.acquire("k", 5_000)
        expect(Option.isSome(first)).toBe(true)
        expect(Option.isNone(yield* lock.acquire("k", 5_000))).toBe(true)
        // A stale holder's release (wrong token) leaves the lock in place.
        yield* lock.release("k", "not-the-token")
        expect(Option.isNone(yield* lock.acquire("k", 5_000))).toBe(true)
        yield* lock.release("k", Option.getOrThrow(first))
        expect(Option.isSome(yield* lock.acquire("k", 5_000))).toBe(true)
        expect(Option.isSome(yield* lock.acquire("short", 50))).toBe(true)
        yield* Effect.sleep(120)
        expect(Option.isSome(yield* lock.acquire("short", 50))).toBe(true)
      }))

    it.scoped("a bus delivers messages to the other processes, not to the publisher", () =>
      Effect.gen(function*() {
        const bus = yield* RedisBus.RedisBus
        const other = yield* OtherBus
        const mine = yield* bus.subscribe
        const theirs = yield* other.subscribe
        const bump: RedisBus.Message = { _tag: "TagsBumped", paths: ["users", "users/1"], mode: "hard", counter: 7 }
        yield* bus.publish(bump)
        yield* bus.publish({ _tag: "KeysChanged", keys: ["a", "b"] })
        expect(yield* Queue.take(theirs)).toEqual(bump)
        expect(yield* Queue.take(theirs)).toEqual({ _tag: "KeysChanged", keys: ["a", "b"] })
        yield* Effect.sleep(50)
        expect(yield* Queue.size(mine)).toBe(0)
      }))
  })
})
