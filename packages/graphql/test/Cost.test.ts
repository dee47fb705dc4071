/**
 * The cost model: what it counts (fields, aliases, depth, resolutions with lists multiplied by
 * their size), and that an operation over a limit is answered with GraphQL errors before any
 * resolver runs — over HTTP (`GraphQLHttp`, limits on by default) and through `execute`'s
 * `cost` option. Batches and fragment cycles stay rejected.
 */
import { Cache, MemoryStore } from "@cachet/core"
import { HttpClient, HttpClientRequest, HttpServer } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { parse } from "graphql"

import { Cost, GraphQLCache, GraphQLHttp } from "../src/index.js"
import { makeBlog } from "./blog.js"

const blog = makeBlog()
const analyze = (query: string, variables?: Record<string, unknown>, limits?: Cost.Limits) =>
  Cost.analyze(blog.schema, parse(query), { variableValues: variables }, limits)

const aliases = (count: number) =>
  `{ ${Array.from({ length: count }, (_, i) => `a${i}: post(id: "1") { id }`).join(" ")} }`

describe("Cost.analyze", () => {
  it("counts fields, aliases and depth, fragments expanded", () => {
    expect(analyze(`{ post(id: "1") { id title } }`)).toEqual({ cost: 3, fields: 3, aliases: 0, depth: 2 })
    expect(analyze(`{ a: post(id: "1") { ...F } b: post(id: "2") { ...F } } fragment F on Post { id title }`))
      .toEqual({ cost: 6, fields: 6, aliases: 2, depth: 2 })
    expect(analyze(aliases(2_000))).toMatchObject({ fields: 4_000, aliases: 2_000 })
  })

  it("multiplies a list by its size argument, its argument's default, a variable, or the default size", () => {
    // posts (1) + 5 × (id + comments (1) + 2 × body)
    expect(analyze(`{ posts(limit: 5) { id comments(first: 2) { body } } }`).cost).toBe(1 + 5 * (2 + 2))
    expect(analyze(`query($n: Int) { posts(limit: $n) { id } }`, { n: 7 }).cost).toBe(1 + 7)
    expect(analyze(`query($n: Int = 3) { posts(limit: $n) { id } }`).cost).toBe(1 + 3)
    expect(analyze(`{ posts { id } }`).cost).toBe(1 + 10)
    expect(analyze(`{ posts { id } }`, undefined, { defaultListSize: 50 }).cost).toBe(1 + 50)
    // Lists of lists multiply.
    expect(analyze(`{ posts(limit: 100) { comments(first: 100) { author { posts { id } } } } }`).cost)
      .toBe(1 + 100 * (1 + 100 * (1 + 1 + 10 * 1)))
  })

  it("a fragment that doubles at each level is analyzed once per level, and its size is exact", () => {
    const levels = 20
    const fragments = Array.from(
      { length: levels },
      (_, i) => `fragment F${i} on Post { ${i === levels - 1 ? "id" : `...F${i + 1} a${i}: author { id } `} }`
    )
    // Without expansion memoized this would be 2^20 fields; it is linear: each level adds author + id.
    const query = `{ post(id: "1") { ...F0 } } ${fragments.join(" ")}`
    expect(analyze(query)).toMatchObject({ fields: 1 + 2 * (levels - 1) + 1, aliases: levels - 1 })
    // Each level selects the next twice: 2^20 fields from a document of 20 lines, counted, not expanded.
    const bomb = `{ post(id: "1") { ...B0 } } ${
      Array.from({ length: levels }, (_, i) =>
        `fragment B${i} on Post { ${
          i === levels - 1 ? "id" : `x: author { posts { ...B${i + 1} } } y: author { posts { ...B${i + 1} } }`
        } }`).join(" ")
    }`
    const analysis = analyze(bomb)
    expect(analysis.fields).toBe(1 + 4 * (2 ** (levels - 1) - 1) + 2 ** (levels - 1))
    expect(Cost.check(blog.schema, parse(bomb)).map((error) => error.extensions?.["limit"]))
      .toEqual(["maxAliases", "maxFields", "maxDepth", "maxCost"])
  })

  it("introspection lists are not multiplied", () => {
    const introspection = analyze(`{ __schema { types { name fields { name args { name } } } } }`)
    expect(introspection).toMatchObject({ cost: 7, fields: 7 })
  })

  it("check answers one error per limit passed, with the limit in its extensions", () => {
    expect(Cost.check(blog.schema, parse(`{ post(id: "1") { id } }`))).toEqual([])
    const errors = Cost.check(blog.schema, parse(aliases(2_000)))
    expect(errors.map((error) => error.extensions)).toEqual([
      { code: "COST_LIMIT_EXCEEDED", limit: "maxAliases", max: 100, value: 2_000 },
      { code: "COST_LIMIT_EXCEEDED", limit: "maxFields", max: 500, value: 4_000 }
    ])
    const limited = Cost.check(blog.schema, parse(`{ posts(limit: 30) { id } }`), {}, { maxCost: 20 })
    expect(limited.map((error) => error.extensions?.["limit"])).toEqual(["maxCost"])
    expect(limited[0]!.message).toContain("31")
  })
})

const ServerLive = HttpServer.serve(
  GraphQLHttp.router({ schema: blog.schema, cost: { maxAliases: 20, maxCost: 1_000 } })
).pipe(
  Layer.provide(Layer.mergeAll(Cache.layer().pipe(Layer.provide(MemoryStore.layer())), GraphQLCache.layer())),
  Layer.provideMerge(NodeHttpServer.layerTest)
)

const post = (body: unknown) =>
  Effect.flatMap(
    HttpClient.execute(
      HttpClientRequest.post("/graphql").pipe(
        HttpClientRequest.bodyText(typeof body === "string" ? body : JSON.stringify(body), "application/json")
      )
    ),
    (response) =>
      Effect.map(response.json, (json) => ({
        status: response.status,
        json: json as { data?: unknown; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> }
      }))
  )

describe("GraphQLHttp cost limits", () => {
  it.layer(ServerLive)((it) => {
    it.effect("900 aliases of a field (2,000 of __typename) are answered 400 with the limits' errors; no resolver runs", () =>
      Effect.gen(function*() {
        const before = blog.calls.get("Query.post") ?? 0
        const typenames = yield* post({
          query: `{ ${Array.from({ length: 2_000 }, (_, i) => `a${i}: __typename`).join(" ")} }`
        })
        expect(typenames.status).toBe(400)
        expect(typenames.json.errors?.map((error) => error.extensions?.["limit"])).toEqual([
          "maxAliases",
          "maxFields",
          "maxCost"
        ])
        const answer = yield* post({ query: aliases(900) })
        expect(answer.status).toBe(400)
        expect(answer.json.data).toBeUndefined()
        expect(answer.json.errors?.map((error) => error.extensions?.["limit"])).toEqual([
          "maxAliases",
          "maxFields",
          "maxCost"
        ])
        expect(blog.calls.get("Query.post") ?? 0).toBe(before)
        // Within the limits (set by the router's options), the same shape runs.
        const within = yield* post({ query: aliases(20) })
        expect(within.status).toBe(200)
        expect(blog.calls.get("Query.post")).toBe(before + 20)
      }))

    it.effect("list fan-out over the cost limit is rejected, with the sizes its variables give", () =>
      Effect.gen(function*() {
        const query = `query($n: Int) { posts(limit: $n) { id comments(first: 10) { body } } }`
        expect((yield* post({ query, variables: { n: 5 } })).status).toBe(200)
        const over = yield* post({ query, variables: { n: 500 } })
        expect(over.status).toBe(400)
        expect(over.json.errors?.[0]?.extensions).toMatchObject({ limit: "maxCost", max: 1_000 })
      }))

    it.effect("batches and fragment cycles stay rejected", () =>
      Effect.gen(function*() {
        const batch = yield* post([{ query: `{ post(id: "1") { id } }` }, { query: `{ post(id: "2") { id } }` }])
        expect(batch.status).toBe(400)
        const cycle = yield* post({
          query:
            `{ post(id: "1") { ...A } } fragment A on Post { author { posts { ...B } } } fragment B on Post { ...A }`
        })
        expect(cycle.status).toBe(400)
        expect(cycle.json.errors?.[0]?.message).toContain("Cannot spread fragment")
      }))
  })
})

describe("GraphQLCache.execute cost option", () => {
  it.effect("over a limit, the result is the limit's errors and nothing runs; without the option, it runs", () =>
    Effect.gen(function*() {
      const before = blog.calls.get("Query.post") ?? 0
      const limited = yield* GraphQLCache.execute({
        schema: blog.schema,
        source: aliases(30),
        cost: { maxAliases: 10 }
      })
      expect(limited.data).toBeUndefined()
      expect(limited.errors?.map((error) => error.extensions?.["limit"])).toEqual(["maxAliases"])
      expect(blog.calls.get("Query.post") ?? 0).toBe(before)
      const unlimited = yield* GraphQLCache.execute({ schema: blog.schema, source: aliases(30) })
      expect(Object.keys(unlimited.data ?? {})).toHaveLength(30)
    }).pipe(Effect.provide(Cache.layer().pipe(Layer.provide(MemoryStore.layer())))))
})
