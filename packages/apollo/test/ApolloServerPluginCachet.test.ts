import { ApolloServer } from "@apollo/server"
import { ApolloServerPluginCachet } from "@cachet/apollo"
import { Cache, MemoryStore } from "@cachet/core"
import { afterEach, describe, expect, it } from "@effect/vitest"
import { Effect, Layer, ManagedRuntime } from "effect"

import {
  feed,
  latch,
  makeBlog,
  pluginCases,
  racingPost,
  titles,
  typeDefs
} from "../../graphql/test/fixtures/serverBlog.js"
import type { Answer } from "../../graphql/test/fixtures/serverBlog.js"

interface Context {
  readonly request: Request
}

const stops: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop()
})

const setup = async (options: { readonly mutations?: "entities" | "off" } = {}) => {
  const blog = makeBlog()
  const runtime = ManagedRuntime.make(Cache.layer().pipe(Layer.provide(MemoryStore.layer())))
  const invalidated: Array<ReadonlyArray<string>> = []
  const plugin = ApolloServerPluginCachet<Context>({
    cache: runtime,
    extensions: true,
    ...(options.mutations === undefined ? {} : { mutations: options.mutations }),
    session: (context) => context.request.headers.get("x-user"),
    onInvalidate: ({ tags }) => invalidated.push(tags)
  })
  const server = new ApolloServer<Context>({ typeDefs, resolvers: blog.resolvers, plugins: [plugin] })
  await server.start()
  stops.push(async () => {
    await server.stop()
    await runtime.dispose()
  })
  const post = async (query: string, headers: Record<string, string> = {}): Promise<Answer> => {
    const response = await server.executeOperation(
      { query },
      { contextValue: { request: new Request("http://apollo/graphql", { headers }) } }
    )
    if (response.body.kind !== "single") throw new Error("expected a single result")
    return response.body.singleResult as Answer
  }
  const stats = () => runtime.runPromise(Effect.flatMap(Cache.Cache, (cache) => cache.stats))
  return { blog, server, post, plugin, stats, invalidated }
}

describe("ApolloServerPluginCachet with Apollo Server", () => {
  pluginCases(setup)

  it("a repeated query runs no resolver at or below a hit, and answers the same", async () => {
    const { blog, post } = await setup()
    const first = await post(feed)
    expect(first.errors).toBeUndefined()
    expect(blog.take()["Query.posts"]).toBe(1)
    const second = await post(feed)
    expect(second.data).toEqual(first.data)
    expect(blog.take()).toEqual({})
    expect(second.extensions?.cachet?.hits).toBe(1)
    const other = await post(`{ posts(first: 2) { title comments { body author { name } } } }`)
    const calls = blog.take()
    expect(calls["Query.posts"]).toBe(1)
    expect(calls["Post.comments"]).toBeUndefined()
    expect(calls["Comment.author"]).toBeUndefined()
    expect(other.extensions?.cachet?.hits).toBe(2)
  })

  it("a mutation's returned entities, and the lists that hold them, are fresh on the next read", async () => {
    const { invalidated, post } = await setup()
    await post(feed)
    await post(`mutation { renamePost(id: "1", title: "Renamed") { id title } }`)
    expect(invalidated.at(-1)).toContain("Post/1")
    expect(titles(await post(feed))).toEqual(["Renamed", "Post 2"])
    await post(`mutation { addComment(postId: "2", body: "New") { id post { id } } }`)
    expect(invalidated.at(-1)).toContain("Post/2/comments")
    const after = await post(feed)
    const comments = (after.data!["posts"] as Array<{ comments: Array<{ body: string }> }>)[1]!.comments
    expect(comments.map((c) => c.body)).toEqual(["New"])
  })
})

describe("ApolloServerPluginCachet: reads racing a mutation", () => {
  it("a read sent after a mutation answered never gets a fragment computed before it", async () => {
    let stamps = 0
    const racing = racingPost()
    const secondMissed = latch()
    // The cache counts stamp reads: a read takes its stamp right after it missed, just before
    // it looks for another request's computation of the fragment to wait for.
    const counted = Layer.effect(
      Cache.Cache,
      Effect.map(Cache.Cache, (cache): Cache.Service => ({
        ...cache,
        stamp: Effect.tap(cache.stamp, () =>
          Effect.sync(() => {
            if (++stamps === 2) secondMissed.open()
          }))
      }))
    ).pipe(Layer.provide(Cache.layer().pipe(Layer.provide(MemoryStore.layer()))))
    const server = new ApolloServer({
      typeDefs: racing.typeDefs,
      resolvers: racing.resolvers,
      plugins: [ApolloServerPluginCachet({ cache: counted })]
    })
    await server.start()
    stops.push(() => server.stop())
    const send = async (query: string) => {
      const response = await server.executeOperation({ query })
      if (response.body.kind !== "single") throw new Error("expected a single result")
      return response.body.singleResult
    }
    const first = send(racing.read)
    await racing.dataRead.promise
    const renamed = await send(racing.rename)
    expect(renamed.data).toEqual({ renamePost: { id: "1", title: "New" } })
    const second = send(racing.read)
    await secondMissed.promise
    racing.gate.open()
    // The first read started before the mutation: the old title is its right answer. The
    // second was sent after the mutation answered: it computes the fragment itself.
    expect((await first).data).toEqual({ post: { id: "1", title: "Old" } })
    expect((await second).data).toEqual({ post: { id: "1", title: "New" } })
    expect(racing.calls()).toBe(2)
    expect((await send(racing.read)).data).toEqual({ post: { id: "1", title: "New" } })
  })
})
