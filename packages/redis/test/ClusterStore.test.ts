import { Lock } from "@cachet/core"
import { RedisCluster, StoreSuite } from "@cachet/core/testing"
import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Layer, Option, Queue } from "effect"

import { RedisBus, RedisLock, RedisStore } from "../src/index.js"
import { cluster } from "./fixtures/sharedCluster.js"
import { tiered } from "./fixtures/tiered.js"

const skip = RedisCluster.skipReason()
const options = skip === undefined ? { timeout: 30_000 } : { skip }

StoreSuite.storeSuite(
  "RedisStore on a 3-master cluster",
  Layer.unwrapEffect(Effect.map(cluster, ({ nodes }) => RedisStore.layer({ cluster: nodes }))),
  options
)

StoreSuite.storeSuite(
  "TieredStore (memory + redis cluster)",
  Layer.unwrapEffect(Effect.map(cluster, ({ nodes }) => tiered({ cluster: nodes, localTtl: "2 seconds" }))),
  options
)

describe.skipIf(skip !== undefined)("RedisLock and RedisBus on a cluster", () => {
  it.live(
    "the lock is exclusive and released only by its token; a bus message reaches the other process",
    () =>
      Effect.gen(function*() {
        const { nodes } = yield* cluster
        const lockContext = yield* Layer.build(RedisLock.layer({ cluster: nodes, keyPrefix: "clusterlock:" }))
        const lock = Context.get(lockContext, Lock.Lock)
        const first = yield* lock.acquire("k", 5_000)
        expect(Option.isSome(first)).toBe(true)
        expect(Option.isNone(yield* lock.acquire("k", 5_000))).toBe(true)
        yield* lock.release("k", "not-the-token")
        expect(Option.isNone(yield* lock.acquire("k", 5_000))).toBe(true)
        yield* lock.release("k", Option.getOrThrow(first))
        expect(Option.isSome(yield* lock.acquire("k", 5_000))).toBe(true)

        const busOf = Effect.map(
          Layer.build(RedisBus.layer({ cluster: nodes, keyPrefix: "clusterbus:" })),
          Context.get(RedisBus.RedisBus)
        )
        const [a, b] = [yield* busOf, yield* busOf]
        const heard = yield* b.subscribe
        yield* a.publish({ _tag: "KeysChanged", keys: ["x"] })
        expect(yield* Queue.take(heard)).toEqual({ _tag: "KeysChanged", keys: ["x"] })
      }).pipe(Effect.scoped),
    30_000
  )
})
