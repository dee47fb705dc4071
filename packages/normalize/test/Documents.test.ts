import { parse as parseDocument } from "@0no-co/graphql.web"
import { Documents } from "@cachet/normalize"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Deferred, Effect, Either, Exit, Fiber, Stream } from "effect"
import { parse } from "graphql"

import { documentsSetup } from "./fixtures.js"

/** A `gql` tag: the document parsed once, as `@urql/core`'s and graphql-tag's are. */
const gql = (strings: TemplateStringsArray) => parseDocument(strings.join(""))

const setup = documentsSetup

interface Todo {
  __typename: "Todo"
  id: string
  text: string
  favorite?: boolean
}
const todo = (id: string, text = `todo ${id}`): Todo => ({ __typename: "Todo", id, text })

const TodoList = gql`
  query TodoList {
    todos { id text }
  }
`
const PaginatedTodos = gql`
  query PaginatedTodos($skip: Int) {
    todos(skip: $skip) { id text }
  }
`

describe("Documents: urql Graphcache's cache updates", () => {
  it.scoped("todos list and an addTodo updater (updateQuery), re-delivered to an active query", () =>
    Effect.gen(function*() {
      const { docs } = yield* setup({
        updates: {
          Mutation: {
            addTodo: (result, _args, cache) => {
              cache.updateQuery<{ todos: Array<Todo> }>({ query: TodoList }, (data) => {
                data?.todos.push(result.addTodo as unknown as Todo)
                return data
              })
            }
          }
        }
      })
      yield* docs.writeQuery({ query: TodoList, data: { todos: [todo("1"), todo("2")] } })
      const seen: Array<unknown> = []
      const stop = docs.subscribe({ query: TodoList }, (result) => seen.push(result.data))
      const added = yield* docs.mutate({
        query: `mutation AddTodo($text: String!) { addTodo(text: $text) { id text } }`,
        variables: { text: "three" },
        run: Effect.succeed({ addTodo: todo("3", "three") })
      })
      expect(added.addTodo).toEqual(todo("3", "three"))
      const read = yield* docs.readQuery<{ todos: Array<Todo> }>({ query: TodoList })
      expect(read.data!.todos.map((t) => t.id)).toEqual(["1", "2", "3"])
      expect(seen).toEqual([read.data])
      stop()
    }))

  it.scoped("a subscription's results are written and its updater runs", () =>
    Effect.gen(function*() {
      const { docs } = yield* setup({
        updates: {
          Subscription: {
            todoAdded: (result, _args, cache) =>
              cache.updateQuery<{ todos: Array<Todo> }>({ query: TodoList }, (data) =>
                data && { todos: [...data.todos, result.todoAdded as unknown as Todo] })
          }
        }
      })
      yield* docs.writeQuery({ query: TodoList, data: { todos: [todo("1")] } })
      yield* docs.writeResult({ query: `subscription { todoAdded { id text } }`, data: { todoAdded: todo("2") } })
      expect((yield* docs.readQuery<{ todos: Array<Todo> }>({ query: TodoList })).data!.todos.map((t) =>
        t.id
      )).toEqual(["1", "2"])
    }))

  it.scoped("documents parsed by graphql-js (graphql-tag) and typed documents compile once per document", () =>
    Effect.gen(function*() {
      const { docs } = yield* setup()
      const Typed = parse(
        `query ($skip: Int) { todos(skip: $skip) { id text } }`
      ) as unknown as Documents.TypedDocumentNode<
        { todos: Array<Todo> },
        { skip: number }
      >
      yield* docs.writeQuery({ query: Typed, variables: { skip: 0 }, data: { todos: [todo("1")] } })
      const read = yield* docs.readQuery({ query: Typed, variables: { skip: 0 } })
      const todos: Array<Todo> = read.data!.todos
      expect(todos).toEqual([todo("1")])
      expect((yield* docs.readQuery({ query: PaginatedTodos, variables: { skip: 0 } })).data).toEqual({
        todos: [todo("1")]
      })
      expect((yield* docs.readQuery({ query: Typed, variables: { skip: 0 } })).data).toBe(read.data)
    }))

  it.scoped("createTodo with link and resolve", () =>
    Effect.gen(function*() {
      const { docs } = yield* setup({
        updates: {
          Mutation: {
            createTodo: (result, _args, cache) => {
              const todos = cache.resolve("Query", "todos")
              if (Array.isArray(todos)) cache.link("Query", "todos", [...todos, result.createTodo as Documents.Entity])
            }
          }
        }
      })
      yield* docs.writeQuery({ query: TodoList, data: { todos: [todo("1")] } })
      yield* docs.writeResult({
        query: `mutation { createTodo(text: "new") { id text } }`,
        data: { createTodo: todo("9", "new") }
      })
      expect((yield* docs.readQuery<{ todos: Array<Todo> }>({ query: TodoList })).data!.todos).toEqual([
        todo("1"),
        todo("9", "new")
      ])
    }))

  it.scoped("removeTodo over every todos(skip) page found by inspectFields", () =>
    Effect.gen(function*() {
      const { docs } = yield* setup({
        updates: {
          Mutation: {
            removeTodo: (_result, args, cache) => {
              cache.inspectFields("Query").filter((field) => field.fieldName === "todos").forEach((field) => {
                cache.updateQuery<{ todos: Array<Todo> }>(
                  { query: PaginatedTodos, variables: { skip: field.arguments!.skip } },
                  (data) => {
                    if (data !== null) data.todos = data.todos.filter((t) => t.id !== args.id)
                    return data
                  }
                )
              })
            }
          }
        }
      })
      for (const skip of [0, 2, 4]) {
        yield* docs.writeQuery({
          query: PaginatedTodos,
          variables: { skip },
          data: { todos: [todo(`${skip}`), todo(`${skip + 1}`)] }
        })
      }
      yield* docs.writeQuery({ query: PaginatedTodos, variables: { skip: 6 }, data: { todos: [todo("3"), todo("7")] } })
      yield* docs.writeResult({
        query: `mutation RemoveTodo($id: ID!) { removeTodo(id: $id) }`,
        variables: { id: "3" },
        data: { removeTodo: true }
      })
      const pages = yield* Effect.forEach([0, 2, 4, 6], (skip) =>
        docs.readQuery<{ todos: Array<Todo> }>({ query: PaginatedTodos, variables: { skip } }))
      expect(pages.map((p) =>
        p.data!.todos.map((t) => t.id)
      )).toEqual([["0", "1"], ["2"], ["4", "5"], ["7"]])
    }))

  it.scoped("updateTodoDate: writeFragment of a mutation that returns a scalar", () =>
    Effect.gen(function*() {
      const Fragment = gql`fragment _ on Todo { id updatedAt }`
      const { docs } = yield* setup({
        updates: {
          Mutation: {
            updateTodoDate: (_result, args, cache) =>
              cache.writeFragment(Fragment, { id: args.id, updatedAt: args.date })
          }
        }
      })
      yield* docs.writeQuery({
        query: `{ todo(id: "1") { id text updatedAt } }`,
        data: { todo: { ...todo("1"), updatedAt: "monday" } }
      })
      yield* docs.writeResult({
        query: `mutation ($todoId: ID!, $date: String!) { updateTodoDate(id: $todoId, date: $date) }`,
        variables: { todoId: "1", date: "tuesday" },
        data: { updateTodoDate: true }
      })
      expect(yield* docs.readFragment(Fragment, { __typename: "Todo", id: "1" })).toEqual({
        __typename: "Todo",
        id: "1",
        updatedAt: "tuesday"
      })
      expect(yield* docs.readFragment(`fragment _ on Todo { id missing }`, "Todo:1")).toBeNull()
    }))

  it.scoped("favoriteTodo: optimistic at once, then the real result; a failure reverts it", () =>
    Effect.gen(function*() {
      const { docs } = yield* setup({
        optimistic: {
          favoriteTodo: (args) => ({ __typename: "Todo", id: args.id as string, favorite: true })
        }
      })
      const Favorites = `{ todos { id favorite } }`
      yield* docs.writeQuery({ query: Favorites, data: { todos: [{ __typename: "Todo", id: "1", favorite: false }] } })
      const Favorite = `mutation ($id: ID!) { favoriteTodo(id: $id) { id favorite } }`
      const seen: Array<boolean> = []
      const applied = yield* Deferred.make<void>()
      const stop = docs.subscribe<{ todos: Array<Todo> }>({ query: Favorites }, (r) => {
        seen.push(r.data!.todos[0]!.favorite!)
        Deferred.unsafeDone(applied, Exit.void)
      })
      const gate = yield* Effect.makeLatch(false)
      const fiber = yield* docs.mutate({
        query: Favorite,
        variables: { id: "1" },
        run: gate.await.pipe(Effect.as({ favoriteTodo: { __typename: "Todo", id: "1", favorite: true } }))
      }).pipe(Effect.fork)
      yield* Deferred.await(applied)
      const optimistic = yield* docs.readQuery<{ todos: Array<Todo> }>({ query: Favorites })
      expect(optimistic.data!.todos[0]!.favorite).toBe(true)
      yield* gate.open
      yield* Fiber.join(fiber)
      expect((yield* docs.readQuery<{ todos: Array<Todo> }>({ query: Favorites })).data!.todos[0]!.favorite).toBe(true)
      expect(seen).toEqual([true])

      const failed = yield* docs.mutate({
        query: `mutation ($id: ID!) { favoriteTodo(id: $id) { id favorite } }`,
        variables: { id: "2" },
        run: Effect.fail("offline" as const)
      }).pipe(Effect.either)
      expect(failed).toEqual(Either.left("offline"))
      // a real result that un-favorites replaces the optimistic one
      yield* docs.mutate({
        query: Favorite,
        variables: { id: "1" },
        run: Effect.succeed({ favoriteTodo: { __typename: "Todo", id: "1", favorite: false } })
      })
      expect(seen).toEqual([true, false])
      stop()
    }))

  it.scoped("a failed mutation drops its optimistic layer", () =>
    Effect.gen(function*() {
      const { docs } = yield* setup({
        optimistic: { favoriteTodo: (args) => ({ __typename: "Todo", id: args.id as string, favorite: true }) }
      })
      const Favorites = `{ todos { id favorite } }`
      yield* docs.writeQuery({ query: Favorites, data: { todos: [{ __typename: "Todo", id: "1", favorite: false }] } })
      const seen: Array<boolean> = []
      docs.subscribe<{ todos: Array<Todo> }>({ query: Favorites }, (r) => seen.push(r.data!.todos[0]!.favorite!))
      const result = yield* docs.mutate({
        query: `mutation ($id: ID!) { favoriteTodo(id: $id) { id favorite } }`,
        variables: { id: "1" },
        run: Effect.fail("offline" as const)
      }).pipe(Effect.either)
      expect(result).toEqual(Either.left("offline"))
      expect(seen).toEqual([true, false])
      expect((yield* docs.readQuery<{ todos: Array<Todo> }>({ query: Favorites })).data!.todos[0]!.favorite).toBe(false)
    }))

  it.scoped("invalidation of an entity, of a field, of a field with arguments", () =>
    Effect.gen(function*() {
      const { docs } = yield* setup({
        updates: {
          Mutation: {
            removeTodo: (_r, args, cache) => cache.invalidate({ __typename: "Todo", id: args.id as string }),
            updateTodo: (_r, _args, cache) => {
              cache.inspectFields("Query").filter((f) => f.fieldName === "todos" && f.arguments?.skip === 2)
                .forEach((f) => cache.invalidate("Query", f.fieldName, f.arguments))
            },
            clearText: (_r, args, cache) => cache.invalidate({ __typename: "Todo", id: args.id as string }, "text")
          }
        }
      })
      for (const skip of [0, 2]) {
        yield* docs.writeQuery({
          query: PaginatedTodos,
          variables: { skip },
          data: { todos: [todo(`${skip}`), todo(`${skip + 1}`)] }
        })
      }
      const read = (skip: number) => docs.readQuery({ query: PaginatedTodos, variables: { skip } })
      yield* docs.writeResult({ query: `mutation { removeTodo(id: "1") }`, data: { removeTodo: true } })
      expect((yield* read(0)).complete).toBe(false)
      expect((yield* read(2)).complete).toBe(true)
      yield* docs.writeQuery({ query: PaginatedTodos, variables: { skip: 0 }, data: { todos: [todo("0"), todo("1")] } })
      yield* docs.writeResult({ query: `mutation { updateTodo(id: "2") }`, data: { updateTodo: true } })
      expect((yield* read(0)).complete).toBe(true)
      expect((yield* read(2)).data).toBeNull()
      expect(yield* docs.readFragment(`fragment _ on Todo { id }`, "Todo:2")).toEqual({ __typename: "Todo", id: "2" })
      yield* docs.writeResult({ query: `mutation { clearText(id: "0") }`, data: { clearText: true } })
      expect((yield* read(0)).complete).toBe(false)
      expect(yield* docs.readFragment(`fragment _ on Todo { id }`, "Todo:0")).toEqual({ __typename: "Todo", id: "0" })
      // a typename invalidates the type's entities
      yield* docs.invalidate("Todo")
      expect(yield* docs.readFragment(`fragment _ on Todo { id }`, "Todo:0")).toBeNull()
    }))

  it.scoped("the cache fails with InvalidCacheCall once its updater has returned", () =>
    Effect.gen(function*() {
      let stash: Documents.Cache | undefined
      const { docs } = yield* setup({ updates: { Mutation: { touch: (_r, _a, cache) => void (stash = cache) } } })
      yield* docs.writeResult({ query: `mutation { touch }`, data: { touch: true } })
      expect(() => stash!.writeFragment(`fragment _ on Todo { id text }`, todo("1"))).toThrow(
        /\(2\) Invalid Cache Call/
      )
      expect(() => stash!.readQuery({ query: TodoList })).toThrow(Documents.InvalidCacheCall)
      // inside `update`, a stale cache is a typed failure
      const exit = yield* docs.update(() => stash!.link("Query", "todos", [])).pipe(Effect.exit)
      expect(Exit.isFailure(exit) && exit.cause._tag === "Fail" && exit.cause.error._tag === "InvalidCacheCall").toBe(
        true
      )
    }))

  it.scoped("a mutation returning an unknown entity and no updater invalidates only that type's lists (urql 7)", () =>
    Effect.gen(function*() {
      const { docs } = yield* setup({ updates: { Mutation: { addUser: () => undefined } } })
      yield* docs.writeQuery({ query: TodoList, data: { todos: [todo("1")] } })
      const Users = `{ users { id name } }`
      yield* docs.writeQuery({ query: Users, data: { users: [{ __typename: "User", id: "u1", name: "Ada" }] } })
      // a known todo: nothing is invalidated
      yield* docs.writeResult({ query: `mutation { editTodo { id text } }`, data: { editTodo: todo("1", "edited") } })
      expect((yield* docs.readQuery({ query: TodoList })).complete).toBe(true)
      // an updater handles the new user: nothing is invalidated
      yield* docs.writeResult({
        query: `mutation { addUser { id name } }`,
        data: { addUser: { __typename: "User", id: "u2", name: "Bo" } }
      })
      expect((yield* docs.readQuery({ query: Users })).complete).toBe(true)
      // a new todo without updater: the todo lists are invalidated, the user lists are not
      yield* docs.writeResult({ query: `mutation { addTodo { id text } }`, data: { addTodo: todo("2") } })
      expect((yield* docs.readQuery({ query: TodoList })).complete).toBe(false)
      expect((yield* docs.readQuery({ query: Users })).complete).toBe(true)
    }))

  it.scoped("watch: the current result, then one per change of data it read", () =>
    Effect.gen(function*() {
      const { docs } = yield* setup()
      yield* docs.writeQuery({ query: TodoList, data: { todos: [todo("1")] } })
      const pull = yield* Stream.toPull(docs.watch<{ todos: Array<Todo> }>({ query: TodoList }))
      const first = Chunk.toReadonlyArray(yield* pull)
      yield* docs.writeQuery({ query: `{ unrelated }`, data: { unrelated: 1 } })
      yield* docs.writeResult({ query: `mutation { editTodo { id text } }`, data: { editTodo: todo("1", "edited") } })
      const second = Chunk.toReadonlyArray(yield* pull)
      expect([...first, ...second].map((r) => r.data!.todos[0]!.text)).toEqual(["todo 1", "edited"])
    }))
})
