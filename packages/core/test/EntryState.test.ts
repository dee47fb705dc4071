/**
 * The one freshness classifier and the lookup it gives, alone (pure functions).
 */
import { Codec, type Store } from "@cachet/core"
import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc, Schema } from "effect"

import { classify, corrupt, judge, validityOf, withPending } from "../src/internal/entryState.js"

const entry = (overrides: Partial<Store.Entry> = {}): Store.Entry => ({
  value: JSON.stringify("v"),
  stamp: 5,
  createdAt: 1_000,
  ttl: 100,
  grace: 50,
  tags: ["users/1"],
  failed: false,
  ...overrides
})

describe("entry classification", () => {
  it("fresh before the ttl, stale until ttl + grace, expired after; boundaries exclusive", () => {
    expect(classify(entry(), "valid", 1_000)).toBe("fresh")
    expect(classify(entry(), "valid", 1_099)).toBe("fresh")
    expect(classify(entry(), "valid", 1_100)).toBe("stale")
    expect(classify(entry(), "valid", 1_149)).toBe("stale")
    expect(classify(entry(), "valid", 1_150)).toBe("expired")
  })

  it("soft-expired: stale from now until ttl + grace; hard-invalidated: never served", () => {
    expect(classify(entry(), "expired", 1_000)).toBe("stale")
    expect(classify(entry(), "expired", 1_150)).toBe("expired")
    expect(classify(entry(), "invalidated", 1_000)).toBe("invalidated")
  })

  it("validity: a hard version at or above the stamp invalidates; a soft one expires", () => {
    expect(validityOf(5, [{ hard: 4, soft: 4 }])).toBe("valid")
    expect(validityOf(5, [{ hard: 0, soft: 5 }])).toBe("expired")
    expect(validityOf(5, [{ hard: 0, soft: 5 }, { hard: 5, soft: 0 }])).toBe("invalidated")
    expect(validityOf(5, [])).toBe("valid")
  })

  it.prop("pending invalidations only ever make an entry less valid", [
    fc.constantFrom<Store.Validity>("valid", "expired", "invalidated"),
    fc.constantFrom("none" as const, "expired" as const, "invalidated" as const)
  ], ([validity, coverage]) => {
    const rank = { valid: 0, expired: 1, invalidated: 2 }
    const combined = withPending(validity, coverage)
    expect(rank[combined]).toBeGreaterThanOrEqual(rank[validity])
    expect(rank[combined]).toBeGreaterThanOrEqual(rank[coverage === "none" ? "valid" : coverage])
  })
})

describe("judge", () => {
  const schema = Codec.json as Schema.Schema<unknown, unknown, never>

  it("a usable entry gives Fresh or Stale, decoded once and kept on the slot", () => {
    const slot: Store.Slot = { entry: entry(), memo: undefined }
    const fresh = judge(slot.entry, "valid", 1_000, schema, undefined, slot)
    expect(fresh._tag).toBe("Fresh")
    expect(judge(slot.entry, "valid", 1_050, schema, undefined, slot)).toBe(fresh)
    expect(judge(slot.entry, "valid", 1_120, schema, undefined, slot)._tag).toBe("Stale")
  })

  it("expired or invalidated is a Miss; undecodable is Corrupt; a cached failure without its schema is a Miss", () => {
    expect(judge(entry(), "invalidated", 1_000, schema, undefined, undefined)._tag).toBe("Miss")
    expect(judge(entry(), "valid", 2_000, schema, undefined, undefined)._tag).toBe("Miss")
    expect(judge(entry({ value: "{nope" }), "valid", 1_000, schema, undefined, undefined)).toBe(corrupt)
    expect(judge(entry({ value: JSON.stringify(1) }), "valid", 1_000, Schema.String as never, undefined, undefined))
      .toBe(corrupt)
    expect(judge(entry({ failed: true }), "valid", 1_000, schema, undefined, undefined)._tag).toBe("Miss")
  })
})
