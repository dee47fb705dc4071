/**
 * Type tests of `GraphQLCache.execute`: a result that never fails (execution errors are in its
 * `errors`) and that needs the `Cache`. Checked by `tsc` (vitest's typecheck mode), never run.
 *
 * Left out on purpose (issue 21): the rest of its requirements. `execute<R = never>` compiles
 * when a resolver needs a service nobody provides, so its `R` is not pinned.
 */
import type { Cache } from "@cachet/core"
import { GraphQLCache } from "@cachet/graphql"
import type { Effect } from "effect"
import type { ExecutionResult, GraphQLSchema } from "graphql"
import { describe, expectTypeOf, it } from "vitest"

declare const schema: GraphQLSchema

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
