/**
 * Type tests of the handle: what `getOrSet`, `get` and `set` infer, and the JSON-safety of values
 * in a cache without a codec. Checked by `tsc` (vitest's typecheck mode), never run.
 */
import { Schema } from "effect"
import { describe, expectTypeOf, it } from "vitest"

import { createCache, type PromiseCache } from "@cachet/promise"

describe("createCache", () => {
  it("without a codec: JSON-safe values only, typed by the factory", () => {
    const cache = createCache()
    expectTypeOf(cache).toEqualTypeOf<PromiseCache.PromiseCache<unknown>>()
    expectTypeOf(cache.getOrSet("k", async () => ({ id: "1", tags: ["a"] }))).toEqualTypeOf<
      Promise<{ id: string; tags: Array<string> }>
    >()
    expectTypeOf(cache.getOrSet("k", () => 1)).toEqualTypeOf<Promise<number>>()
    // @ts-expect-error a Date reads back as its JSON text: it needs a schema
    void cache.getOrSet("k", async () => new Date())
    // @ts-expect-error a bigint has no JSON form
    void cache.set("k", 1n)
    void cache.set("k", { nested: [{ ok: true }] })
    expectTypeOf(cache.get<{ id: string }>("k")).toEqualTypeOf<Promise<{ id: string } | undefined>>()
  })

  it("a per-call schema takes any value it encodes", () => {
    const cache = createCache()
    expectTypeOf(cache.getOrSet("k", async () => new Date(), { schema: Schema.Date })).toEqualTypeOf<Promise<Date>>()
  })

  it("a cache-wide codec types the cache's values", () => {
    const dates = createCache({ schema: Schema.DateFromString })
    expectTypeOf(dates).toEqualTypeOf<PromiseCache.PromiseCache<Date>>()
    expectTypeOf(dates.getOrSet("k", () => new Date())).toEqualTypeOf<Promise<Date>>()
    expectTypeOf(dates.get("k")).toEqualTypeOf<Promise<Date | undefined>>()
    // @ts-expect-error a cache of Dates holds Dates
    void dates.set("k", "not a date")
    const counts = createCache({ serialize: (n: bigint) => n.toString(), deserialize: (text) => BigInt(text) })
    expectTypeOf(counts.getOrSet("k", () => 2n ** 70n)).toEqualTypeOf<Promise<bigint>>()
  })
})
