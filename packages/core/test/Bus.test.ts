import { Bus } from "@cachet/core"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Queue } from "effect"

describe("Bus (in-process)", () => {
  it.scoped("delivers to every other member, never back to the publisher", () =>
    Effect.gen(function*() {
      const network = yield* Bus.makeInProcess
      const [a, b, c] = yield* Effect.all([network.join, network.join, network.join])
      const [qa, qb, qc] = yield* Effect.all([a!.subscribe, b!.subscribe, c!.subscribe])
      yield* a!.publish({ _tag: "KeysChanged", keys: ["k"] })
      expect(yield* Queue.take(qb!)).toEqual({ _tag: "KeysChanged", keys: ["k"] })
      expect(yield* Queue.take(qc!)).toEqual({ _tag: "KeysChanged", keys: ["k"] })
      yield* b!.publish({ _tag: "Cleared", prefix: "ns:" })
      expect(yield* Queue.take(qa!)).toEqual({ _tag: "Cleared", prefix: "ns:" })
      expect(yield* Queue.size(qb!)).toBe(0)
    }))

  it("recognises its messages and nothing else", () => {
    expect(Bus.isMessage({ _tag: "TagsBumped", paths: ["a"], mode: "hard", counter: 3 })).toBe(true)
    expect(Bus.isMessage({ _tag: "TagsBumped", paths: [1], mode: "hard", counter: 3 })).toBe(false)
    expect(Bus.isMessage({ _tag: "KeysChanged", keys: "k" })).toBe(false)
    expect(Bus.isMessage({ _tag: "Nope" })).toBe(false)
    expect(Bus.isMessage(null)).toBe(false)
  })
})
