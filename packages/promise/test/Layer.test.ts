import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, ManagedRuntime } from "effect"

import { Cache, MemoryStore } from "@cachet/core"
import { createCache } from "@cachet/promise"

const CacheLive = Cache.layer({ namespace: "shared" }).pipe(Layer.provide(MemoryStore.layer()))

describe("sharing one cache with an Effect program", () => {
  it("the layer option with the app's memo map: one cache for both", async () => {
    const memoMap = Effect.runSync(Layer.makeMemoMap)
    const app = ManagedRuntime.make(CacheLive, memoMap)
    const cache = createCache({ layer: CacheLive, memoMap })
    await app.runPromise(Effect.flatMap(Cache.Cache, (effectCache) => effectCache.set("from-effect", 1)))
    expect(await cache.get("from-effect")).toBe(1)
    await cache.set("from-promise", 2, { tags: ["t"] })
    const read = await app.runPromise(Effect.flatMap(Cache.Cache, (effectCache) => effectCache.get("from-promise")))
    expect(read._tag === "Some" && read.value).toBe(2)
    // An invalidation on one side is seen on the other.
    await app.runPromise(Effect.flatMap(Cache.Cache, (effectCache) => effectCache.invalidate("t")))
    expect(await cache.get("from-promise")).toBeUndefined()
    // Closing the handle leaves the app's cache running.
    await cache.close()
    const still = await app.runPromise(Effect.flatMap(Cache.Cache, (effectCache) => effectCache.get("from-effect")))
    expect(still._tag).toBe("Some")
    await app.dispose()
  })

  it("the handle's layer gives an Effect program the handle's cache", async () => {
    const cache = createCache({ namespace: "own" })
    await cache.set("k", "from the handle")
    const read = await Effect.runPromise(
      Effect.flatMap(Cache.Cache, (effectCache) => effectCache.get("k")).pipe(Effect.provide(cache.layer))
    )
    expect(read._tag === "Some" && read.value).toBe("from the handle")
    await cache.close()
  })

  it("store options belong to the given layer", () => {
    expect(() => createCache({ layer: CacheLive, namespace: "x" })).toThrow(/belongs to the given layer/)
  })
})
