import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit } from "effect"

import { makeOps, makeState, newWrite } from "../src/internal/graph.js"
import { gc, release, retain, touch } from "../src/internal/retention.js"
import { makeServiceOperations, makeTx, serviceOperations, txOperations } from "../src/internal/surface.js"
import { Posts } from "./fixtures.js"

const posts = [{ id: "1", title: "one", author: { id: "a", name: "Ann" } }]

describe("retention", () => {
  it("keeps the most recent root fields up to the buffer size", () => {
    const state = makeState({ cacheBufferSize: 2 })
    for (const fk of ["a", "b", "a", "c"]) touch(state, fk)
    expect([...state.recent.keys()]).toEqual(["a", "c"])
  })

  it("counts retentions: a field is kept until released as many times", () => {
    const state = makeState({})
    retain(state, "posts")
    retain(state, "posts")
    release(state, "posts")
    expect(state.retained.get("posts")).toBe(1)
    release(state, "posts")
    expect(state.retained.has("posts")).toBe(false)
  })

  it("gc drops unkept root fields and the nodes only they reached", () => {
    const state = makeState({ cacheBufferSize: 0 })
    const ops = makeOps(state)
    ops.writeQuery(newWrite(undefined, 0), "posts", null, Posts as never, posts)
    expect(gc(state, newWrite(undefined, 0))).toBe(2)
    expect([...state.store.nodes.keys()]).toEqual(["Query"])
  })

  it("gc keeps a retained root field and what it reaches", () => {
    const state = makeState({ cacheBufferSize: 0 })
    const ops = makeOps(state)
    ops.writeQuery(newWrite(undefined, 0), "posts", null, Posts as never, posts)
    retain(state, "posts")
    expect(gc(state, newWrite(undefined, 0))).toBe(0)
  })
})

describe("the operation table", () => {
  it("gives the service every transaction operation", () => {
    const ops = makeOps(makeState({}))
    const tx = Object.keys(txOperations(ops))
    expect(tx.every((name) => name in serviceOperations(ops))).toBe(true)
  })

  it.effect("runs a write through the service and reads it back", () =>
    Effect.gen(function*() {
      const ops = makeOps(makeState({}))
      const service = makeServiceOperations(
        serviceOperations(ops),
        (f) => Effect.sync(() => f(0)),
        (f) => Effect.sync(() => f(newWrite(undefined, 0)))
      )
      yield* service.writeQuery!("posts", null, Posts, posts)
      const read = (yield* service.readQuery!("posts", null, Posts)) as { data: unknown }
      expect(read.data).toEqual(posts)
      expect(yield* service.keyOf!({ __typename: "Post", id: "1" })).toBe("Post:1")
    }))

  it.effect("a transaction writes in its write while open, and fails once closed", () =>
    Effect.gen(function*() {
      const state = makeState({})
      const w = newWrite(undefined, 0)
      const { close, tx } = makeTx(txOperations(makeOps(state)), w, "addPost")
      yield* tx.writeQuery("posts", null, Posts, posts)
      expect(w.changed.size).toBeGreaterThan(0)
      close()
      const exit = yield* Effect.exit(tx.keyOf("Post:1"))
      expect(Exit.isFailure(exit)).toBe(true)
      if (Exit.isFailure(exit)) expect(String(exit.cause)).toContain("InvalidCacheCall")
    }))
})
