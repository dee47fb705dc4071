/**
 * The parts of the documents front end urql's exchange is built on: client-controlled nullability
 * and `@defer` in reads, tracked reads and change reports, synchronous optimistic layers, results
 * read back through resolvers, and result layers applied in the order they were reserved.
 */
import { Documents, EntityGraph } from "@cachet/normalize"
import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Exit, Layer } from "effect"

const make = (config: Documents.Options = {}) =>
  Effect.map(
    Layer.build(Documents.layer(config).pipe(Layer.provideMerge(EntityGraph.layer()))),
    (context) => Context.get(context, Documents.Documents)
  )

const Todos = `{ todos { id title } }`
const todos = { todos: [{ __typename: "Todo", id: "1", title: "write" }] }

describe("Documents for urql's exchange", () => {
  it.scoped("@_optional reads a missing field as null (partial); @_required a null one as missing", () =>
    Effect.gen(function*() {
      const docs = yield* make()
      yield* docs.writeQuery({ query: Todos, data: todos })
      const optional = docs.readQueryTracked({ query: `{ todos { id title done @_optional } }` })
      expect(optional.data).toEqual({ todos: [{ __typename: "Todo", id: "1", title: "write", done: null }] })
      expect(optional.complete).toBe(false)
      yield* docs.writeQuery({
        query: `{ todos { id done } }`,
        data: { todos: [{ __typename: "Todo", id: "1", done: null }] }
      })
      expect(docs.readQueryTracked({ query: `{ todos { id done @_required } }` }).data).toBeNull()
    }))

  it.scoped("a field only a @defer fragment asks for is left out while absent", () =>
    Effect.gen(function*() {
      const docs = yield* make()
      yield* docs.writeQuery({ query: Todos, data: todos })
      const read = docs.readQueryTracked({ query: `{ todos { id title } ... @defer { viewer { id } } }` })
      expect(read.data).toEqual(todos)
      expect(read.complete).toBe(false)
    }))

  it.scoped("a tracked read names its dependencies; onChange reports the ones a write changed", () =>
    Effect.gen(function*() {
      const docs = yield* make()
      yield* docs.writeQuery({ query: Todos, data: todos })
      const read = docs.readQueryTracked({ query: Todos })
      const changed: Array<ReadonlySet<string>> = []
      const stop = docs.onChange((keys) => changed.push(keys))
      yield* docs.writeQuery({ query: Todos, data: todos })
      expect(changed).toEqual([])
      yield* docs.writeQuery({ query: Todos, data: { todos: [{ ...todos.todos[0], title: "read" }] } })
      stop()
      expect(changed.length).toBe(1)
      expect([...changed[0]!].every((key) => read.dependencies.has(key))).toBe(true)
      expect(docs.readQueryTracked({ query: `{ nothing }` }).missing).toEqual({ field: "nothing", args: null })
    }))

  it.scoped("applyOptimistic writes at once in a layer its drop removes; writeResultSync reads back with resolvers", () =>
    Effect.gen(function*() {
      const docs = yield* make({
        optimistic: { retitle: (args) => ({ __typename: "Todo", id: "1", title: args.title as string }) },
        resolvers: { Todo: { title: (parent) => String(parent.title).toUpperCase() } }
      })
      yield* docs.writeQuery({ query: Todos, data: todos })
      const Retitle = `mutation ($title: String) { retitle(title: $title) { id title } }`
      const layer = docs.applyOptimistic({ query: Retitle, variables: { title: "soon" } })
      expect(docs.readQuerySync({ query: Todos }).data).toMatchObject({ todos: [{ title: "SOON" }] })
      layer!.drop()
      expect(docs.readQuerySync({ query: Todos }).data).toMatchObject({ todos: [{ title: "WRITE" }] })
      const written = docs.writeResultSync({
        query: Retitle,
        variables: { title: "done" },
        data: { retitle: { __typename: "Todo", id: "1", title: "done" } }
      })
      expect(Exit.isSuccess(written) && written.value).toEqual({
        retitle: { __typename: "Todo", id: "1", title: "DONE" }
      })
      expect(docs.applyOptimistic({ query: Todos })).toBeNull()
    }))

  it.scoped("result layers apply results in the order they were reserved", () =>
    Effect.gen(function*() {
      const docs = yield* make()
      const first = docs.reserveLayer()
      const second = docs.reserveLayer()
      const Title = `{ todo { id title } }`
      second.write({ query: Title, data: { todo: { __typename: "Todo", id: "1", title: "second" } } })
      first.write({ query: Title, data: { todo: { __typename: "Todo", id: "1", title: "first" } } })
      expect(docs.readQuerySync({ query: Title }).data).toMatchObject({ todo: { title: "second" } })
      const third = docs.reserveLayer()
      third.close()
      expect(yield* docs.graph.resolve("Todo:1", "title")).toBe("second")
    }))
})
