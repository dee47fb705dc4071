import { describe, expect, it, vi } from "@effect/vitest"

import type { RefreshResult } from "../src/index.js"
import { at, isTypedTag, MemoryAdapter, QueryCache, wild } from "../src/index.js"

/** A fetch function that counts its calls and returns the call number with its argument. */
const counter = () => {
  const calls: Array<string> = []
  const fn = (arg: string) => async () => {
    calls.push(arg)
    return { arg, call: calls.length }
  }
  return { calls, fn }
}

describe("QueryCache tags", () => {
  it("builds paths for named, dynamic, nested and sibling segments", () => {
    const cache = QueryCache({
      schema: at("orgs", () => wild(() => at("teams", () => wild).at("billing"))).at("health"),
      adapter: new MemoryAdapter(),
      queries: () => ({})
    })
    expect(cache.tags.orgs.__path).toEqual(["orgs"])
    expect(cache.tags.orgs("o1").__path).toEqual(["orgs", "o1"])
    expect(cache.tags.orgs("o1").teams.__path).toEqual(["orgs", "o1", "teams"])
    expect(cache.tags.orgs("o1").teams("t9").__path).toEqual(["orgs", "o1", "teams", "t9"])
    expect(cache.tags.orgs("o1").billing.__path).toEqual(["orgs", "o1", "billing"])
    expect(cache.tags.health.__path).toEqual(["health"])
    expect(isTypedTag(cache.tags.orgs("o1").teams)).toBe(true)
  })

  it("reads wild.at as segments under each id, as the tutorial writes it", () => {
    const cache = QueryCache({
      schema: at("users", () => wild.at("posts", () => wild.at("comments", () => wild))),
      adapter: new MemoryAdapter(),
      queries: () => ({})
    })
    expect(cache.tags.users("u").posts("p").comments("c").__path).toEqual(["users", "u", "posts", "p", "comments", "c"])
  })

  it("takes segment names a function already owns (name, length)", () => {
    const cache = QueryCache({
      schema: at("items", () => wild.at("name").at("length")),
      adapter: new MemoryAdapter(),
      queries: () => ({})
    })
    expect(cache.tags.items("1").name.__path).toEqual(["items", "1", "name"])
    expect(cache.tags.items("1").length.__path).toEqual(["items", "1", "length"])
  })
})

describe("QueryCache queries", () => {
  const make = () => {
    const posts = counter()
    const comments = counter()
    const cache = QueryCache({
      schema: at("posts", () => wild(() => at("comments"))),
      adapter: new MemoryAdapter(),
      queries: (tags) => ({
        post: (id: string) => ({ tags: [tags.posts(id)], fn: posts.fn(id) }),
        comments: (id: string) => ({ tags: [tags.posts(id).comments], fn: comments.fn(id) })
      })
    })
    return { cache, comments, posts }
  }

  it("fetches once per query and arguments", async () => {
    const { cache, comments, posts } = make()
    expect(await cache.post("a")).toEqual({ arg: "a", call: 1 })
    expect(await cache.post("a")).toEqual({ arg: "a", call: 1 })
    await cache.post("b")
    await cache.comments("a")
    expect(posts.calls).toEqual(["a", "b"])
    expect(comments.calls).toEqual(["a"])
  })

  it("does nothing until awaited, and .entries tells a miss from a hit", async () => {
    const { cache, posts } = make()
    const pending = cache.post("a")
    expect(posts.calls).toEqual([])
    const miss = await pending.entries
    expect(miss.before).toBeNull()
    expect(miss.after.value).toEqual({ arg: "a", call: 1 })
    expect(miss.after.tags).toEqual([["posts", "a"]])
    const hit = await cache.post("a").entries
    expect(hit.after).toBe(hit.before)
  })

  it("invalidating a tag refetches what is tagged with it or below it; exact spares what is below", async () => {
    const { cache, comments, posts } = make()
    await cache.post("a")
    await cache.comments("a")
    await cache.invalidate(cache.tags.posts("a"), true)
    await cache.post("a")
    await cache.comments("a")
    expect(posts.calls).toEqual(["a", "a"])
    expect(comments.calls).toEqual(["a"])
    await cache.invalidate(cache.tags.posts)
    expect((await cache.comments("a")).call).toBe(2)
    expect((await cache.post("a")).call).toBe(3)
  })

  it("clear drops every entry", async () => {
    const { cache, posts } = make()
    await cache.post("a")
    await cache.clear()
    await cache.post("a")
    expect(posts.calls).toEqual(["a", "a"])
  })

  it("uses a query's own ttl and primitives share its adapter and prefix", async () => {
    const adapter = new MemoryAdapter()
    const cache = QueryCache({
      schema: at("x"),
      adapter,
      prefix: "mine",
      queries: (tags) => ({ one: () => ({ tags: [tags.x], fn: async () => 1, ttl: "1h" }) })
    })
    const { after } = await cache.one().entries
    expect(after.expiresAt - after.createdAt).toBe(3_600_000)
    expect(await cache.primitives.get("one:[]")).toBe(1)
    expect(await adapter.get("mine:one:[]")).toBe(after)
  })

  it("takes a query's own grace and onRefresh", async () => {
    vi.useFakeTimers({ toFake: ["Date"], now: 1_000_000 })
    try {
      let version = 0
      let refreshed!: (result: RefreshResult<number>) => void
      const done = new Promise<RefreshResult<number>>((resolve) => (refreshed = resolve))
      const cache = QueryCache({
        schema: at("config"),
        adapter: new MemoryAdapter(),
        defaultGrace: false,
        queries: (tags) => ({
          config: () => ({
            tags: [tags.config],
            fn: async () => ++version,
            ttl: "1s",
            grace: "1m",
            onRefresh: refreshed
          })
        })
      })
      await cache.config()
      vi.setSystemTime(Date.now() + 1_000)
      expect(await cache.config()).toBe(1) // stale, refreshed behind
      expect(await done).toEqual({ old: 1, new: 2, changed: true })
      expect(await cache.config()).toBe(2)
    } finally {
      vi.useRealTimers()
    }
  })
})
