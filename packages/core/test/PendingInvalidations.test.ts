/**
 * The pending-invalidation set and its relay, alone: coverage of entries, and delivery with
 * Clock-driven retries until the store acknowledges, in order.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Queue, TestClock } from "effect"

import * as PendingInvalidations from "../src/internal/pendingInvalidations.js"

type Invalidation = PendingInvalidations.Invalidation

const hardUsers1: Invalidation = { _tag: "Bump", paths: ["users/1"], mode: "hard" }
const softPosts: Invalidation = { _tag: "Bump", paths: ["posts"], mode: "soft" }
const deleteK: Invalidation = { _tag: "Delete", keys: ["ns:k"] }

const relay = Effect.gen(function*() {
  const attempts = yield* Queue.unbounded<ReadonlyArray<Invalidation>>()
  const acknowledged: Array<Invalidation> = []
  const lost: Array<Invalidation> = []
  const store = { failing: true }
  const pending = yield* PendingInvalidations.make({
    apply: (batch) => Effect.zipRight(Queue.offer(attempts, batch), store.failing ? Effect.fail("down") : Effect.void),
    retry: PendingInvalidations.defaultRetry("1 second"),
    onAcknowledged: (batch) => Effect.sync(() => acknowledged.push(...batch)),
    onLost: (batch) => Effect.sync(() => lost.push(...batch))
  })
  return { attempts, acknowledged, lost, store, pending }
})

describe("PendingInvalidations", () => {
  it.scoped("covers entries under a pending tag or any descendant (hard: invalidated, soft: expired) and pending keys", () =>
    Effect.gen(function*() {
      const { pending } = yield* relay
      expect(pending.coverage("ns:x", ["users/1/posts/2"])).toBe("none")
      pending.record(hardUsers1)
      pending.record(softPosts)
      pending.record(deleteK)
      expect(pending.size()).toBe(3)
      expect(pending.epoch()).toBe(3)
      expect(pending.coverage("ns:x", ["users/1/posts/2"])).toBe("invalidated")
      expect(pending.coverage("ns:x", ["users/1"])).toBe("invalidated")
      expect(pending.coverage("ns:x", ["users/10"])).toBe("none")
      expect(pending.coverage("ns:x", ["users"])).toBe("none")
      expect(pending.coverage("ns:x", ["posts/4", "users/2"])).toBe("expired")
      expect(pending.coverage("ns:x", ["posts/4", "users/1"])).toBe("invalidated")
      expect(pending.coverage("ns:k", [])).toBe("invalidated")
      expect(pending.coverage("ns:y", [])).toBe("none")
    }))

  it.scoped("delivers at once, retries on its Clock-driven schedule while the store fails, then clears in order", () =>
    Effect.gen(function*() {
      const { attempts, acknowledged, store, pending } = yield* relay
      pending.record(hardUsers1)
      expect(yield* Queue.take(attempts)).toEqual([hardUsers1])
      // A new invalidation wakes the relay; it delivers everything pending, oldest first.
      pending.record(softPosts)
      expect(yield* Queue.take(attempts)).toEqual([hardUsers1, softPosts])
      // Then it waits for its schedule (never longer than the 1 s cap).
      yield* TestClock.adjust("1 second")
      expect(yield* Queue.take(attempts)).toEqual([hardUsers1, softPosts])
      store.failing = false
      yield* TestClock.adjust("1 second")
      expect(yield* Queue.take(attempts)).toEqual([hardUsers1, softPosts])
      yield* pending.awaitAll
      expect(acknowledged).toEqual([hardUsers1, softPosts])
      expect(pending.size()).toBe(0)
      expect(pending.coverage("ns:x", ["users/1"])).toBe("none")
    }))

  it.effect("when its scope closes with invalidations pending it tries once more and reports the rest as lost", () =>
    Effect.gen(function*() {
      const { lost, pending } = yield* Effect.scoped(
        Effect.tap(relay, ({ pending }) => Effect.sync(() => pending.record(hardUsers1)))
      )
      expect(pending.size()).toBe(1)
      expect(lost).toEqual([hardUsers1])
    }))
})

describe("PendingInvalidations.coalesce", () => {
  it("merges adjacent invalidations of one kind and mode, keeping the order of the runs", () => {
    const hardUsers2: Invalidation = { _tag: "Bump", paths: ["users/2", "users/1"], mode: "hard" }
    const deleteJ: Invalidation = { _tag: "Delete", keys: ["ns:j"] }
    expect(PendingInvalidations.coalesce([hardUsers1, hardUsers2, softPosts, deleteK, deleteJ, hardUsers1])).toEqual([
      { _tag: "Bump", paths: ["users/1", "users/2"], mode: "hard" },
      softPosts,
      { _tag: "Delete", keys: ["ns:k", "ns:j"] },
      hardUsers1
    ])
    expect(PendingInvalidations.coalesce([])).toEqual([])
  })
})
