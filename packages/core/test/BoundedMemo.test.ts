import { BoundedMemo } from "@cachet/core"
import { describe, expect, it } from "@effect/vitest"

describe("BoundedMemo", () => {
  it("make: never holds more than its capacity, dropping the entry written first", () => {
    const memo = BoundedMemo.make<string, number>(3)
    for (let i = 0; i < 10_000; i++) {
      memo.set(`tag/${i}`, i)
      expect(memo.size).toBeLessThanOrEqual(3)
    }
    expect([memo.get("tag/9997"), memo.get("tag/9998"), memo.get("tag/9999")]).toEqual([9997, 9998, 9999])
    expect(memo.get("tag/9996")).toBeUndefined()
  })

  it("make: rewriting a held key drops nothing", () => {
    const memo = BoundedMemo.make<string, number>(2)
    memo.set("a", 1)
    memo.set("b", 2)
    memo.set("b", 3)
    expect([memo.get("a"), memo.get("b"), memo.size]).toEqual([1, 3, 2])
  })

  it("makeWeak: never holds more than its capacity, starting over once full", () => {
    const memo = BoundedMemo.makeWeak<object, number>(3)
    const keys = Array.from({ length: 10 }, () => ({}))
    keys.forEach((key, i) => {
      memo.set(key, i)
      expect(memo.size).toBeLessThanOrEqual(3)
    })
    // 10 writes at capacity 3: the memo restarted after the 9th, so it holds the 10th only.
    expect(keys.map((key) => memo.get(key) ?? null)).toEqual([null, null, null, null, null, null, null, null, null, 9])
  })

  it("refuses a capacity below 1", () => {
    expect(() => BoundedMemo.make(0)).toThrow(RangeError)
    expect(() => BoundedMemo.makeWeak(0.5)).toThrow(RangeError)
  })
})
