import { Key } from "@cachet/core"
import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"

const part: fc.Arbitrary<Key.Part> = fc.letrec<{ part: Key.Part }>((tie) => ({
  part: fc.oneof(
    { depthSize: "small" },
    fc.string(),
    fc.double(),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.bigInt(),
    fc.array(tie("part"), { maxLength: 4 }),
    fc.dictionary(fc.string(), tie("part"), { maxKeys: 4 })
  )
})).part

/** Data equality as the key must respect it: -0 equals 0, NaN equals NaN, key order is irrelevant. */
const sameData = (a: Key.Part, b: Key.Part): boolean => {
  if (typeof a === "number" && typeof b === "number") return a === b || (Number.isNaN(a) && Number.isNaN(b))
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameData(x, b[i]))
  if (a && b && typeof a === "object" && typeof b === "object" && !Array.isArray(a) && !Array.isArray(b)) {
    const ra = a as Record<string, Key.Part>
    const rb = b as Record<string, Key.Part>
    const ka = Object.keys(ra).filter((k) => ra[k] !== undefined).sort()
    const kb = Object.keys(rb).filter((k) => rb[k] !== undefined).sort()
    return ka.length === kb.length && ka.every((k, i) => k === kb[i] && sameData(ra[k], rb[k]))
  }
  return a === b
}

describe("Key", () => {
  it.prop("canonical is deterministic and injective", [part, part], ([a, b]) => {
    expect(Key.canonical(a)).toBe(Key.canonical(structuredClone(a)))
    expect(Key.canonical(a) === Key.canonical(b)).toBe(sameData(a, b))
  })

  it.prop("object key order never matters", [fc.dictionary(fc.string(), fc.integer())], ([record]) => {
    const reversed = Object.fromEntries(Object.entries(record).reverse())
    expect(Key.canonical(record)).toBe(Key.canonical(reversed))
  })

  it("separators inside parts never collide", () => {
    expect(Key.canonical(["a:b", "c"])).not.toBe(Key.canonical(["a", "b:c"]))
    expect(Key.make(["a:b", "c"])).not.toBe(Key.make(["a", "b:c"]))
    expect(Key.make(["ns", "q"], { id: "1" })).toBe("ns:q:{\"id\":\"1\"}")
  })

  it.prop("bounded keys stay under the limit and keep a readable head", [
    fc.string({ minLength: 0, maxLength: 600, unit: "binary" })
  ], ([text]) => {
    const key = Key.bound(text)
    expect(new TextEncoder().encode(key).length).toBeLessThanOrEqual(Key.maxBytes)
    if (new TextEncoder().encode(text).length <= Key.maxBytes) expect(key).toBe(text)
    else expect(text.startsWith(key.slice(0, key.lastIndexOf("~")))).toBe(true)
  })

  it.prop("distinct long keys get distinct bounded keys", [
    fc.string({ minLength: 250, maxLength: 400 }),
    fc.string({ minLength: 250, maxLength: 400 })
  ], ([a, b]) => {
    expect(Key.bound(a) === Key.bound(b)).toBe(a === b)
  })
})
