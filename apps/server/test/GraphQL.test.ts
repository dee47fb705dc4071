/**
 * `/graphql` over real HTTP against the real app: the schema contract, the fragment cache's
 * hits and invalidation in both directions with REST, validation errors, GraphQL-over-HTTP
 * status codes, ETag/304, and hostile documents.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"

import { type Server, start, testEnv } from "./harness.js"

interface GraphQLResponse {
  readonly status: number
  readonly headers: Headers
  readonly body: {
    readonly data?: any
    readonly errors?: ReadonlyArray<{ readonly message: string; readonly extensions?: any }>
    readonly extensions?: {
      readonly cachet: { readonly hits: number; readonly misses: number; readonly writes: number }
    }
  }
}

describe("GraphQL over HTTP", () => {
  let server: Server
  beforeAll(async () => {
    server = await start(testEnv({ CACHET_STORE: "memory" }))
  })
  afterAll(() => server?.close())

  const gql = async (query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse> => {
    const response = await server.post("/graphql", { query, variables })
    return { status: response.status, headers: response.headers, body: response.json }
  }
  const gqlGet = async (query: string, headers: Record<string, string> = {}) =>
    server.get(`/graphql?query=${encodeURIComponent(query)}`, headers)

  const postComments = `query($a: ID!, $b: ID!) {
    a: post(id: $a) { id title author { name } comments { body author { name } } }
    b: post(id: $b) { id title author { name } comments { body author { name } } }
  }`

  it("answers the contract's queries with extensions.cachet, and hits on repeat", async () => {
    const query = `{
      post(id: "1") { id title body createdAt updatedAt author { id name email posts { id } } comments { id body createdAt author { id } post { id } } }
      user(id: "2") { id name posts { title } }
      posts(first: 3) { edges { cursor node { id title } } pageInfo { hasNextPage endCursor } }
    }`
    const first = await gql(query)
    expect(first.status).toBe(200)
    expect(first.headers.get("content-type")).toContain("application/graphql-response+json")
    expect(first.body.errors).toBeUndefined()
    expect(first.body.data.post.id).toBe("1")
    expect(first.body.data.posts.edges).toHaveLength(3)
    expect(first.body.data.posts.pageInfo).toMatchObject({ hasNextPage: true })
    expect(first.body.extensions?.cachet.misses).toBeGreaterThan(0)
    const second = await gql(query)
    expect(second.body.data).toEqual(first.body.data)
    expect(second.body.extensions?.cachet).toMatchObject({ misses: 0, writes: 0 })
    const page2 = await gql(`query($after: String) { posts(first: 3, after: $after) { edges { node { id } } } }`, {
      after: first.body.data.posts.pageInfo.endCursor
    })
    expect(page2.body.data.posts.edges[0].node.id).not.toBe(first.body.data.posts.edges[2].node.id)
  })

  it("a GraphQL mutation invalidates the fragments it affects: post 5's miss, post 6's hit", async () => {
    await gql(postComments, { a: "5", b: "6" })
    expect((await gql(postComments, { a: "5", b: "6" })).body.extensions?.cachet).toMatchObject({ hits: 2, misses: 0 })
    const added = await gql(
      `mutation { addComment(postId: "5", authorId: "3", body: "via GraphQL") { id body author { id } post { id } } }`
    )
    expect(added.body.errors).toBeUndefined()
    expect(added.body.data.addComment).toMatchObject({ body: "via GraphQL", author: { id: "3" }, post: { id: "5" } })
    const after = await gql(postComments, { a: "5", b: "6" })
    expect(after.body.extensions?.cachet.hits).toBeGreaterThanOrEqual(1)
    expect(after.body.extensions?.cachet.misses).toBeGreaterThanOrEqual(1)
    expect(after.body.data.a.comments.map((c: { body: string }) => c.body)).toContain("via GraphQL")
    const again = await gql(`{ post(id: "6") { id title author { name } comments { body author { name } } } }`)
    expect(again.body.extensions?.cachet).toMatchObject({ hits: 1, misses: 0 })
  })

  it("a REST write invalidates the GraphQL fragments it affects", async () => {
    await gql(postComments, { a: "7", b: "8" })
    const created = await server.post("/posts/7/comments", { authorId: "2", body: "via REST" })
    expect(created.status).toBeLessThan(300)
    const after = await gql(postComments, { a: "7", b: "8" })
    expect(after.body.data.a.comments.map((c: { body: string }) => c.body)).toContain("via REST")
    // Post 7 and its comments miss; post 8, and post 7's author (a fragment of its own), hit.
    expect(after.body.extensions?.cachet).toMatchObject({ hits: 2, misses: 2 })
    const author = after.body.data.b.author.name as string
    const authorId = (await gql(`{ post(id: "8") { author { id } } }`)).body.data.post.author.id as string
    const renamed = await server.patch(`/users/${authorId}`, { name: `${author} Renamed` })
    expect(renamed.status).toBe(200)
    const renamedAfter = await gql(postComments, { a: "7", b: "8" })
    expect(renamedAfter.body.data.b.author.name).toBe(`${author} Renamed`)
  })

  it("a GraphQL mutation invalidates the REST entries it affects", async () => {
    await server.get("/posts/9")
    expect((await server.get("/posts/9")).cache).toBe("HIT")
    await gql(`mutation { addComment(postId: "9", authorId: "1", body: "seen by REST") { id } }`)
    const rest = await server.get("/posts/9")
    expect(rest.cache).toBe("MISS")
    expect(rest.json.comments.map((c: { body: string }) => c.body)).toContain("seen by REST")
    const user = await gql(`mutation { updatePost(id: "9", title: "Retitled by GraphQL") { title } }`)
    expect(user.body.data.updatePost.title).toBe("Retitled by GraphQL")
    expect((await server.get("/posts/9")).json.title).toBe("Retitled by GraphQL")
    expect((await gql(`{ post(id: "9") { title } }`)).body.data.post.title).toBe("Retitled by GraphQL")
  })

  it("validation failures are GraphQL errors with BAD_USER_INPUT and the full errors list", async () => {
    const response = await gql(`mutation { createUser(name: "A", email: "not an email") { id } }`)
    expect(response.status).toBe(200)
    const error = response.body.errors?.[0]
    expect(error?.extensions?.code).toBe("BAD_USER_INPUT")
    expect(error?.extensions?.errors.map((e: { field: string }) => e.field).sort()).toEqual(["email", "name"])
    const missing = await gql(`mutation { updatePost(id: "99999", title: "x") { id } }`)
    expect(missing.body.errors?.[0]?.extensions?.code).toBe("NOT_FOUND")
    const created = await gql(
      `mutation { createUser(name: "Grace Hopper", email: "grace-${process.pid}@example.com") { id name } }`
    )
    expect(created.body.data.createUser.name).toBe("Grace Hopper")
    expect((await gql(`{ posts(first: 0) { edges { cursor } } }`)).body.errors?.[0]?.extensions?.code).toBe(
      "BAD_USER_INPUT"
    )
  })

  it("a missing post is cached as null until a new post is created", async () => {
    const next = await gql(`{ posts(first: 1) { edges { node { id } } } }`)
    const nextId = String(Number(next.body.data.posts.edges[0].node.id) + 1)
    expect((await gql(`{ post(id: "${nextId}") { title } }`)).body.data.post).toBeNull()
    expect((await gql(`{ post(id: "${nextId}") { title } }`)).body.extensions?.cachet.hits).toBe(1)
    const created = await gql(`mutation { createPost(userId: "1", title: "Brand new", body: "text") { id } }`)
    expect(created.body.data.createPost.id).toBe(nextId)
    expect((await gql(`{ post(id: "${nextId}") { title } }`)).body.data.post).toEqual({ title: "Brand new" })
  })

  it("GET: queries only (405 for mutations), ETag and 304 when served entirely from cache", async () => {
    const query = `{ post(id: "11") { title author { name } } }`
    await gqlGet(query)
    const cached = await gqlGet(query)
    expect(cached.status).toBe(200)
    const etag = cached.headers.get("etag")
    expect(etag).toMatch(/^W\//)
    expect((await gqlGet(query, { "if-none-match": etag! })).status).toBe(304)
    const mutation = await gqlGet(`mutation { deleteComment(id: "1") }`)
    expect(mutation.status).toBe(405)
  })

  it("cost limits: 2,000 aliases and a fan-out of lists are answered 400 before they run", async () => {
    const aliases = await gql(`{ ${Array.from({ length: 2_000 }, (_, i) => `a${i}: __typename`).join(" ")} }`)
    expect(aliases.status).toBe(400)
    expect(aliases.body.data).toBeUndefined()
    expect(aliases.body.errors?.map((error) => error.extensions?.limit)).toContain("maxAliases")
    expect(aliases.body.errors?.every((error) => error.extensions?.code === "COST_LIMIT_EXCEEDED")).toBe(true)
    // 100 posts × 10 comments (assumed) × their authors' 10 posts × 10 comments: over 100,000 resolutions.
    const fanOut = await gql(
      `{ posts(first: 100) { edges { node { comments { author { posts { comments { body } } } } } } } }`
    )
    expect(fanOut.status).toBe(400)
    expect(fanOut.body.errors?.map((error) => error.extensions?.limit)).toEqual(["maxCost"])
    // What a page of the blog reads stays well within.
    const page = await gql(`{ posts(first: 20) { edges { node { title author { name } comments { body } } } } }`)
    expect(page.status).toBe(200)
    expect(page.body.data.posts.edges).toHaveLength(20)
  })

  it("hostile documents are answered without a 500 or a crash", async () => {
    const deep = `{ post(id: "1") { ${"author { posts { ".repeat(30)}id${" } }".repeat(30)} } }`
    const aliases = `{ ${Array.from({ length: 20_000 }, (_, i) => `a${i}: __typename`).join(" ")} }`
    const huge = "x".repeat(1_000_000)
    const cases: Array<Promise<{ status: number }>> = [
      server.post("/graphql", { query: deep }),
      server.post("/graphql", { query: aliases }),
      server.post("/graphql", {
        query: `mutation($b: String!) { createPost(userId: "1", title: "t", body: $b) { id } }`,
        variables: { b: huge }
      }),
      server.post("/graphql", { query: `{ post(id: "${huge}") { id } }` }),
      server.request("POST", "/graphql", { rawBody: "{not json", headers: { "content-type": "application/json" } }),
      server.post("/graphql", { query: 42 }),
      server.post("/graphql", { query: `{ __schema { types { name } } }` }),
      server.post("/graphql", {
        query: `fragment A on Post { ...B } fragment B on Post { ...A } { post(id: "1") { ...A } }`
      }),
      server.get(`/graphql?query=${encodeURIComponent("{ post(id: ")}`)
    ]
    for (const response of await Promise.all(cases)) {
      expect(response.status).toBeGreaterThanOrEqual(200)
      expect(response.status).toBeLessThan(500)
    }
    expect((await server.get("/health")).status).toBe(200)
  })
})

describe("GraphQL limits from the settings", () => {
  it("CACHET_GRAPHQL_MAX_ALIASES and CACHET_GRAPHQL_MAX_COST set the limits", async () => {
    const limited = await start(
      testEnv({ CACHET_STORE: "memory", CACHET_GRAPHQL_MAX_ALIASES: "2", CACHET_GRAPHQL_MAX_COST: "15" })
    )
    try {
      const gql = async (query: string) => (await limited.post("/graphql", { query })).json
      expect((await gql(`{ a: __typename b: __typename }`)).data).toEqual({ a: "Query", b: "Query" })
      const aliases = await gql(`{ a: __typename b: __typename c: __typename }`)
      expect(aliases.errors.map((error: { extensions: { limit: string } }) => error.extensions.limit)).toEqual([
        "maxAliases"
      ])
      const cost = await gql(`{ posts(first: 10) { edges { node { title } } } }`)
      // posts + edges + 10 × (node + title) = 22
      expect(cost.errors[0].extensions).toMatchObject({ limit: "maxCost", max: 15, value: 22 })
    } finally {
      await limited.close()
    }
  })
})
