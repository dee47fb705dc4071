import { describe, expect, it } from "@effect/vitest"

import { makeCompiler } from "../src/internal/plan.js"
import { ReadState } from "../src/internal/read.js"
import type { Write } from "../src/internal/store.js"
import { Store } from "../src/internal/store.js"
import { Author, Post, Posts } from "./fixtures.js"

const write = (now = 0): Write => ({ layer: undefined, now, changed: new Set(), warnings: [] })

const setup = () => {
  const store = new Store(Infinity)
  const compiler = makeCompiler()
  const plan = compiler.root("posts", "posts", Posts.ast)
  const posts = [
    { id: "1", title: "one", author: { id: "a", name: "Ann" } },
    { id: "2", title: "two", author: { id: "b", name: "Bob" } }
  ]
  store.writeField(write(), store.root, plan.fields[0]!, posts)
  return { store, compiler, plan }
}

describe("ReadState", () => {
  it("starts complete, fresh and never stale", () => {
    const state = new ReadState().reset(5)
    expect([state.complete, state.stale, state.staleAt, state.now]).toEqual([true, false, Infinity, 5])
  })

  it("adds values: incomplete and stale stick, the earliest staleAt wins", () => {
    const state = new ReadState().reset(0)
    state.add(false, false, 30)
    state.add(true, true, 10)
    state.add(true, false, 20)
    expect([state.complete, state.stale, state.staleAt]).toEqual([false, true, 10])
  })

  it("gives each depth a frame of its own, reset at the parent's time, reused", () => {
    const state = new ReadState().reset(7)
    const frame = state.frame()
    frame.add(false, true, 1)
    expect([state.complete, state.stale, state.staleAt]).toEqual([true, false, Infinity])
    const again = state.frame()
    expect(again).toBe(frame)
    expect([again.complete, again.stale, again.staleAt, again.now]).toEqual([true, false, Infinity, 7])
    expect(frame.frame()).not.toBe(frame)
  })
})

describe("memoized reads", () => {
  it("reads back what was written, and the same objects while nothing changed", () => {
    const { plan, store } = setup()
    const first = store.readRoot(plan, 0)
    expect(first.complete).toBe(true)
    expect((first.value as { posts: unknown }).posts).toEqual([
      { id: "1", title: "one", author: { id: "a", name: "Ann" } },
      { id: "2", title: "two", author: { id: "b", name: "Bob" } }
    ])
    expect(store.readRoot(plan, 0).value).toBe(first.value)
  })

  it("rebuilds only the path to a change", () => {
    const { compiler, plan, store } = setup()
    const before = (store.readRoot(plan, 0).value as { posts: ReadonlyArray<{ author: unknown }> }).posts
    store.writeObject(write(), compiler.compile(Author.ast) as never, { id: "a", name: "Anne" }, "Author:a")
    const after = (store.readRoot(plan, 0).value as { posts: ReadonlyArray<{ author: unknown }> }).posts
    expect(after).not.toBe(before)
    expect(after[0]!.author).toEqual({ id: "a", name: "Anne" })
    expect(after[1]).toBe(before[1])
  })

  it("a stale child makes its parents stale, not its siblings", () => {
    const { compiler, plan, store } = setup()
    store.readRoot(plan, 0)
    store.markStale(write(), store.nodes.get("Author:a")!, () => true)
    expect(store.readRoot(plan, 0).stale).toBe(true)
    const postPlan = compiler.compile(Post.ast) as never
    expect(store.readKey(postPlan, "Post:1", 0).stale).toBe(true)
    expect(store.readKey(postPlan, "Post:2", 0).stale).toBe(false)
    // a memo hit reports the same as the computed read
    expect(store.readRoot(plan, 0).stale).toBe(true)
    expect(store.readKey(postPlan, "Post:2", 0).stale).toBe(false)
  })

  it("a missing required field makes the read incomplete up to the root", () => {
    const { compiler, plan, store } = setup()
    store.removeField(write(), store.nodes.get("Author:b")!, "name")
    const out = store.readRoot(plan, 0)
    expect(out.complete).toBe(false)
    expect(store.readKey(compiler.compile(Post.ast) as never, "Post:1", 0).complete).toBe(true)
  })

  it("with a lifetime, a read says when it turns stale, and is stale from then", () => {
    const store = new Store(100)
    const plan = makeCompiler().root("posts", "posts", Posts.ast)
    store.writeField(write(1000), store.root, plan.fields[0]!, [{
      id: "1",
      title: "t",
      author: { id: "a", name: "A" }
    }])
    const fresh = store.readRoot(plan, 1050)
    expect([fresh.stale, fresh.staleAt]).toEqual([false, 1100])
    expect(store.readRoot(plan, 1100).stale).toBe(true)
  })

  it("a key with no node reads as incomplete", () => {
    const store = new Store(Infinity)
    const plan = makeCompiler().compile(Author.ast) as never
    const out = store.readKey(plan, "Author:nobody", 0)
    expect(out.complete).toBe(false)
  })
})
