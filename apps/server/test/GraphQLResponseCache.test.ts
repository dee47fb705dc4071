/**
 * `GET /graphql` through `@cachet/http` against the real app: repeated GETs are served whole
 * (`X-Cache: HIT`, `ETag` / `304`), REST writes that change what a stored response shows make
 * the next GET show the change (a root entity, a nested fragment's entity, a nested list),
 * responses with an uncached root field and POSTs are never served from it, and — a property —
 * every GET body's `data` equals what the same app with the cache off answers at that moment
 * (both servers on one database).
 */
import { FastCheck as fc } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"

import { type Response, type Server, start, testEnv } from "./harness.js"

describe("GET /graphql through the response cache", () => {
  let server: Server
  let uncached: Server
  beforeAll(async () => {
    const env = testEnv({ CACHET_STORE: "memory" })
    server = await start(env)
    uncached = await start({ ...env, CACHET_ENABLED: "false" })
  })
  afterAll(async () => {
    await server?.close()
    await uncached?.close()
  })

  const path = (query: string, variables?: Record<string, unknown>) =>
    `/graphql?query=${encodeURIComponent(query)}${
      variables === undefined ? "" : `&variables=${encodeURIComponent(JSON.stringify(variables))}`
    }`
  const get = (
    query: string,
    variables?: Record<string, unknown>,
    headers: Record<string, string> = {}
  ): Promise<Response> => server.get(path(query, variables), headers)
  const data = (response: Response) => (response.json as { data?: unknown }).data

  const postQuery = (id: string) =>
    `{ post(id: "${id}") { id title body author { id name } comments { id body author { id name } } } }`

  it("a repeated GET is a HIT with the same data, the same bytes and no per-request counts", async () => {
    const query = postQuery("2")
    const first = await get(query)
    expect(first.status).toBe(200)
    expect(first.cache).toBe("MISS")
    const second = await get(query)
    expect(second.cache).toBe("HIT")
    expect(data(second)).toEqual(data(first))
    expect(second.text).toBe(first.text)
    expect((second.json as { extensions: unknown }).extensions).toEqual({ cachet: { response: "stored" } })
    expect(second.headers.get("content-type")).toContain("application/graphql-response+json")
    expect(second.headers.get("vary")).toBe("Accept")
    expect(second.headers.get("cache-control")).toMatch(/max-age=\d+/)
    expect(second.headers.get("age")).toMatch(/^\d+$/)
  })

  it("answers If-None-Match with 304 (and a changed response with 200)", async () => {
    const query = postQuery("3")
    const first = await get(query)
    const etag = first.headers.get("etag")!
    expect(etag).toMatch(/^W\/"/)
    const revalidated = await get(query, undefined, { "if-none-match": etag })
    expect(revalidated.status).toBe(304)
    expect(revalidated.text).toBe("")
    expect((await get(query, undefined, { "if-none-match": `"other", ${etag}` })).status).toBe(304)
    expect((await server.patch("/posts/3", { title: "Retitled three" })).status).toBe(200)
    const changed = await get(query, undefined, { "if-none-match": etag })
    expect(changed.status).toBe(200)
    expect((data(changed) as { post: { title: string } }).post.title).toBe("Retitled three")
  })

  it("a root entity change: the next GET shows the new title", async () => {
    const query = `{ post(id: "4") { id title } }`
    await get(query)
    expect((await get(query)).cache).toBe("HIT")
    expect((await server.patch("/posts/4", { title: "Four, edited" })).status).toBe(200)
    const after = await get(query)
    expect(after.cache).toBe("MISS")
    expect(data(after)).toEqual({ post: { id: "4", title: "Four, edited" } })
  })

  it("a nested list change: a new comment on a post shown with its comments", async () => {
    const query = postQuery("5")
    const before = data(await get(query)) as { post: { comments: Array<{ body: string }> } }
    expect((await get(query)).cache).toBe("HIT")
    const created = await server.post("/posts/5/comments", { authorId: "1", body: "A brand new comment" })
    expect(created.status).toBe(201)
    const after = await get(query)
    expect(after.cache).toBe("MISS")
    const comments = (data(after) as { post: { comments: Array<{ body: string }> } }).post.comments
    expect(comments).toHaveLength(before.post.comments.length + 1)
    expect(comments.at(-1)!.body).toBe("A brand new comment")
  })

  it("a nested fragment's entity change: the author's new name, under a post and under a user", async () => {
    const post = data(await get(`{ post(id: "6") { author { id } } }`)) as { post: { author: { id: string } } }
    const authorId = post.post.author.id
    const query =
      `query($p: ID!, $u: ID!) { post(id: $p) { title author { name } } user(id: $u) { name posts { id } } }`
    const variables = { p: "6", u: authorId }
    await get(query, variables)
    expect((await get(query, variables)).cache).toBe("HIT")
    expect((await server.patch(`/users/${authorId}`, { name: "Renamed Author" })).status).toBe(200)
    const after = data(await get(query, variables)) as { post: { author: { name: string } }; user: { name: string } }
    expect(after.post.author.name).toBe("Renamed Author")
    expect(after.user.name).toBe("Renamed Author")
  })

  it("a query with an uncached root field (the posts connection) is never served from it", async () => {
    const query = `{ posts(first: 2) { edges { node { id title } } } post(id: "1") { title } }`
    const first = await get(query)
    const second = await get(query)
    expect(first.cache).toBeNull()
    expect(second.cache).toBeNull()
    const created = await server.post("/users/1/posts", { title: "Newest post", body: "Body of the newest post." })
    expect(created.status).toBe(201)
    const after = data(await get(query)) as { posts: { edges: Array<{ node: { title: string } }> } }
    expect(after.posts.edges[0]!.node.title).toBe("Newest post")
  })

  it("POST is never answered from it", async () => {
    const query = postQuery("7")
    await get(query)
    expect((await get(query)).cache).toBe("HIT")
    const posted = await server.post("/graphql", { query })
    expect(posted.cache).toBeNull()
    expect((posted.json as { extensions: { cachet: { hits: number } } }).extensions.cachet.hits).toBeGreaterThan(0)
  })

  it("property: every GET's data equals the uncached app's answer at that moment", async () => {
    // Few ids, so that reads and writes meet often.
    const posts = ["8", "9"]
    const users = ["1", "2"]
    const comments: Array<string> = []
    const read = fc.oneof(
      fc.constantFrom(...posts).map((id) => ({ _tag: "read" as const, query: postQuery(id) })),
      fc.constantFrom(...users).map((id) => ({
        _tag: "read" as const,
        query: `{ user(id: "${id}") { id name posts { id title comments { id } } } }`
      })),
      fc.tuple(fc.constantFrom(...posts), fc.constantFrom(...users)).map(([p, u]) => ({
        _tag: "read" as const,
        query: `{ a: post(id: "${p}") { title author { name } comments { body } } b: user(id: "${u}") { name } }`
      })),
      fc.constant({
        _tag: "read" as const,
        query: `{ posts(first: 2) { edges { node { id title author { name } } } } }`
      })
    )
    const write = fc.oneof(
      fc.tuple(fc.constantFrom(...posts), fc.nat(99)).map(([id, n]) => ({ _tag: "title" as const, id, n })),
      fc.tuple(fc.constantFrom(...users), fc.nat(99)).map(([id, n]) => ({ _tag: "name" as const, id, n })),
      fc.tuple(fc.constantFrom(...posts), fc.constantFrom(...users)).map(([id, author]) => ({
        _tag: "comment" as const,
        id,
        author
      })),
      fc.constant({ _tag: "uncomment" as const }),
      fc.constantFrom(...users).map((id) => ({ _tag: "newPost" as const, id }))
    )
    const steps = fc.array(fc.oneof({ arbitrary: read, weight: 3 }, { arbitrary: write, weight: 1 }), {
      minLength: 4,
      maxLength: 20
    })
    let hits = 0
    await fc.assert(
      fc.asyncProperty(steps, async (sequence) => {
        for (const step of sequence) {
          switch (step._tag) {
            case "read": {
              const cached = await get(step.query)
              if (cached.cache === "HIT") hits++
              expect(cached.status).toBe(200)
              expect(data(cached)).toEqual(data(await uncached.get(path(step.query))))
              break
            }
            case "title":
              expect((await server.patch(`/posts/${step.id}`, { title: `Title ${step.n}` })).status).toBe(200)
              break
            case "name":
              expect((await server.patch(`/users/${step.id}`, { name: `Name ${step.n}` })).status).toBe(200)
              break
            case "comment": {
              const created = await server.post(`/posts/${step.id}/comments`, {
                authorId: step.author,
                body: "A comment body"
              })
              expect(created.status).toBe(201)
              comments.push((created.json as { id: string }).id)
              break
            }
            case "uncomment": {
              const id = comments.pop()
              if (id !== undefined) expect((await server.del(`/comments/${id}`)).status).toBe(204)
              break
            }
            case "newPost":
              expect(
                (await server.post(`/users/${step.id}/posts`, { title: "A new post", body: "Its body text." })).status
              ).toBe(201)
              break
          }
        }
      }),
      { numRuns: 30 }
    )
    // The property says something only if responses were served from the cache.
    expect(hits).toBeGreaterThan(10)
  }, 60_000)
})
