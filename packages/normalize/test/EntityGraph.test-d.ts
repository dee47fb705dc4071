/**
 * Type tests of `EntityGraph.Tx`, derived from the operations it shares with the service: the same
 * signatures (generic and overloaded ones included), failing with `InvalidCacheCall`. Checked by
 * `tsc` (vitest's typecheck mode), never run.
 */
import type { EntityGraph } from "@cachet/normalize"
import type { Effect, Schema } from "effect"
import { describe, expectTypeOf, it } from "vitest"

declare const tx: EntityGraph.Tx
declare const graph: EntityGraph.Service
declare const Post: Schema.Schema<{ readonly id: string }, { readonly id: string }>

describe("EntityGraph.Tx", () => {
  it("has the service's shared operations, each failing with InvalidCacheCall", () => {
    expectTypeOf<keyof EntityGraph.Tx>().toEqualTypeOf<keyof EntityGraph.Operations>()
    expectTypeOf<EntityGraph.Service>().toMatchTypeOf<EntityGraph.Operations>()
    expectTypeOf(tx.readQuery("post", { id: "1" }, Post))
      .toEqualTypeOf<Effect.Effect<EntityGraph.ReadResult<{ readonly id: string }>, EntityGraph.InvalidCacheCall>>()
    expectTypeOf(graph.readQuery("post", { id: "1" }, Post))
      .toEqualTypeOf<Effect.Effect<EntityGraph.ReadResult<{ readonly id: string }>>>()
  })

  it("keeps the overloads of link", () => {
    expectTypeOf(tx.link("Post:1", "author", "Author:1")).toEqualTypeOf<
      Effect.Effect<void, EntityGraph.InvalidCacheCall>
    >()
    expectTypeOf(tx.link("Post:1", "comments", { first: 2 }, ["Comment:1"])).toEqualTypeOf<
      Effect.Effect<void, EntityGraph.InvalidCacheCall>
    >()
  })

  it("has none of the service's own operations", () => {
    // @ts-expect-error a transaction cannot run a mutation
    tx.mutate
    // @ts-expect-error nor a garbage collection
    tx.gc
  })
})
