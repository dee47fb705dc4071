import { describe, expect, it } from "@effect/vitest"
import { MemoryStore, Store } from "@cachet/core"
import { Effect, FastCheck as fc, Option } from "effect"

type Op =
  | { readonly op: "set"; readonly key: string; readonly size: number }
  | { readonly op: "get"; readonly key: string }
  | { readonly op: "delete"; readonly key: string }

const keyArb = fc.constantFrom(...Array.from({ length: 12 }, (_, i) => `key${i}`))
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant("set" as const), key: keyArb, size: fc.integer({ min: 0, max: 60 }) }),
  fc.record({ op: fc.constant("get" as const), key: keyArb }),
  fc.record({ op: fc.constant("delete" as const), key: keyArb })
)

const entryOf = (size: number): Store.Entry => ({
  value: "x".repeat(size),
  stamp: 1,
  createdAt: 0,
  ttl: Infinity,
  grace: 0,
  tags: [],
  failed: false
})

describe("MemoryStore bounds", () => {
  it.effect.prop(
    "never exceeds maxEntries or maxBytes and evicts the least recently used first",
    [fc.integer({ min: 1, max: 6 }), fc.integer({ min: 10, max: 200 }), fc.array(opArb, { maxLength: 60 })],
    ([maxEntries, maxBytes, ops]) =>
      Effect.gen(function* () {
        const memory = yield* MemoryStore.makeUnscoped({ maxEntries, maxBytes })
        // The model: keys in recency order, oldest first, with their sizes.
        const model = new Map<string, number>()
        const total = () => [...model.values()].reduce((a, b) => a + b, 0)
        for (const op of ops) {
          if (op.op === "set") {
            yield* memory.store.set(op.key, entryOf(op.size))
            model.delete(op.key)
            const size = op.key.length + op.size
            if (size <= maxBytes) {
              model.set(op.key, size)
              for (const oldest of [...model.keys()]) {
                if (model.size <= maxEntries && total() <= maxBytes) break
                model.delete(oldest)
              }
            }
          } else if (op.op === "get") {
            const found = yield* memory.store.get(op.key)
            expect(Option.isSome(found)).toBe(model.has(op.key))
            if (model.has(op.key)) {
              const size = model.get(op.key)!
              model.delete(op.key)
              model.set(op.key, size)
            }
          } else {
            expect(yield* memory.store.delete(op.key)).toBe(model.delete(op.key))
          }
          expect(memory.size()).toBeLessThanOrEqual(maxEntries)
          expect(memory.bytes()).toBeLessThanOrEqual(maxBytes)
          expect(memory.size()).toBe(model.size)
          expect(memory.bytes()).toBe(total())
          expect([...(yield* memory.store.keys({ prefix: "", limit: 100 }))]).toEqual([...model.keys()])
        }
      })
  )
})
