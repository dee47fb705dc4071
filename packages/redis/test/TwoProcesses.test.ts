import { Servers } from "@cachet/core/testing"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"

import { worker } from "./fixtures/workerProcess.js"

const skip = Servers.skipReason("redis")

describe.skipIf(skip !== undefined)("two processes on one Redis (tiered stores)", () => {
  it.live("invalidating a tag in A makes B's next read of an entry under it refetch", () =>
    Effect.gen(function*() {
      const server = yield* Servers.redis
      const [a, b] = yield* Effect.all([worker(server.url), worker(server.url)], { concurrency: 2 })

      expect(yield* a.send({ cmd: "get", key: "post-1", tags: ["users/1/posts/p1"], value: "A" })).toMatchObject({
        value: "A#1",
        fetched: true
      })
      // B reads A's entry from Redis and now holds it in its local tier.
      expect(yield* b.send({ cmd: "get", key: "post-1", tags: ["users/1/posts/p1"], value: "B" })).toMatchObject({
        value: "A#1",
        fetched: false
      })
      expect(yield* b.send({ cmd: "get", key: "post-1", tags: ["users/1/posts/p1"], value: "B" })).toMatchObject({
        value: "A#1",
        fetched: false
      })

      // A invalidates an ancestor tag: B's local copy must not be served again.
      yield* a.send({ cmd: "invalidate", tags: ["users/1"] })
      expect(yield* b.send({ cmd: "get", key: "post-1", tags: ["users/1/posts/p1"], value: "B" })).toMatchObject({
        value: "B#1",
        fetched: true
      })
      // ...and A sees B's fresh value.
      expect(yield* a.send({ cmd: "get", key: "post-1", tags: ["users/1/posts/p1"], value: "A" })).toMatchObject({
        value: "B#1",
        fetched: false
      })
    }).pipe(Effect.scoped), 60_000)

  it.live(
    "2 processes × 50 concurrent misses of one key with RedisLock run the lookup exactly once",
    () =>
      Effect.gen(function*() {
        const server = yield* Servers.redis
        const [a, b] = yield* Effect.all([worker(server.url), worker(server.url)], { concurrency: 2 })
        const [ra, rb] = yield* Effect.all([
          a.send({ cmd: "stampede", key: "hot", n: 50, delay: 300 }),
          b.send({ cmd: "stampede", key: "hot", n: 50, delay: 300 })
        ], { concurrency: 2 })
        expect((ra.runs as number) + (rb.runs as number)).toBe(1)
        const values = new Set([...(ra.values as Array<string>), ...(rb.values as Array<string>)])
        expect(values.size).toBe(1)
      }).pipe(Effect.scoped),
    60_000
  )
})
