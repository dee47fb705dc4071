import { Cache, MemoryStore } from "@cachet/core"
import { CacheAssert } from "@cachet/core/testing"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"

const live = Cache.layer().pipe(Layer.provideMerge(MemoryStore.layer()))

describe("CacheAssert", () => {
  it.effect("passes on what is cached and fails, naming the key, on what is not", () =>
    Effect.gen(function*() {
      const cache = yield* Cache.Cache
      yield* cache.set("user:1", { name: "Ada" }, { tags: ["users/1"] })
      expect(yield* CacheAssert.cached("user:1")).toEqual({ name: "Ada" })
      yield* CacheAssert.state("user:1", "fresh")
      yield* CacheAssert.taggedWith("user:1", ["users/1"])
      yield* CacheAssert.notCached("user:2")
      expect((yield* CacheAssert.entries("user:")).map((e) => e.key)).toEqual(["user:1"])
      yield* cache.invalidate("users")
      yield* CacheAssert.notCached("user:1")
      const error = yield* Effect.flip(CacheAssert.cached("user:1"))
      expect(error.message).toContain("user:1")
      expect(error.message).toContain("invalidated")
      expect((yield* Effect.flip(CacheAssert.state("user:1", "fresh")))._tag).toBe("CacheAssertionError")
      expect((yield* Effect.flip(CacheAssert.taggedWith("user:1", ["posts"])))._tag).toBe("CacheAssertionError")
    }).pipe(Effect.provide(live)))
})
