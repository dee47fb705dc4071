import { Cache, MemoryStore, QueryCache, Tag } from "@cachet/core"
import { EntityGraph, NormalizedQuery } from "@cachet/normalize"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Ref, Schema } from "effect"

import { Author, Post, Posts } from "./fixtures.js"

const Live = NormalizedQuery.layer().pipe(
  Layer.provideMerge(Cache.layer({ ttl: "1 hour" })),
  Layer.provideMerge(MemoryStore.layer())
)

/** Reads until `done` holds, letting the graph's invalidation listener run between reads. */
const waitFor = <A, E, R>(read: Effect.Effect<A, E, R>, done: (a: A) => boolean): Effect.Effect<A, E, R> =>
  Effect.repeat(Effect.zipLeft(read, Effect.yieldNow()), { until: (a: A) => done(a) })

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
    expect(tags.sort()).toEqual(["Author/a1", "Post/p1", "Post/p2"])
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
      yield* blog.invalidate("Author/a1")
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

  it.scoped("invalidating or expiring an entity tag, or a tag below it, in the cache reaches the graph", () =>
    Effect.gen(function*() {
      const { blog } = yield* setup
      const graph = yield* EntityGraph.EntityGraph
      yield* blog.feed({ page: 1 })
      expect((yield* graph.readFragment(Author, "Author:a1")).stale).toBe(false)
      yield* blog.expire("Author/a1")
      yield* waitFor(graph.readFragment(Author, "Author:a1"), (read) => read.stale)
      yield* blog.invalidate("Post/p1")
      yield* waitFor(graph.readFragment(Post, "Post:p1"), (read) => read.data === null)
      // a field tag below the entity (a REST write's or a GraphQL fragment's) reaches it too
      yield* blog.feed({ page: 1 })
      expect((yield* graph.readFragment(Post, "Post:p1")).data).not.toBeNull()
      yield* blog.invalidate("Post/p1/comments")
      yield* waitFor(graph.readFragment(Post, "Post:p1"), (read) => read.data === null)
      // A graph write echoes into the cache, but not back into the graph: the write stays. The
      // listener takes tags in order, so once a later expiry arrived the echo was handled.
      yield* blog.feed({ page: 1 })
      yield* graph.writeFragment(Author, { id: "a1", name: "Echo" })
      yield* blog.expire("Post/p1")
      yield* waitFor(graph.readFragment(Post, "Post:p1"), (read) => read.stale)
      expect((yield* graph.readFragment(Author, "Author:a1")).data).toEqual({ id: "a1", name: "Echo" })
    }).pipe(Effect.provide(Live)))
})
