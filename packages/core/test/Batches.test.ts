/**
 * Batches: single-flight across concurrent `getOrFetchMany` calls.
 */
import { Cache, MemoryStore } from "@cachet/core"
import { describe, expect, it } from "@effect/vitest"
import { Deferred, Effect, Fiber, Layer } from "effect"

const live = Cache.layer().pipe(Layer.provideMerge(MemoryStore.layer()))

describe("Cache batches", () => {
  it.effect("two concurrent batches sharing a missing key fetch it once", () =>
    Effect.gen(function*() {
      const cache = yield* Cache.Cache
      const fetched: Array<number> = []
      const firstStarted = yield* Deferred.make<void>()
      const secondStarted = yield* Deferred.make<void>()
      const release = yield* Deferred.make<void>()
      const fetchMany = (started: Deferred.Deferred<void>, wait: boolean) => (ids: ReadonlyArray<number>) =>
        Effect.gen(function*() {
          fetched.push(...ids)
          yield* Deferred.succeed(started, undefined)
          if (wait) yield* Deferred.await(release)
          return ids.map((id) => `user ${id}`)
        })
      const first = yield* Effect.fork(
        cache.getOrFetchMany([1, 2], fetchMany(firstStarted, true), { key: (id) => ["user", id] })
      )
      yield* Deferred.await(firstStarted)
      const second = yield* Effect.fork(
        cache.getOrFetchMany([2, 3], fetchMany(secondStarted, false), { key: (id) => ["user", id] })
      )
      yield* Deferred.await(secondStarted)
      yield* Deferred.succeed(release, undefined)
      expect(yield* Fiber.join(first)).toEqual(["user 1", "user 2"])
      expect(yield* Fiber.join(second)).toEqual(["user 2", "user 3"])
      expect(fetched.sort()).toEqual([1, 2, 3])
    }).pipe(Effect.provide(live)))

  it.effect("when the batch that owns a key fails, a batch waiting on it fetches the key itself", () =>
    Effect.gen(function*() {
      const cache = yield* Cache.Cache
      const firstStarted = yield* Deferred.make<void>()
      const secondStarted = yield* Deferred.make<void>()
      const release = yield* Deferred.make<void>()
      const fetched: Array<ReadonlyArray<number>> = []
      const first = yield* Effect.fork(Effect.either(cache.getOrFetchMany(
        [1, 2],
        (ids) =>
          Deferred.succeed(firstStarted, undefined).pipe(
            Effect.zipRight(Deferred.await(release)),
            Effect.zipRight(Effect.fail("boom" as const)),
            Effect.as(ids.map(String))
          ),
        { key: (id) => ["item", id] }
      )))
      yield* Deferred.await(firstStarted)
      const second = yield* Effect.fork(cache.getOrFetchMany(
        [2, 3],
        (ids) =>
          Effect.sync(() => fetched.push(ids)).pipe(
            Effect.zipRight(Deferred.succeed(secondStarted, undefined)),
            Effect.as(ids.map(String))
          ),
        { key: (id) => ["item", id] }
      ))
      yield* Deferred.await(secondStarted)
      yield* Deferred.succeed(release, undefined)
      expect((yield* Fiber.join(first))._tag).toBe("Left")
      expect(yield* Fiber.join(second)).toEqual(["2", "3"])
      expect(fetched).toEqual([[3], [2]])
    }).pipe(Effect.provide(live)))
})
