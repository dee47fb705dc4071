/**
 * A property: for random sequences of queries (several shapes over the same posts) and
 * mutations, every response of Yoga with `useCachet` equals the one of Yoga without it, run
 * side by side on twin data.
 */
import { Cache, MemoryStore } from "@cachet/core"
import { useCachet } from "@cachet/envelop"
import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc, Layer, ManagedRuntime } from "effect"
import { createSchema, createYoga } from "graphql-yoga"

import { makeBlog, typeDefs } from "../../graphql/test/fixtures/serverBlog.js"

const queries = [
  (n: number) => `{ posts(first: ${n}) { id title author { name } comments { body author { name } } } }`,
  (n: number) => `{ posts(first: ${n}) { title comments { body } } }`,
  (n: number) => `{ post(id: "${n}") { id title author { id name } } }`,
  (n: number) => `{ a: post(id: "${n}") { title broken } b: posts(first: 1) { id author { name } } }`,
  (n: number) => `{ post(id: "${n}") { comments { body author { name } } } }`
]

const operation = fc.oneof(
  fc.record({
    kind: fc.constant("query" as const),
    shape: fc.nat(queries.length - 1),
    n: fc.integer({ min: 1, max: 3 })
  }),
  fc.record({
    kind: fc.constant("rename" as const),
    id: fc.integer({ min: 1, max: 3 }),
    title: fc.string({ maxLength: 6 })
  }),
  fc.record({
    kind: fc.constant("comment" as const),
    id: fc.integer({ min: 1, max: 3 }),
    body: fc.string({ maxLength: 6 })
  })
)

const server = (cached: boolean) => {
  const blog = makeBlog()
  const runtime = ManagedRuntime.make(Cache.layer().pipe(Layer.provide(MemoryStore.layer())))
  const yoga = createYoga({
    schema: createSchema({ typeDefs, resolvers: blog.resolvers }),
    plugins: cached ? [useCachet({ cache: runtime })] : [],
    maskedErrors: false,
    logging: false
  })
  const run = async (query: string, variables: Record<string, unknown> = {}) => {
    const response = await yoga.fetch("http://yoga/graphql", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query, variables })
    })
    return response.json()
  }
  return { run, dispose: () => runtime.dispose() }
}

describe("useCachet: a property", () => {
  it("every response equals the uncached server's", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(operation, { minLength: 1, maxLength: 25 }), async (operations) => {
        const cached = server(true)
        const plain = server(false)
        try {
          for (const op of operations) {
            const [query, variables] = op.kind === "query"
              ? [queries[op.shape]!(op.n), {}]
              : op.kind === "rename"
              ? [`mutation($id: ID!, $t: String!) { renamePost(id: $id, title: $t) { id title } }`, {
                id: String(op.id),
                t: op.title
              }]
              : [`mutation($id: ID!, $b: String!) { addComment(postId: $id, body: $b) { id body post { id } } }`, {
                id: String(op.id),
                b: op.body
              }]
            expect(await cached.run(query, variables)).toEqual(await plain.run(query, variables))
          }
        } finally {
          await cached.dispose()
          await plain.dispose()
        }
      }),
      { numRuns: 60 }
    )
  }, 120_000)
})
