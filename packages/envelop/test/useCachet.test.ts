import { Cache, MemoryStore } from "@cachet/core"
import { useCachet } from "@cachet/envelop"
import { GraphQLCache } from "@cachet/graphql"
import { createCache } from "@cachet/promise"
import { afterEach, describe, expect, it } from "@effect/vitest"
import { Effect, Layer, ManagedRuntime } from "effect"
import { createSchema, createYoga } from "graphql-yoga"

import { feed, makeBlog, pluginCases, racingPost, typeDefs } from "../../graphql/test/fixtures/serverBlog.js"

const runtimes: Array<ManagedRuntime.ManagedRuntime<Cache.Cache, never>> = []
afterEach(async () => {
  for (const runtime of runtimes.splice(0)) await runtime.dispose()
})

const setup = (options: { readonly extensions?: boolean; readonly mutations?: "entities" | "off" } = {}) => {
  const blog = makeBlog()
  const runtime = ManagedRuntime.make(Cache.layer().pipe(Layer.provide(MemoryStore.layer())))
  runtimes.push(runtime)
  const invalidated: Array<ReadonlyArray<string>> = []
  const hits: Array<number> = []
  const plugin = useCachet<{ readonly request: Request }>({
    cache: runtime,
    extensions: options.extensions ?? true,
    ...(options.mutations === undefined ? {} : { mutations: options.mutations }),
    session: (context) => context.request.headers.get("x-user"),
    onInvalidate: ({ tags }) => invalidated.push(tags),
    onHit: ({ count }) => hits.push(count)
  })
  const yoga = createYoga({
    schema: createSchema({ typeDefs, resolvers: blog.resolvers }),
    plugins: [plugin],
    maskedErrors: false,
    logging: false
  })
  const post = async (query: string, headers: Record<string, string> = {}) => {
    const response = await yoga.fetch("http://yoga/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify({ query })
    })
    return (await response.json()) as {
      data?: Record<string, unknown>
      errors?: ReadonlyArray<{ message: string; path?: ReadonlyArray<string | number> }>
      extensions?: { cachet?: { hits: number; misses: number; writes: number } }
    }
  }
  const stats = () => runtime.runPromise(Effect.flatMap(Cache.Cache, (cache) => cache.stats))
  return { blog, yoga, post, plugin, runtime, stats, invalidated, hits }
}

describe("useCachet with GraphQL Yoga", () => {
  pluginCases(async (options) => setup(options))

  it("a repeated query runs no resolver at or below a hit, and answers the same", async () => {
    const { blog, post } = setup()
    const first = await post(feed)
    expect(first.errors).toBeUndefined()
    expect(blog.take()["Query.posts"]).toBe(1)
    const second = await post(feed)
    expect(second.data).toEqual(first.data)
    expect(blog.take()).toEqual({})
    expect(second.extensions?.cachet?.hits).toBe(1)
    // Another shape of the same posts: the root misses, the fragments below it hit.
    const other = await post(`{ posts(first: 2) { title comments { body author { name } } } }`)
    expect(other.errors).toBeUndefined()
    const calls = blog.take()
    expect(calls["Query.posts"]).toBe(1)
    expect(calls["Post.comments"]).toBeUndefined()
    expect(calls["Comment.author"]).toBeUndefined()
    expect(other.data).toEqual({
      posts: (first.data!["posts"] as Array<Record<string, unknown>>).map((p) => ({
        title: p["title"],
        comments: p["comments"]
      }))
    })
  })

  it("a mutation's returned entities, and the lists that hold them, are fresh on the next read", async () => {
    const { blog, invalidated, post } = setup()
    await post(feed)
    await post(`{ post(id: "1") { title comments { body } } }`)
    blog.take()
    const renamed = await post(`mutation { renamePost(id: "1", title: "Renamed") { id title } }`)
    expect(renamed.data).toEqual({ renamePost: { id: "1", title: "Renamed" } })
    expect(invalidated.at(-1)).toContain("Post/1")
    const after = await post(feed)
    expect((after.data!["posts"] as Array<{ title: string }>)[0]!.title).toBe("Renamed")
    // A new comment, returned with its post: that post's comment lists are invalidated.
    await post(`mutation { addComment(postId: "1", body: "Third") { id body post { id } } }`)
    expect(invalidated.at(-1)).toContain("Post/1/comments")
    const one = await post(`{ post(id: "1") { title comments { body } } }`)
    expect(one.data).toEqual({
      post: { title: "Renamed", comments: [{ body: "First" }, { body: "Second" }, { body: "Third" }] }
    })
    const feedAfter = await post(feed)
    const comments = (feedAfter.data!["posts"] as Array<{ comments: Array<{ body: string }> }>)[0]!.comments
    expect(comments.map((c) => c.body)).toEqual(["First", "Second", "Third"])
  })

  it("operations that meet no cached field are the server's alone", async () => {
    const { yoga } = setup()
    const response = await yoga.fetch(`http://yoga/graphql?query=${encodeURIComponent("{ hello }")}`)
    // No extensions.cachet: the plugin did not run it.
    expect(await response.json()).toEqual({ data: { hello: "world" } })
    expect(response.headers.get("etag")).toBeNull()
  })

  it("complete GET responses are kept whole: ETag of the body, 304, Cache-Control, Vary", async () => {
    const { blog, hits, yoga } = setup()
    const url = `http://yoga/graphql?query=${encodeURIComponent(feed)}`
    const first = await yoga.fetch(url)
    const etag = first.headers.get("etag")
    const body = await first.text()
    expect(first.status).toBe(200)
    expect(etag).toMatch(/^"[^"]+"$/)
    expect(first.headers.get("vary")).toBe("Accept")
    expect(first.headers.get("cache-control")).toMatch(/^public, max-age=\d+$/)
    expect(blog.take()["Query.posts"]).toBe(1)
    const second = await yoga.fetch(url)
    expect(second.status).toBe(200)
    expect(await second.text()).toBe(body)
    expect(second.headers.get("etag")).toBe(etag)
    expect(blog.take()).toEqual({})
    // Answered before execution: not even the fragment cache was asked.
    expect(hits).toEqual([])
    const revalidated = await yoga.fetch(url, { headers: { "if-none-match": etag! } })
    expect(revalidated.status).toBe(304)
    // After a change and a refill, the old ETag alone gets the new body.
    await yoga.fetch("http://yoga/graphql", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: `mutation { renamePost(id: "2", title: "Changed") { id } }` })
    })
    await yoga.fetch(url)
    const after = await yoga.fetch(url, { headers: { "if-none-match": etag! } })
    expect(after.status).toBe(200)
    expect(after.headers.get("etag")).not.toBe(etag)
    expect(await after.text()).toContain("Changed")
  })

  it("responses showing per-user fragments are never kept whole", async () => {
    const { yoga } = setup()
    const url = `http://yoga/graphql?query=${encodeURIComponent("{ me { name } }")}`
    const ada = await yoga.fetch(url, { headers: { "x-user": "1" } })
    expect(ada.headers.get("etag")).toBeNull()
    expect(await ada.json()).toMatchObject({ data: { me: { name: "Ada" } } })
    const grace = await yoga.fetch(url, { headers: { "x-user": "2" } })
    expect(await grace.json()).toMatchObject({ data: { me: { name: "Grace" } } })
  })

  it("a @cachet/promise handle as the cache: its invalidate reaches the fragments", async () => {
    const blog = makeBlog()
    const cache = createCache({ store: "memory", ttl: "1 minute" })
    try {
      const yoga = createYoga({
        schema: createSchema({ typeDefs, resolvers: blog.resolvers }),
        plugins: [useCachet({ cache })],
        logging: false
      })
      const titles = async () => {
        const response = await yoga.fetch("http://yoga/graphql", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ query: feed })
        })
        return ((await response.json()) as { data: { posts: Array<{ title: string }> } }).data.posts.map((p) => p.title)
      }
      expect(await titles()).toEqual(["Post 1", "Post 2"])
      expect(blog.take()["Query.posts"]).toBe(1)
      expect(await titles()).toEqual(["Post 1", "Post 2"])
      expect(blog.take()).toEqual({})
      blog.posts[0]!.title = "Edited elsewhere"
      await cache.invalidate([GraphQLCache.entityTag("Post", "1")])
      expect(await titles()).toEqual(["Edited elsewhere", "Post 2"])
      await yoga.dispose()
    } finally {
      await cache.close()
    }
  })
})

describe("useCachet with cacheControl: true", () => {
  const hinted = `${typeDefs}
    enum CacheControlScope { PUBLIC PRIVATE }
    directive @cacheControl(maxAge: Int, scope: CacheControlScope) on FIELD_DEFINITION | OBJECT
    type Hinted { id: ID! value: String! }
    extend type Query {
      hinted: Hinted @cacheFragment @cacheControl(maxAge: 42)
      mine: Hinted @cacheFragment @cacheControl(scope: PRIVATE)
    }`

  const make = (session: boolean) => {
    let calls = 0
    const blog = makeBlog()
    const runtime = ManagedRuntime.make(Cache.layer().pipe(Layer.provide(MemoryStore.layer())))
    runtimes.push(runtime)
    const yoga = createYoga({
      schema: createSchema({
        typeDefs: hinted,
        resolvers: {
          ...blog.resolvers,
          Query: {
            ...blog.resolvers.Query,
            hinted: () => ({ id: "h", value: "hint" }),
            mine: (_: unknown, __: unknown, context: { readonly request: Request }) => {
              calls++
              return { id: "m", value: context.request.headers.get("x-user") ?? "nobody" }
            }
          }
        }
      }),
      plugins: [
        useCachet<{ readonly request: Request }>({
          cache: runtime,
          cacheControl: true,
          ...(session ? { session: (context) => context.request.headers.get("x-user") } : {})
        })
      ],
      logging: false
    })
    const get = (query: string, user: string) =>
      yoga.fetch(`http://yoga/graphql?query=${encodeURIComponent(query)}`, { headers: { "x-user": user } })
    return { get, calls: () => calls }
  }

  it("maxAge is the fragment's ttl (the whole response's Cache-Control shows it)", async () => {
    const { get } = make(true)
    const response = await get(`{ hinted { value } }`, "1")
    const maxAge = Number(/max-age=(\d+)/.exec(response.headers.get("cache-control") ?? "")?.[1])
    expect(maxAge).toBeGreaterThan(40)
    expect(maxAge).toBeLessThanOrEqual(42)
  })

  it("scope PRIVATE keeps the fragment per session, and uncached without a session", async () => {
    const withSession = make(true)
    expect(await (await withSession.get(`{ mine { value } }`, "1")).json()).toEqual({ data: { mine: { value: "1" } } })
    expect(await (await withSession.get(`{ mine { value } }`, "2")).json()).toEqual({ data: { mine: { value: "2" } } })
    expect(await (await withSession.get(`{ mine { value } }`, "2")).json()).toEqual({ data: { mine: { value: "2" } } })
    expect(withSession.calls()).toBe(2)
    const without = make(false)
    expect(await (await without.get(`{ mine { value } }`, "1")).json()).toEqual({ data: { mine: { value: "1" } } })
    expect(await (await without.get(`{ mine { value } }`, "2")).json()).toEqual({ data: { mine: { value: "2" } } })
    expect(without.calls()).toBe(2)
  })
})

describe("useCachet: reads racing a mutation", () => {
  it("a GET response computed before a mutation is not kept whole as fresh after it", async () => {
    const racing = racingPost()
    const runtime = ManagedRuntime.make(Cache.layer().pipe(Layer.provide(MemoryStore.layer())))
    runtimes.push(runtime)
    const yoga = createYoga({
      schema: createSchema({ typeDefs: racing.typeDefs, resolvers: racing.resolvers }),
      plugins: [useCachet({ cache: runtime })],
      logging: false
    })
    const url = `http://yoga/graphql?query=${encodeURIComponent(racing.read)}`
    const read = async () => (await (await yoga.fetch(url)).json()) as { data?: unknown }
    const first = read()
    await racing.dataRead.promise
    const renamed = await yoga.fetch("http://yoga/graphql", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: racing.rename })
    })
    expect(await renamed.json()).toEqual({ data: { renamePost: { id: "1", title: "New" } } })
    racing.gate.open()
    // Sent before the mutation answered: the old title is its right answer; the next is not.
    expect((await first).data).toEqual({ post: { id: "1", title: "Old" } })
    expect((await read()).data).toEqual({ post: { id: "1", title: "New" } })
  })
})
