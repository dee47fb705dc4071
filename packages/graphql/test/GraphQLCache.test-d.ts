/**
 * Type tests of `GraphQLCache.execute`: a result that never fails (execution errors are in its
 * `errors`) and that needs the `Cache` plus the services its schema declares
 * (`GraphQLCache.typed<R>`). Checked by `tsc` (vitest's typecheck mode), never run.
 */
import type { Cache } from "@cachet/core"
import { GraphQLCache } from "@cachet/graphql"
import { Context, type Effect } from "effect"
import type { ExecutionResult, GraphQLSchema } from "graphql"
import { describe, expectTypeOf, it } from "vitest"

declare const plain: GraphQLSchema
const schema = GraphQLCache.typed(plain)

class Loaders extends Context.Tag("Loaders")<Loaders, { readonly post: (id: string) => unknown }>() {}
const withLoaders = GraphQLCache.typed<Loaders>(plain)

describe("GraphQLCache.execute", () => {
  it("succeeds with an ExecutionResult and never fails", () => {
    const run = GraphQLCache.execute({ schema, source: "{ posts { id } }" })
    expectTypeOf<Effect.Effect.Success<typeof run>>().toEqualTypeOf<ExecutionResult>()
    expectTypeOf<Effect.Effect.Error<typeof run>>().toEqualTypeOf<never>()
    expectTypeOf<Cache.Cache>().toExtend<Effect.Effect.Context<typeof run>>()
  })

  it("executeReport also tells whether the response was fully cached, and its coverage", () => {
    const run = GraphQLCache.executeReport({ schema, source: "{ posts { id } }" })
    expectTypeOf<Effect.Effect.Success<typeof run>>().toEqualTypeOf<GraphQLCache.Report>()
    expectTypeOf<Effect.Effect.Success<typeof run>["fullyCached"]>().toEqualTypeOf<boolean>()
    expectTypeOf<Effect.Effect.Error<typeof run>>().toEqualTypeOf<never>()
  })

  it("takes a schema", () => {
    // @ts-expect-error `schema` is required
    GraphQLCache.execute({ source: "{ posts { id } }" })
  })
})

describe("GraphQLCache.typed", () => {
  it("the services a schema declares are required by execute", () => {
    const run = GraphQLCache.execute({ schema: withLoaders, source: "{ posts { id } }" })
    expectTypeOf<Effect.Effect.Context<typeof run>>().toEqualTypeOf<Cache.Cache | Loaders>()
  })

  it("a plain GraphQLSchema is refused: its services are unknown", () => {
    // @ts-expect-error a schema must say what its resolvers need (GraphQLCache.typed)
    GraphQLCache.execute({ schema: plain, source: "{ posts { id } }" })
  })
})
