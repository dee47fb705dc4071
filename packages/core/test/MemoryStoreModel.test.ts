import { MemoryStore, Store } from "@cachet/core"
import { describe, expect, it } from "@effect/vitest"
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
      Effect.gen(function*() {
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

type SpaceOp =
  | { readonly op: "set"; readonly key: string; readonly size: number }
  | { readonly op: "delete"; readonly key: string }
  | { readonly op: "clear"; readonly prefix: string }
  | { readonly op: "open"; readonly prefix: string }

const spacedKeyArb = fc.constantFrom("a:1", "a:2", "a:b:1", "a:b:2", "z:1", "a:", "b:1")
const prefixArb = fc.constantFrom("a:", "a:b:", "z:", "")
const spaceOpArb: fc.Arbitrary<SpaceOp> = fc.oneof(
  fc.record({ op: fc.constant("set" as const), key: spacedKeyArb, size: fc.integer({ min: 0, max: 20 }) }),
  fc.record({ op: fc.constant("delete" as const), key: spacedKeyArb }),
  fc.record({ op: fc.constant("clear" as const), prefix: prefixArb }),
  fc.record({ op: fc.constant("open" as const), prefix: prefixArb })
)

describe("MemoryStore key spaces", () => {
  it.effect.prop(
    "a space, opened at any point, reads under its prefix exactly what the store holds, through writes, deletes, clears and evictions",
    [fc.integer({ min: 1, max: 5 }), fc.array(spaceOpArb, { maxLength: 40 })],
    ([maxEntries, ops]) =>
      Effect.gen(function*() {
        const memory = yield* MemoryStore.makeUnscoped({ maxEntries })
        const sync = memory.store.sync!
        const spaces: Array<readonly [string, Store.SyncSpace]> = []
        for (const op of ops) {
          if (op.op === "set") yield* memory.store.set(op.key, entryOf(op.size))
          else if (op.op === "delete") yield* memory.store.delete(op.key)
          else if (op.op === "clear") yield* memory.store.clear(op.prefix)
          else spaces.push([op.prefix, sync.within!(op.prefix)])
          for (const [prefix, space] of spaces) {
            for (const key of ["a:1", "a:2", "a:b:1", "a:b:2", "z:1", "a:", "b:1"]) {
              const rest = key.startsWith(prefix) ? key.slice(prefix.length) : undefined
              if (rest === undefined) continue
              expect(space.read(rest, 0)?.entry).toBe(sync.read(key, 0)?.entry)
            }
            // Nothing outside the prefix is reachable through the space.
            if (prefix === "z:") expect(space.read("a:1", 0)).toBeUndefined()
          }
        }
      })
  )

  it.effect("an expired entry read through a space is dropped from the store", () =>
    Effect.gen(function*() {
      const memory = yield* MemoryStore.makeUnscoped()
      const space = memory.store.sync!.within!("ns:")
      yield* memory.store.set("ns:k", { ...entryOf(1), ttl: 10 })
      expect(space.read("k", 9)?.entry.value).toBe("x")
      expect(space.read("k", 10)).toBeUndefined()
      expect(memory.size()).toBe(0)
    }))
})
