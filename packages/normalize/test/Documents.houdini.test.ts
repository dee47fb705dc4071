import { Documents, EntityGraph, Normalize } from "@cachet/normalize"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Ref, Stream } from "effect"
import { Schema } from "effect"
import { buildSchema, introspectionFromSchema } from "graphql"

import { documentsSetup } from "./fixtures.js"

const setup = documentsSetup

const user = (id: string, name = `user ${id}`) => ({ __typename: "User", id, name })

const sdl = `
  interface Node { id: ID! }
  type User implements Node { id: ID! name: String! email: String friends(favorite: Boolean): [User!]! }
  type Post implements Node { id: ID! title: String! author: User }
  union SearchResult = User | Post
  type Query {
    user(id: ID!): User
    users: [User!]!
    node(id: ID!): Node
    search(text: String!): [SearchResult!]!
  }
`
const schema = introspectionFromSchema(buildSchema(sdl))

describe("Documents: Houdini's caching", () => {
  it.scoped("custom keys: User keyed by firstName and lastName; null keys embed", () =>
    Effect.gen(function*() {
      const { docs } = yield* setup({
        keys: {
          User: (data) => `${data.firstName} ${data.lastName}`,
          Address: null
        }
      })
      const Q = `query { users { firstName lastName age address { city } } }`
      yield* docs.writeQuery({
        query: Q,
        data: {
          users: [{
            __typename: "User",
            firstName: "Ada",
            lastName: "Lovelace",
            age: 36,
            address: { __typename: "Address", city: "London" }
          }]
        }
      })
      yield* docs.writeQuery({
        query: `query { me { firstName lastName age } }`,
        data: { me: { __typename: "User", firstName: "Ada", lastName: "Lovelace", age: 37 } }
      })
      const read = yield* docs.readQuery<{ users: Array<{ age: number }> }>({ query: Q })
      expect(read.data!.users[0]!.age).toBe(37)
      expect(docs.keyOfEntity({ __typename: "User", firstName: "Ada", lastName: "Lovelace" })).toBe("User:Ada Lovelace")
      expect(docs.keyOfEntity({ __typename: "Address", city: "London" })).toBeNull()
      const graph = (yield* docs.update((cache) => cache.inspectFields("User:Ada Lovelace"))).map((f) => f.fieldKey)
      expect(graph).toContain("address")
    }))

  it.scoped("list(...) with when touches only the matching instances; toggle, prepend, remove", () =>
    Effect.gen(function*() {
      const { docs } = yield* setup()
      const Friends = `query ($favorite: Boolean) {
        user(id: "1") { id friends(favorite: $favorite) @list(name: "User_Friends") { id name } }
      }`
      yield* docs.writeQuery({
        query: Friends,
        variables: { favorite: true },
        data: { user: { ...user("1"), friends: [user("2")] } }
      })
      yield* docs.writeQuery({
        query: Friends,
        variables: { favorite: false },
        data: { user: { ...user("1"), friends: [user("3")] } }
      })
      const ids = (favorite: boolean) =>
        docs.readQuery<{ user: { friends: Array<{ id: string }> } }>({ query: Friends, variables: { favorite } }).pipe(
          Effect.map((r) => r.data!.user.friends.map((f) => f.id))
        )
      yield* docs.list("User_Friends", { parentId: "1", when: { favorite: true } }).append(user("4"))
      expect(yield* ids(true)).toEqual(["2", "4"])
      expect(yield* ids(false)).toEqual(["3"])
      yield* docs.list("User_Friends", { parentId: "1" }).prepend(user("5"))
      expect(yield* ids(true)).toEqual(["5", "2", "4"])
      expect(yield* ids(false)).toEqual(["5", "3"])
      yield* docs.list("User.friends", { allLists: true, when: { favorite: false } }).toggle(user("5"))
      expect(yield* ids(false)).toEqual(["3"])
      yield* docs.list("User_Friends", { parentId: "1" }).remove({ __typename: "User", id: "2" })
      expect(yield* ids(true)).toEqual(["5", "4"])
      // root lists, by field name
      yield* docs.writeQuery({ query: `{ users { id name } }`, data: { users: [user("1")] } })
      yield* docs.update((cache) => cache.list("users").append(user("9", "Nine")))
      expect(
        (yield* docs.readQuery<{ users: Array<{ name: string }> }>({ query: `{ users { id name } }` })).data!.users.map(
          (u) => u.name
        )
      )
        .toEqual(["user 1", "Nine"])
    }))

  it.scoped("list operations on a connection's edges (an edge is made for an added entity)", () =>
    Effect.gen(function*() {
      const { docs } = yield* setup()
      const Feed = `{ feed(first: 2) @list(name: "Feed") { edges { cursor node { id name } } } }`
      const edge = (id: string) => ({ __typename: "UserEdge", cursor: `c${id}`, node: user(id) })
      yield* docs.writeQuery({
        query: Feed,
        data: { feed: { __typename: "UserConnection", edges: [edge("1"), edge("2")] } }
      })
      const ids = docs.readQuery<{ feed: { edges: Array<{ node: { id: string } }> } }>({ query: Feed }).pipe(
        Effect.map((r) => r.data!.feed.edges.map((e) => e.node.id))
      )
      yield* docs.list("Feed").prepend(user("3"))
      expect(yield* ids).toEqual(["3", "1", "2"])
      yield* docs.list("Feed").remove(user("1"))
      expect(yield* ids).toEqual(["3", "2"])
      yield* docs.list("feed").toggle(user("3"))
      expect(yield* ids).toEqual(["2"])
    }))

  it.scoped("markStale: everything, a type, a field of a type, a field called with arguments", () =>
    Effect.gen(function*() {
      const { docs } = yield* setup()
      const Q =
        `{ user(id: "1") { id name greeting(pattern: "capitalize") other: greeting(pattern: "lower") } post(id: "p") { id title } }`
      const write = docs.writeQuery({
        query: Q,
        data: { user: { ...user("1"), greeting: "Hi", other: "hi" }, post: { __typename: "Post", id: "p", title: "T" } }
      })
      const stale = (query: string) => docs.readQuery({ query }).pipe(Effect.map((r) => r.stale))
      const U = `{ user(id: "1") { id name } }`
      const G = `{ user(id: "1") { id greeting(pattern: "capitalize") } }`
      const L = `{ user(id: "1") { id greeting(pattern: "lower") } }`
      const P = `{ post(id: "p") { id title } }`
      yield* write
      yield* docs.markStale()
      expect([yield* stale(U), yield* stale(P)]).toEqual([true, true])
      yield* write
      expect([yield* stale(U), yield* stale(P)]).toEqual([false, false])
      yield* docs.markStale("User")
      expect([yield* stale(U), yield* stale(P)]).toEqual([true, false])
      yield* write
      yield* docs.markStale("User", { field: "greeting" })
      expect([yield* stale(U), yield* stale(G), yield* stale(L)]).toEqual([false, true, true])
      yield* write
      yield* docs.markStale("User", { field: "greeting", when: { pattern: "capitalize" } })
      expect([yield* stale(U), yield* stale(G), yield* stale(L)]).toEqual([false, true, false])
    }))

  it.scoped("partial data with a schema: missing nullable fields read as null, a missing required field nulls its nullable parent", () =>
    Effect.gen(function*() {
      const { docs } = yield* setup({ schema })
      yield* docs.writeQuery({ query: `{ user(id: "1") { id name } }`, data: { user: user("1") } })
      const withEmail = yield* docs.readQuery({ query: `{ user(id: "1") { id name email } }` })
      expect(withEmail).toEqual({ data: { user: { ...user("1"), email: null } }, complete: false, stale: false })
      const withFriends = yield* docs.readQuery({ query: `{ user(id: "1") { id friends { id } } }` })
      expect(withFriends).toEqual({ data: { user: null }, complete: false, stale: false })
      // without a schema, the same reads are misses
      const { docs: plain } = yield* setup()
      yield* plain.writeQuery({ query: `{ user(id: "1") { id name } }`, data: { user: user("1") } })
      expect((yield* plain.readQuery({ query: `{ user(id: "1") { id name email } }` })).data).toBeNull()
    }))

  it.scoped("fragments on interfaces and unions match exactly with a schema", () =>
    Effect.gen(function*() {
      const { docs } = yield* setup({ schema })
      const Search = `query { search(text: "a") { ... on Node { id } ... on User { name } ... on Post { title } } }`
      const data = { search: [user("1"), { __typename: "Post", id: "p", title: "Hello" }] }
      yield* docs.writeQuery({ query: Search, data })
      expect((yield* docs.readQuery({ query: Search })).data).toEqual(data)
      const NodeQuery = `query { node(id: "p") { id ...PostTitle } } fragment PostTitle on Post { title }`
      yield* docs.writeQuery({ query: NodeQuery, data: { node: { __typename: "Post", id: "p", title: "Hello" } } })
      expect((yield* docs.readQuery({ query: NodeQuery })).data).toEqual({
        node: { __typename: "Post", id: "p", title: "Hello" }
      })
      expect(yield* docs.readFragment(`fragment _ on Node { id ... on User { name } }`, "Post:p")).toEqual({
        __typename: "Post",
        id: "p"
      })
    }))
})

describe("Documents: fragments without a schema", () => {
  it.scoped("type conditions of a union's members each match their own type, whatever type came first", () =>
    Effect.gen(function*() {
      const { docs } = yield* setup()
      const Search = `{ search(text: "a") { ... on Node { id } ... on User { name } ... on Post { title } } }`
      const data = { search: [user("1"), { __typename: "Post", id: "p", title: "Hello" }] }
      yield* docs.writeQuery({ query: Search, data })
      expect(yield* docs.readQuery({ query: Search })).toEqual({ data, complete: true, stale: false })
    }))
})

describe("Documents: pagination", () => {
  const Connection = `query ($first: Int, $after: String) {
    todos(first: $first, after: $after) {
      edges { cursor node { id text } }
      pageInfo { endCursor hasNextPage }
    }
  }`
  const page = (ids: ReadonlyArray<number>, hasNextPage: boolean) => ({
    todos: {
      __typename: "TodoConnection",
      edges: ids.map((i) => ({
        __typename: "TodoEdge",
        cursor: `c${i}`,
        node: { __typename: "Todo", id: `${i}`, text: `todo ${i}` }
      })),
      pageInfo: { __typename: "PageInfo", endCursor: `c${ids[ids.length - 1]}`, hasNextPage }
    }
  })

  it.scoped("relay: pages arriving out of order read as one connection in cursor order", () =>
    Effect.gen(function*() {
      const { docs } = yield* setup({ resolvers: { Query: { todos: Documents.relayPagination() } } })
      yield* docs.writeQuery({ query: Connection, variables: { first: 2, after: "c4" }, data: page([5, 6], false) })
      yield* docs.writeQuery({ query: Connection, variables: { first: 2, after: "c2" }, data: page([3, 4], true) })
      yield* docs.writeQuery({ query: Connection, variables: { first: 2 }, data: page([1, 2], true) })
      const read = yield* docs.readQuery<
        { todos: { edges: Array<{ node: { id: string } }>; pageInfo: { endCursor: string; hasNextPage: boolean } } }
      >({
        query: Connection,
        variables: { first: 2 }
      })
      expect(read.data!.todos.edges.map((e) => e.node.id)).toEqual(["1", "2", "3", "4", "5", "6"])
      expect(read.data!.todos.pageInfo).toEqual({ __typename: "PageInfo", endCursor: "c6", hasNextPage: false })
      // an entity change shows in the merged connection
      yield* docs.writeQuery({
        query: `{ todo(id: "3") { id text } }`,
        data: { todo: { __typename: "Todo", id: "3", text: "edited" } }
      })
      const again = yield* docs.readQuery<{ todos: { edges: Array<{ node: { text: string } }> } }>({
        query: Connection,
        variables: { first: 2, after: "c2" }
      })
      expect(again.data!.todos.edges[2]!.node.text).toBe("edited")
    }))

  it.scoped("simple: offset pages read as one list in offset order; pages of other arguments stay apart", () =>
    Effect.gen(function*() {
      const { docs } = yield* setup({ resolvers: { Query: { todos: Documents.simplePagination() } } })
      const Q =
        `query ($skip: Int, $limit: Int, $done: Boolean) { todos(skip: $skip, limit: $limit, done: $done) { id } }`
      const items = (ids: ReadonlyArray<number>) => ({ todos: ids.map((i) => ({ __typename: "Todo", id: `${i}` })) })
      yield* docs.writeQuery({ query: Q, variables: { skip: 4, limit: 2, done: false }, data: items([4, 5]) })
      yield* docs.writeQuery({ query: Q, variables: { skip: 0, limit: 2, done: false }, data: items([0, 1]) })
      yield* docs.writeQuery({ query: Q, variables: { skip: 2, limit: 2, done: false }, data: items([2, 3]) })
      yield* docs.writeQuery({ query: Q, variables: { skip: 0, limit: 2, done: true }, data: items([9]) })
      const ids = (done: boolean) =>
        docs.readQuery<{ todos: Array<{ id: string }> }>({ query: Q, variables: { skip: 0, limit: 2, done } }).pipe(
          Effect.map((r) => r.data!.todos.map((t) => t.id))
        )
      expect(yield* ids(false)).toEqual(["0", "1", "2", "3", "4", "5"])
      expect(yield* ids(true)).toEqual(["9"])
    }))
})

describe("Documents: local resolvers", () => {
  it.scoped("a cache redirect and a computed scalar, re-read when the data they read changes", () =>
    Effect.gen(function*() {
      const { docs } = yield* setup({
        resolvers: {
          Query: { todo: (_parent, args) => ({ __typename: "Todo", id: args.id as string }) },
          Todo: {
            shout: (parent, _args, cache) =>
              String(cache.resolve(cache.keyOfEntity(parent as Documents.Entity), "text")).toUpperCase(),
            gone: () => undefined
          }
        }
      })
      yield* docs.writeQuery({
        query: `{ todos { id text } }`,
        data: { todos: [{ __typename: "Todo", id: "1", text: "one" }] }
      })
      const Q = `{ todo(id: "1") { id text shout } }`
      expect((yield* docs.readQuery({ query: Q })).data).toEqual({
        todo: { __typename: "Todo", id: "1", text: "one", shout: "ONE" }
      })
      const seen: Array<unknown> = []
      const stop = docs.subscribe<{ todo: { shout: string } }>({ query: Q }, (r) => seen.push(r.data?.todo.shout))
      yield* docs.writeQuery({
        query: `{ todos { id text } }`,
        data: { todos: [{ __typename: "Todo", id: "1", text: "uno" }] }
      })
      expect((yield* docs.readQuery<{ todo: { shout: string } }>({ query: Q })).data!.todo.shout).toBe("UNO")
      expect(seen).toEqual(["UNO"])
      stop()
      expect((yield* docs.readQuery({ query: `{ todo(id: "2") { id } }` })).data).toBeNull()
      expect((yield* docs.readQuery({ query: `{ todo(id: "1") { id gone } }` })).complete).toBe(false)
      // a resolver's cache only reads
      const { docs: writing } = yield* setup({
        resolvers: { Query: { bad: (_p, _a, cache) => cache.invalidate("Query", "todos") } }
      })
      const exit = yield* Effect.exit(writing.readQuery({ query: `{ bad }` }))
      expect(exit._tag).toBe("Failure")
    }))
})

describe("EntityGraph.mutate without a schema", () => {
  it.scoped("writes the optimistic and real results' entities found by their registered __typename", () =>
    Effect.gen(function*() {
      const Todo = Normalize.entity(Schema.Struct({ id: Schema.String, favorite: Schema.Boolean }), {
        typename: "Todo"
      })
      const graph = yield* EntityGraph.make()
      yield* graph.writeQuery("todos", null, Schema.Array(Todo), [{ id: "1", favorite: false }])
      const seen = yield* Ref.make<Array<boolean>>([])
      const gate = yield* Effect.makeLatch(false)
      const read = graph.readQuery("todos", null, Schema.Array(Todo)).pipe(Effect.map((r) => r.data![0]!.favorite))
      const fiber = yield* graph.mutate({
        name: "favoriteTodo",
        args: { id: "1" },
        optimistic: (args) => ({ favoriteTodo: { __typename: "Todo", id: args.id, favorite: true } }),
        run: gate.await.pipe(Effect.as({ favoriteTodo: { __typename: "Todo", id: "1", favorite: false } })),
        updates: (result) => Ref.update(seen, (s) => [...s, result.favoriteTodo.favorite])
      }).pipe(Effect.fork)
      yield* graph.watch("todos", null, Schema.Array(Todo)).pipe(
        Stream.filter((r) => r.data?.[0]?.favorite === true),
        Stream.take(1),
        Stream.runDrain
      )
      yield* gate.open
      yield* fiber.await
      expect(yield* read).toBe(false)
      expect(yield* Ref.get(seen)).toEqual([true, false])
    }))
})
