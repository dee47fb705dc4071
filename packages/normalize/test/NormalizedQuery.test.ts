import { Cache, MemoryStore, QueryCache, Tag } from "@cachet/core"
import { EntityGraph, NormalizedQuery } from "@cachet/normalize"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Ref, Schema } from "effect"

import { Author, Post, Posts } from "./fixtures.js"

const Live = NormalizedQuery.layer().pipe(
  Layer.provideMerge(Cache.layer({ ttl: "1 hour" })),
  Layer.provideMerge(MemoryStore.layer())
)

const setup = Effect.gen(function*() {
  const calls = yield* Ref.make(0)
  const names = yield* Ref.make("Ada")
  const blog = yield* QueryCache.make({
    hierarchy: Tag.at("feeds", () => Tag.wild),
    queries: (tags) => ({
      feed: NormalizedQuery.query("feed", {
        args: Schema.Struct({ page: Schema.Number }),
        success: Posts,
        tags: ({ page }) => [tags.feeds(String(page))],
        lookup: ({ page }) =>
          Effect.gen(function*() {
            yield* Ref.update(calls, (n) => n + 1)
            const name = yield* Ref.get(names)
            return [{ id: `p${page}`, title: `Post ${page}`, author: { id: "a1", name } }]
          })
      })
    })
  })
  return { blog, calls, names }
})

describe("NormalizedQuery", () => {
  it("entityTags lists the entity tags of a value", () => {
    const tags = NormalizedQuery.entityTags(Posts, [
      { id: "p1", title: "t", author: { id: "a1", name: "Ada" } },
      { id: "p2", title: "t", author: { id: "a1", name: "Ada" } }
    ]).map(Tag.toString)
    expect(tags.sort()).toEqual(["entity/Author/a1", "entity/Post/p1", "entity/Post/p2"])
  })

  it.scoped("a normalized query writes its result to the graph and is tagged with its entities", () =>
    Effect.gen(function*() {
      const { blog, calls, names } = yield* setup
      const graph = yield* EntityGraph.EntityGraph
      expect((yield* blog.feed({ page: 1 }))[0]!.author.name).toBe("Ada")
      expect((yield* blog.feed({ page: 2 }))[0]!.author.name).toBe("Ada")
      expect(yield* blog.feed({ page: 1 })).toHaveLength(1)
      expect(yield* Ref.get(calls)).toBe(2)
      expect((yield* graph.readFragment(Author, "Author:a1")).data).toEqual({ id: "a1", name: "Ada" })
      expect((yield* graph.readQuery("feed", { page: 1 }, Posts)).complete).toBe(true)

      // invalidating the entity's tag refetches every cached result that shows it
      yield* Ref.set(names, "Ada L.")
      yield* blog.invalidate("entity/Author/a1")
      expect((yield* blog.feed({ page: 1 }))[0]!.author.name).toBe("Ada L.")
      expect((yield* blog.feed({ page: 2 }))[0]!.author.name).toBe("Ada L.")
      expect(yield* Ref.get(calls)).toBe(4)
      expect((yield* graph.readFragment(Author, "Author:a1")).data!.name).toBe("Ada L.")

      // a graph write of the author drops the cached results that show it (and only those)
      yield* Ref.set(names, "Grace")
      yield* graph.writeFragment(Author, { id: "a1", name: "Grace" })
      expect((yield* blog.feed({ page: 1 }))[0]!.author.name).toBe("Grace")
      expect(yield* Ref.get(calls)).toBe(5)
      yield* graph.writeFragment(Post, { id: "p2", title: "changed", author: { id: "a1", name: "Grace" } })
      expect(yield* blog.feed({ page: 1 })).toHaveLength(1)
      expect(yield* Ref.get(calls)).toBe(5) // page 1 does not show Post:p2: still cached
      expect((yield* blog.feed({ page: 2 }))[0]!.title).toBe("Post 2")
      expect(yield* Ref.get(calls)).toBe(6) // page 2 was dropped and refetched
    }).pipe(Effect.provide(Live)))

  it.scoped("invalidating or expiring an entity tag in the cache reaches the graph", () =>
    Effect.gen(function*() {
      const { blog } = yield* setup
      const graph = yield* EntityGraph.EntityGraph
      yield* blog.feed({ page: 1 })
      expect((yield* graph.readFragment(Author, "Author:a1")).stale).toBe(false)
      yield* blog.expire("entity/Author/a1")
      yield* Effect.repeatN(Effect.yieldNow(), 20)
      expect((yield* graph.readFragment(Author, "Author:a1")).stale).toBe(true)
      yield* blog.invalidate("entity/Post/p1")
      yield* Effect.repeatN(Effect.yieldNow(), 20)
      const direct = yield* graph.readFragment(Post, "Post:p1")
      yield* graph.invalidate("Post:p1")
      expect(yield* graph.readFragment(Post, "Post:p1")).toEqual(direct)
      // A graph write echoes into the cache, but not back into the graph.
      yield* graph.writeFragment(Author, { id: "a1", name: "Echo" })
      yield* Effect.repeatN(Effect.yieldNow(), 20)
      expect((yield* graph.readFragment(Author, "Author:a1")).data).toEqual({ id: "a1", name: "Echo" })
    }).pipe(Effect.provide(Live)))
})
