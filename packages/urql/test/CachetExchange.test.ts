import { MemoryStore, Store } from "@cachet/core"
import type { CachetExchange } from "@cachet/urql"
import { cachetExchange } from "@cachet/urql"
import { describe, expect, it } from "@effect/vitest"
import type { Exchange, Operation, OperationResult } from "@urql/core"
import { Client, fetchExchange, gql, ssrExchange } from "@urql/core"
import { retryExchange } from "@urql/exchange-retry"
import { Context, Deferred, Effect, Exit } from "effect"
import { onPush, pipe, subscribe } from "wonka"

import { introspection, start } from "./server.js"

interface Todo {
  __typename?: "Todo"
  id: string
  text: string
  favorite: boolean
}
type TodosData = { todos: Array<Todo> }

const Todos = gql<TodosData>`
  query Todos {
    todos { id text favorite }
  }
`
const AddTodo = gql`
  mutation AddTodo($text: String!) {
    addTodo(text: $text) { id text favorite }
  }
`

const clientFor = (url: string, config: CachetExchange.Options = {}) =>
  new Client({ url, exchanges: [cachetExchange(config), fetchExchange] })

/** The results of a query, pushed as they come; `next(n)` waits until there are `n`. */
const observe = (client: Client, requestPolicy?: "cache-and-network" | "cache-first" | "cache-only") =>
  Effect.gen(function*() {
    const results: Array<OperationResult<TodosData>> = []
    const waiters: Array<{ readonly n: number; readonly done: Deferred.Deferred<void> }> = []
    const matchers: Array<
      {
        readonly f: (r: OperationResult<TodosData>) => boolean
        readonly done: Deferred.Deferred<OperationResult<TodosData>>
      }
    > = []
    const { unsubscribe } = pipe(
      client.query(Todos, {}, requestPolicy === undefined ? {} : { requestPolicy }),
      subscribe((result) => {
        results.push(result)
        for (const w of waiters) if (results.length >= w.n) Deferred.unsafeDone(w.done, Exit.void)
        for (const m of matchers) if (m.f(result)) Deferred.unsafeDone(m.done, Exit.succeed(result))
      })
    )
    yield* Effect.addFinalizer(() => Effect.sync(unsubscribe))
    const next = (n: number) =>
      Effect.gen(function*() {
        const done = yield* Deferred.make<void>()
        waiters.push({ n, done })
        if (results.length >= n) yield* Deferred.succeed(done, undefined)
        yield* Deferred.await(done)
        return results[n - 1]!
      })
    const until = (f: (r: OperationResult<TodosData>) => boolean) =>
      Effect.gen(function*() {
        const done = yield* Deferred.make<OperationResult<TodosData>>()
        matchers.push({ f, done })
        const found = results.find(f)
        if (found !== undefined) yield* Deferred.succeed(done, found)
        return yield* Deferred.await(done)
      })
    return { results, next, until }
  })

const texts = (result: OperationResult<TodosData>) => result.data?.todos.map((t) => t.text)

describe("cachetExchange with fetchExchange over real HTTP", () => {
  it.scoped("a query from the network then from the cache, with __typename added to what is sent", () =>
    Effect.gen(function*() {
      const server = yield* start
      const client = clientFor(server.url)
      const first = yield* Effect.promise(() => client.query(Todos, {}).toPromise())
      expect(texts(first)).toEqual(["one", "two"])
      // as with Graphcache, the data is what the document selects: the __typename sent on is not in it
      expect(first.data!.todos[0]).not.toHaveProperty("__typename")
      expect(first.operation.context.meta?.cacheOutcome).toBe("miss")
      const second = yield* Effect.promise(() => client.query(Todos, {}).toPromise())
      expect(second.data).toEqual(first.data)
      expect(second.operation.context.meta?.cacheOutcome).toBe("hit")
      expect(server.received.length).toBe(1)
      expect(server.received[0]).toContain("__typename")
    }))

  it.scoped("a mutation with an updater re-delivers the active query", () =>
    Effect.gen(function*() {
      const server = yield* start
      const client = clientFor(server.url, {
        updates: {
          Mutation: {
            addTodo: (result, _args, cache) => {
              cache.updateQuery<TodosData>({ query: Todos }, (data) => {
                data?.todos.push(result.addTodo as unknown as Todo)
                return data
              })
            }
          }
        }
      })
      const query = yield* observe(client)
      expect(texts(yield* query.next(1))).toEqual(["one", "two"])
      const added = yield* Effect.promise(() => client.mutation(AddTodo, { text: "three" }).toPromise())
      expect(added.data.addTodo.text).toBe("three")
      expect(texts(yield* query.next(2))).toEqual(["one", "two", "three"])
      expect(server.received.filter((q) => q.includes("query Todos")).length).toBe(1)
    }))

  it.scoped("an invalidation in an updater refetches the active query that read the data", () =>
    Effect.gen(function*() {
      const server = yield* start
      const client = clientFor(server.url, {
        updates: { Mutation: { addTodo: (_result, _args, cache) => cache.invalidate("Query", "todos") } }
      })
      const query = yield* observe(client)
      expect(texts(yield* query.next(1))).toEqual(["one", "two"])
      yield* Effect.promise(() => client.mutation(AddTodo, { text: "three" }).toPromise())
      // urql's client re-emits the last result (stale) when the query is re-executed, then the refetched one
      const refetched = yield* query.until((r) => r.data?.todos.length === 3)
      expect(refetched.stale).toBe(false)
      expect(server.received.filter((q) => q.includes("query Todos")).length).toBe(2)
    }))

  it.scoped("cache-and-network delivers the cached data (stale) then the fresh data", () =>
    Effect.gen(function*() {
      const server = yield* start
      const client = clientFor(server.url)
      yield* Effect.promise(() => client.query(Todos, {}).toPromise())
      server.todos[0]!.text = "one, changed on the server"
      const query = yield* observe(client, "cache-and-network")
      const cached = yield* query.next(1)
      expect(texts(cached)).toEqual(["one", "two"])
      expect(cached.stale).toBe(true)
      const fresh = yield* query.next(2)
      expect(texts(fresh)).toEqual(["one, changed on the server", "two"])
      expect(fresh.stale).toBe(false)
    }))

  it.scoped("cache-only never asks the network; network-only always does", () =>
    Effect.gen(function*() {
      const server = yield* start
      const client = clientFor(server.url)
      const empty = yield* Effect.promise(() => client.query(Todos, {}, { requestPolicy: "cache-only" }).toPromise())
      expect(empty.data).toBeNull()
      expect(server.received.length).toBe(0)
      yield* Effect.promise(() => client.query(Todos, {}, { requestPolicy: "network-only" }).toPromise())
      yield* Effect.promise(() => client.query(Todos, {}, { requestPolicy: "network-only" }).toPromise())
      expect(server.received.length).toBe(2)
      const cached = yield* Effect.promise(() => client.query(Todos, {}, { requestPolicy: "cache-only" }).toPromise())
      expect(texts(cached)).toEqual(["one", "two"])
    }))

  it.scoped("an active cache-only query whose data is invalidated is re-executed cache-first (Graphcache's rule)", () =>
    Effect.gen(function*() {
      const server = yield* start
      const forwarded: Array<Operation> = []
      const spy: Exchange = ({ forward }) => (operations$) =>
        forward(pipe(operations$, onPush((op) => void forwarded.push(op))))
      const client = new Client({
        url: server.url,
        exchanges: [
          cachetExchange({ updates: { Mutation: { addTodo: (_r, _a, cache) => cache.invalidate("Query", "todos") } } }),
          spy,
          fetchExchange
        ]
      })
      yield* Effect.promise(() => client.query(Todos, {}).toPromise())
      const query = yield* observe(client, "cache-only")
      expect(texts(yield* query.next(1))).toEqual(["one", "two"])
      yield* Effect.promise(() => client.mutation(AddTodo, { text: "three" }).toPromise())
      // dependent queries are re-executed through the client as cache-first, whatever their policy was
      const queries = forwarded.filter((op) => op.kind === "query")
      expect(queries.length).toBe(2)
      expect(queries[1]!.context.requestPolicy).toBe("cache-first")
    }))

  it.scoped("an optimistic result shows at once and is reverted when the mutation fails", () =>
    Effect.gen(function*() {
      const server = yield* start
      const client = clientFor(server.url, {
        optimistic: {
          favoriteTodo: (args) => ({ __typename: "Todo", id: args.id as string, favorite: true }),
          failing: (args) => ({ __typename: "Todo", id: args.id as string, favorite: true })
        }
      })
      const query = yield* observe(client)
      yield* query.next(1)
      const failed = yield* Effect.promise(() =>
        client.mutation(gql`mutation ($id: ID!) { failing(id: $id) { id favorite } }`, { id: "1" }).toPromise()
      )
      expect(failed.error?.message).toContain("refused")
      const optimistic = yield* query.next(2)
      const reverted = yield* query.next(3)
      expect(optimistic.data!.todos[0]!.favorite).toBe(true)
      expect(reverted.data!.todos[0]!.favorite).toBe(false)
      yield* Effect.promise(() =>
        client.mutation(gql`mutation ($id: ID!) { favoriteTodo(id: $id) { id favorite } }`, { id: "2" }).toPromise()
      )
      expect((yield* query.next(4)).data!.todos[1]!.favorite).toBe(true)
    }))

  it.scoped("with a schema, a query none of whose root fields is cached is a miss; a resolver redirects to cached data", () =>
    Effect.gen(function*() {
      const server = yield* start
      const TodoQuery = gql<{ todo: Todo | null }>`query Todo($id: ID!) { todo(id: $id) { id text favorite } }`
      const schema = introspection()
      const client = clientFor(server.url, { schema })
      yield* Effect.promise(() => client.query(Todos, {}).toPromise())
      const results: Array<OperationResult<{ todo: Todo | null }>> = []
      const done = yield* Deferred.make<void>()
      const { unsubscribe } = pipe(
        client.query(TodoQuery, { id: "1" }),
        subscribe((result) => {
          results.push(result)
          if (result.data?.todo != null) Deferred.unsafeDone(done, Exit.void)
        })
      )
      yield* Deferred.await(done)
      unsubscribe()
      // Graphcache's rule: partial data without any of the root fields is no data, so the server answers first
      expect(results[0]!.data!.todo!.text).toBe("one")
      expect(results[0]!.stale).toBe(false)
      expect(results[0]!.operation.context.meta?.cacheOutcome).toBe("miss")
      expect(server.received.length).toBe(2)

      const redirecting = clientFor(server.url, {
        schema,
        resolvers: { Query: { todo: (_parent, args) => ({ __typename: "Todo", id: args.id as string }) } }
      })
      yield* Effect.promise(() => redirecting.query(Todos, {}).toPromise())
      const redirected = yield* Effect.promise(() => redirecting.query(TodoQuery, { id: "2" }).toPromise())
      expect(redirected.data!.todo!.text).toBe("two")
      expect(redirected.stale).toBe(false)
      expect(server.received.length).toBe(3)
    }))

  it.scoped("ssrExchange: results captured on the server are replayed into the graph without a request", () =>
    Effect.gen(function*() {
      const server = yield* start
      const onServer = ssrExchange({ isClient: false })
      const serverClient = new Client({ url: server.url, exchanges: [cachetExchange(), onServer, fetchExchange] })
      yield* Effect.promise(() => serverClient.query(Todos, {}).toPromise())
      const onClient = ssrExchange({ isClient: true, initialState: onServer.extractData() })
      const browser = new Client({ url: server.url, exchanges: [cachetExchange(), onClient, fetchExchange] })
      const replayed = yield* Effect.promise(() => browser.query(Todos, {}).toPromise())
      expect(texts(replayed)).toEqual(["one", "two"])
      const cached = yield* Effect.promise(() => browser.query(Todos, {}, { requestPolicy: "cache-only" }).toPromise())
      expect(texts(cached)).toEqual(["one", "two"])
      expect(server.received.length).toBe(1)
    }))

  it.scoped("retryExchange: a network error is retried in urql's usual order, and the retried result lands in the graph", () =>
    Effect.gen(function*() {
      const server = yield* start
      server.failNext = 2
      const client = new Client({
        url: server.url,
        exchanges: [
          cachetExchange(),
          retryExchange({ initialDelayMs: 1, maxDelayMs: 5, randomDelay: false, maxNumberAttempts: 5 }),
          fetchExchange
        ]
      })
      const result = yield* Effect.promise(() => client.query(Todos, {}).toPromise())
      expect(result.error).toBeUndefined()
      expect(texts(result)).toEqual(["one", "two"])
      expect(server.received.length).toBe(3)
      const cached = yield* Effect.promise(() => client.query(Todos, {}, { requestPolicy: "cache-only" }).toPromise())
      expect(texts(cached)).toEqual(["one", "two"])
      expect(server.received.length).toBe(3)
    }))

  it.scoped("storage: a new client restores the graph saved by the previous one", () =>
    Effect.gen(function*() {
      const server = yield* start
      const memory = Context.get(Store.context(yield* MemoryStore.make()), Store.Store)
      const first = clientFor(server.url, { storage: { store: memory } })
      yield* Effect.promise(() => first.query(Todos, {}).toPromise())
      const second = clientFor(server.url, { storage: { store: memory } })
      const restored = yield* Effect.promise(() => second.query(Todos, {}, { requestPolicy: "cache-only" }).toPromise())
      expect(texts(restored)).toEqual(["one", "two"])
      expect(server.received.length).toBe(1)
    }))
})
