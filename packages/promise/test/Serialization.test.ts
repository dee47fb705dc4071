import { describe, expect, it } from "@effect/vitest"
import { Schema } from "effect"

import { createCache } from "@cachet/promise"

describe("values that are not JSON", () => {
  it("a serialize/deserialize pair keeps Dates and BigInts", async () => {
    const cache = createCache<{ readonly at: Date; readonly count: bigint }>({
      serialize: (value) => JSON.stringify({ at: value.at.toISOString(), count: value.count.toString() }),
      deserialize: (text) => {
        const raw = JSON.parse(text) as { at: string; count: string }
        return { at: new Date(raw.at), count: BigInt(raw.count) }
      }
    })
    const value = { at: new Date("2026-12-06T07:00:00Z"), count: 2n ** 70n }
    const miss = await cache.getOrSet("k", () => value)
    const hit = await cache.get("k")
    for (const read of [miss, hit]) {
      expect(read?.at).toBeInstanceOf(Date)
      expect(read?.at.getTime()).toBe(value.at.getTime())
      expect(read?.count).toBe(2n ** 70n)
    }
    await cache.close()
  })

  it("a cache-wide Schema, and a per-call one", async () => {
    const cache = createCache({ schema: Schema.DateFromString })
    await cache.set("d", new Date(0))
    expect(await cache.get("d")).toEqual(new Date(0))
    const count = await cache.getOrSet("n", () => 12345678901234567890n, { schema: Schema.BigInt })
    expect(count).toBe(12345678901234567890n)
    await cache.close()
  })

  it("a value the serializer cannot write is not stored, and the call goes on", async () => {
    const cache = createCache<number>({
      serialize: () => {
        throw new Error("cannot serialize this")
      },
      deserialize: Number
    })
    const error = await cache.set("k", 1).then(() => undefined, (e: unknown) => e)
    // A write that cannot encode is skipped and logged, never a failure of the caller.
    expect(error).toBeUndefined()
    expect(await cache.get("k")).toBeUndefined()
    await cache.close()
  })
})
