/** The urql examples of docs/packages/urql.md and normalize.md, as written there, against a real HTTP server. */
import { Documents, EntityGraph } from "@cachet/normalize"
import { cachetExchange, relayPagination } from "@cachet/urql"
import { describe, expect, it } from "@effect/vitest"
import { Client, fetchExchange, gql } from "@urql/core"
import { Chunk, Effect, Layer, Stream } from "effect"

import { start } from "./server.js"

const TodoList = gql`query TodoList { todos @list(name: "TodoList_todos") { id text favorite } }`
const AddTodo = gql`mutation AddTodo($text: String!) { addTodo(text: $text) { id text favorite } }`

const config = {
  keys: { Address: null }, // embedded: stored inside its parent
  resolvers: { Query: { feed: relayPagination() } }, // pages merged in cursor order
  updates: {
    Mutation: {
      addTodo: (result, _args, cache) =>
        cache.updateQuery<{ todos: Array<unknown> }>(
          { query: TodoList },
          (data) => data && { todos: [...data.todos, result.addTodo] }
        )
    }
  },
  optimistic: { favoriteTodo: (args) => ({ __typename: "Todo", id: args.id as string, favorite: true }) }
} satisfies Documents.Options

describe("docs: GraphQL clients", () => {
  it.scoped("the urql setup", () =>
    Effect.gen(function*() {
      const server = yield* start
      const client = new Client({
        url: server.url,
        exchanges: [cachetExchange(config), fetchExchange]
      })
      expect((yield* Effect.promise(() => client.query(TodoList, {}).toPromise())).data.todos.length).toBe(2)
      yield* Effect.promise(() => client.mutation(AddTodo, { text: "three" }).toPromise())
      const cached = yield* Effect.promise(() =>
        client.query(TodoList, {}, { requestPolicy: "cache-only" }).toPromise()
      )
      expect(cached.data.todos.map((t: { text: string }) => t.text)).toEqual(["one", "two", "three"])
    }))

  it.scoped("the Effect service", () =>
    Effect.gen(function*() {
      const todos = [{ __typename: "Todo", id: "1", text: "one", favorite: false }]
      const api = {
        addTodo: (text: string) => Effect.succeed({ addTodo: { __typename: "Todo", id: "3", text, favorite: false } })
      }
      const program = Effect.gen(function*() {
        const docs = yield* Documents.Documents
        yield* docs.writeQuery({ query: TodoList, data: { todos } }) // a priming write
        const { data, complete, stale } = yield* docs.readQuery({ query: TodoList })
        yield* docs.mutate({ query: AddTodo, variables: { text: "three" }, run: api.addTodo("three") })
        yield* docs.update((cache) => cache.list("TodoList_todos").append({ __typename: "Todo", id: "9" }))
        yield* docs.markStale("Todo", { field: "text" })
        const results = docs.watch({ query: TodoList }) // a Stream of read results
        return { data, complete, stale, results }
      }).pipe(Effect.provide(Documents.layer(config).pipe(Layer.provideMerge(EntityGraph.layer()))))
      const { complete, data, results, stale } = yield* program
      expect(data).toEqual({ todos })
      expect([complete, stale]).toEqual([true, false])
      expect(Stream.StreamTypeId in results).toBe(true)
      const again = yield* Effect.gen(function*() {
        const docs = yield* Documents.Documents
        yield* docs.writeQuery({ query: TodoList, data: { todos } })
        yield* docs.mutate({ query: AddTodo, variables: { text: "three" }, run: api.addTodo("three") })
        yield* docs.update((cache) => cache.list("TodoList_todos").append({ __typename: "Todo", id: "9" }))
        yield* docs.markStale("Todo", { field: "text" })
        return Chunk.toReadonlyArray(yield* docs.watch({ query: TodoList }).pipe(Stream.take(1), Stream.runCollect))
      }).pipe(Effect.provide(Documents.layer(config).pipe(Layer.provideMerge(EntityGraph.layer()))))
      expect(again[0]!.stale).toBe(true)
      expect(again[0]!.complete).toBe(false) // Todo:9 was appended without its text and favorite
    }))
})
