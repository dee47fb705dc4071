/**
 * One tag model for REST and GraphQL: the app's typed tags (`Tags.ts`) are the strings
 * `@cachet/graphql` puts on fragments, so a REST write of an entity's field invalidates exactly
 * the GraphQL fragments that show that field, and a GraphQL mutation the REST reads of the
 * entity it changed.
 */
import { Tag } from "@cachet/core"
import { GraphQLCache } from "@cachet/graphql"
import type { GraphQLObjectType } from "graphql"
import { afterAll, beforeAll, describe, expect, it } from "vitest"

import { schema } from "../src/GraphQL/Schema.js"
import { tags } from "../src/Tags.js"
import { type Server, start, testEnv } from "./harness.js"

describe("the tag vocabulary", () => {
  it("is @cachet/graphql's entity tree, over the schema's types and fields", () => {
    expect(Tag.toString(tags.User("1"))).toBe(GraphQLCache.entityTag("User", "1"))
    expect(Tag.toString(tags.User("1").$fields)).toBe(GraphQLCache.ownFieldsTag("User", "1"))
    expect(Tag.toString(tags.User("1").posts)).toBe(GraphQLCache.fieldTag("User", "1", "posts"))
    expect(Tag.toString(tags.Post("7"))).toBe("Post/7")
    expect(Tag.toString(tags.Post("7").$fields)).toBe(GraphQLCache.ownFieldsTag("Post", "7"))
    expect(Tag.toString(tags.Post("7").comments)).toBe(GraphQLCache.fieldTag("Post", "7", "comments"))
    expect(Tag.toString(tags.Comment("3"))).toBe(GraphQLCache.entityTag("Comment", "3"))
    expect(Tag.toString(tags.Query.posts)).toBe("Query/posts")
    // Every name in the tree is a type of the schema with that field.
    const fields = (type: string) => Object.keys((schema.getType(type) as GraphQLObjectType).getFields())
    expect(fields("User")).toContain("posts")
    expect(fields("Post")).toContain("comments")
    expect(fields("Comment")).toContain("id")
    expect(fields("Query")).toContain("posts")
  })
})

describe("one tag model over HTTP", () => {
  let server: Server
  beforeAll(async () => {
    server = await start(testEnv({ CACHE_STORE: "memory" }))
  })
  afterAll(() => server?.close())

  const gql = async (query: string) => {
    const response = await server.post("/graphql", { query })
    expect(response.json.errors).toBeUndefined()
    return response.json as {
      readonly data: any
      readonly extensions: { readonly cachet: { readonly hits: number; readonly misses: number } }
    }
  }
  const cachet = async (query: string) => (await gql(query)).extensions.cachet

  const title = (id: string) => `{ post(id: "${id}") { title } }`
  const comments = (id: string) => `{ post(id: "${id}") { comments { body } } }`

  it("a REST write of a post's comments invalidates the fragments showing them, and nothing unrelated", async () => {
    for (const query of [title("12"), comments("12"), comments("13")]) await gql(query)
    for (const query of [title("12"), comments("12"), comments("13")]) {
      expect(await cachet(query)).toMatchObject({ misses: 0 })
    }
    const created = await server.post("/posts/12/comments", { authorId: "2", body: "via REST, tag model" })
    expect(created.status).toBe(201)
    // Post 12's own fields did not change: that fragment hits.
    expect(await cachet(title("12"))).toEqual({ hits: 1, misses: 0, writes: 0 })
    // Post 12's comments: the root fragment and the `Post.comments` fragment in it miss.
    const after = await gql(comments("12"))
    expect(after.extensions.cachet).toMatchObject({ hits: 0, misses: 2 })
    expect(after.data.post.comments.map((c: { body: string }) => c.body)).toContain("via REST, tag model")
    // Another post's comments: untouched.
    expect(await cachet(comments("13"))).toEqual({ hits: 1, misses: 0, writes: 0 })
  })

  it("a GraphQL mutation invalidates the REST read of the entity it changed, and not another's", async () => {
    for (const path of ["/posts/15", "/posts/16", "/users/3"]) await server.get(path)
    expect((await server.get("/posts/15")).cache).toBe("HIT")
    await gql(`mutation { updatePost(id: "15", title: "Retitled by GraphQL") { id title } }`)
    const rest = await server.get("/posts/15")
    expect(rest.cache).toBe("MISS")
    expect(rest.json.title).toBe("Retitled by GraphQL")
    expect((await server.get("/posts/16")).cache).toBe("HIT")
    await gql(`mutation { updateUser(id: "3", name: "Renamed by GraphQL") { id } }`)
    const user = await server.get("/users/3")
    expect(user.cache).toBe("MISS")
    expect(user.json.name).toBe("Renamed by GraphQL")
  })

  it("a GraphQL mutation invalidates the entity it returns as a whole (invalidateMutations)", async () => {
    // A REST update of a user's own fields leaves their post list cached...
    for (const path of ["/users/4/posts", "/users/5/posts"]) await server.get(path)
    expect((await server.patch("/users/4", { name: "Renamed by REST" })).status).toBe(200)
    expect((await server.get("/users/4/posts")).cache).toBe("HIT")
    // ...the GraphQL mutation's result names `User/4`, which covers `User/4/posts` too.
    await gql(`mutation { updateUser(id: "4", name: "Renamed by GraphQL") { id } }`)
    expect((await server.get("/users/4/posts")).cache).toBe("MISS")
    expect((await server.get("/users/5/posts")).cache).toBe("HIT")
  })
})
