import { describe, expectTypeOf, it } from "vitest"

import type { CacheEntry, EntriesResult, QueryPromise, TypedTag } from "../src/index.js"
import { at, createPrimitives, MemoryAdapter, QueryCache, wild } from "../src/index.js"

const cache = QueryCache({
  schema: at("users", () => wild(() => at("posts", () => wild).at("profile"))).at("stats"),
  adapter: new MemoryAdapter(),
  queries: (tags) => ({
    user: (id: string) => ({ tags: [tags.users(id)], fn: async () => ({ id, age: 3 }) }),
    post: (user: string, post: number) => ({
      tags: [tags.users(user).posts(String(post)), tags.stats],
      fn: async () => [post]
    })
  })
})

describe("QueryCache types", () => {
  it("types tag builders from the schema", () => {
    expectTypeOf(cache.tags.users).toMatchTypeOf<TypedTag>()
    expectTypeOf(cache.tags.users("1").posts("p")).toMatchTypeOf<TypedTag>()
    expectTypeOf(cache.tags.users("1").profile).toMatchTypeOf<TypedTag>()
    // @ts-expect-error a named segment is not callable
    cache.tags.stats("1")
    // @ts-expect-error the id comes before posts
    void cache.tags.users.posts
    // @ts-expect-error no such segment
    void cache.tags.comments
  })

  it("gives each query its arguments and a QueryPromise of its value", () => {
    expectTypeOf(cache.user).parameters.toEqualTypeOf<[id: string]>()
    expectTypeOf(cache.user("1")).toEqualTypeOf<QueryPromise<{ id: string; age: number }>>()
    expectTypeOf(cache.post("u", 1).entries).toEqualTypeOf<PromiseLike<EntriesResult<Array<number>>>>()
    // @ts-expect-error wrong argument type
    void cache.post("u", "1")
  })

  it("types primitives", () => {
    const primitives = createPrimitives({ adapter: new MemoryAdapter() })
    expectTypeOf(primitives.get<number>("k")).toEqualTypeOf<Promise<number | null>>()
    expectTypeOf(primitives.queryWithEntries({ key: "k", tags: [], fn: async () => "v" })).toEqualTypeOf<
      Promise<EntriesResult<string>>
    >()
    expectTypeOf<EntriesResult<string>["before"]>().toEqualTypeOf<CacheEntry<string> | null>()
    // @ts-expect-error durations are numbers or texts, grace also false
    void primitives.set("k", 1, { tags: [], ttl: true })
  })
})
