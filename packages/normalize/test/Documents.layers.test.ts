import { Cache, MemoryStore } from "@cachet/core"
import { Documents, EntityGraph, NormalizedQuery } from "@cachet/normalize"
import { describe, expect, it } from "@effect/vitest"
import { Cause, Context, Effect, Exit, Layer } from "effect"

const TodoList = `query TodoList { todos { id text } }`

/** Writes through the documents front end, reads back through the graph below it. */
const roundTrip = (graphLayer: Layer.Layer<EntityGraph.EntityGraph>) =>
  Effect.gen(function*() {
    const context = yield* Layer.build(Documents.layer().pipe(Layer.provideMerge(graphLayer)))
    const docs = Context.get(context, Documents.Documents)
    const graph = Context.get(context, EntityGraph.EntityGraph)
    yield* docs.writeQuery({ query: TodoList, data: { todos: [{ __typename: "Todo", id: "1", text: "one" }] } })
    expect(yield* graph.resolve("Todo:1", "text")).toBe("one")
    expect(docs.graph).toBe(graph)
  })

describe("Documents over any EntityGraph layer", () => {
  it.scoped("over EntityGraph.layer", () => roundTrip(EntityGraph.layer()))

  it.scoped("over NormalizedQuery.layer", () =>
    roundTrip(
      NormalizedQuery.layer().pipe(Layer.provide(Cache.layer({ ttl: "1 hour" })), Layer.provide(MemoryStore.layer()))
    ))

  it.scoped("a bare EntityGraph service (no layer) is refused with a message naming the layers", () =>
    Effect.gen(function*() {
      const graph = yield* EntityGraph.make()
      const exit = yield* Effect.exit(Documents.make().pipe(Effect.provideService(EntityGraph.EntityGraph, graph)))
      expect(Exit.isFailure(exit) && Cause.pretty(exit.cause)).toContain("EntityGraph.layer")
    }))
})
