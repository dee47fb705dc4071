import { describe, expect, it } from "@effect/vitest"

import { makeCompiler } from "../src/internal/plan.js"
import { collect, reachable } from "../src/internal/reachability.js"
import type { Link, Write } from "../src/internal/store.js"
import { NONE, Store } from "../src/internal/store.js"
import { Posts } from "./fixtures.js"

const write = (layer?: Write["layer"]): Write => ({ layer, now: 0, changed: new Set(), warnings: [] })

const setup = () => {
  const store = new Store(Infinity)
  const plan = makeCompiler().root("posts", "posts", Posts.ast)
  store.writeField(write(), store.root, plan.fields[0]!, [
    { id: "1", title: "one", author: { id: "a", name: "Ann" } },
    { id: "2", title: "two", author: { id: "a", name: "Ann" } }
  ])
  return { plan, store }
}

describe("collect", () => {
  it("finds every node a plan reaches from a link, each once", () => {
    const { plan, store } = setup()
    const link = store.getLink(store.root, "posts")
    expect(link).not.toBe(NONE)
    const out = new Set<string>()
    collect(store, plan.fields[0]!.plan, link as Link, out, new Set())
    expect([...out].sort()).toEqual(["Author:a", "Post:1", "Post:2"])
  })

  it("stops at missing nodes and null links", () => {
    const { plan, store } = setup()
    const out = new Set<string>()
    collect(store, plan.fields[0]!.plan, ["Post:9", null], out, new Set())
    expect([...out]).toEqual(["Post:9"])
  })
})

describe("reachable", () => {
  it("is every node linked from the root", () => {
    const { store } = setup()
    store.ensureNode("Author:z", "Author")
    expect([...reachable(store)].sort()).toEqual(["Author:a", "Post:1", "Post:2", "Query"])
  })

  it("loses what a removed link held, keeps what a layer touches", () => {
    const { store } = setup()
    store.setLink(write(), store.root, "posts", ["Post:2"])
    store.setLink(write(), store.nodes.get("Post:2")!, "author", null)
    expect([...reachable(store)].sort()).toEqual(["Post:2", "Query"])
    const layer = { id: 1, name: "optimistic", entries: new Map() }
    store.layers.push(layer)
    store.setRecord(write(layer), store.nodes.get("Post:1")!, "title", "edited")
    expect([...reachable(store)].sort()).toEqual(["Author:a", "Post:1", "Post:2", "Query"])
  })
})
