/**
 * A small real GraphQL server over node:http on a free loopback port (graphql-js), with the
 * todos schema of urql's documentation, for the exchange's end-to-end tests.
 */
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"

import { Effect } from "effect"
import { buildSchema, graphql, introspectionFromSchema } from "graphql"

/** The server's schema, introspected (for `cachetExchange({ schema })`). */
export const introspection = () => introspectionFromSchema(schema)

const schema = buildSchema(`
  type Todo { id: ID! text: String! favorite: Boolean! }
  type Query { todos: [Todo!]! todo(id: ID!): Todo }
  type Mutation {
    addTodo(text: String!): Todo!
    favoriteTodo(id: ID!): Todo!
    failing(id: ID!): Todo!
  }
`)

export interface TodoRow {
  id: string
  text: string
  favorite: boolean
}

/** The server's state and what it was sent. */
export interface TestServer {
  readonly url: string
  readonly todos: Array<TodoRow>
  /** The query text of every request, in order. */
  readonly received: Array<string>
  /** How many of the next requests answer 503 with a non-JSON body (a network error to urql). */
  failNext: number
}

/** Starts the server for the scope; closes it when the scope closes. */
export const start = Effect.acquireRelease(
  Effect.async<{ server: ReturnType<typeof createServer>; state: TestServer }>((resume) => {
    const todos: Array<TodoRow> = [
      { id: "1", text: "one", favorite: false },
      { id: "2", text: "two", favorite: false }
    ]
    const received: Array<string> = []
    const state: { url: string; todos: Array<TodoRow>; received: Array<string>; failNext: number } = {
      url: "",
      todos,
      received,
      failNext: 0
    }
    let next = 3
    const rootValue = {
      todos: () => todos,
      todo: ({ id }: { id: string }) => todos.find((t) => t.id === id) ?? null,
      addTodo: ({ text }: { text: string }) => {
        const todo = { id: String(next++), text, favorite: false }
        todos.push(todo)
        return todo
      },
      favoriteTodo: ({ id }: { id: string }) => {
        const todo = todos.find((t) => t.id === id)!
        todo.favorite = true
        return todo
      },
      failing: () => {
        throw new Error("refused")
      }
    }
    const server = createServer((req, res) => {
      let body = ""
      req.on("data", (chunk) => (body += chunk))
      req.on("end", () => {
        const params = new URL(req.url ?? "/", "http://127.0.0.1").searchParams
        const { query, variables } = req.method === "GET"
          ? {
            query: params.get("query") ?? "",
            variables: JSON.parse(params.get("variables") ?? "{}") as Record<string, unknown>
          }
          : JSON.parse(body) as { query: string; variables?: Record<string, unknown> }
        received.push(query)
        if (state.failNext > 0) {
          state.failNext--
          res.writeHead(503, { "content-type": "text/plain" })
          res.end("unavailable")
          return
        }
        void graphql({ schema, source: query, rootValue, variableValues: variables ?? null }).then((result) => {
          res.writeHead(200, { "content-type": "application/json" })
          res.end(JSON.stringify(result))
        })
      })
    })
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo
      state.url = `http://127.0.0.1:${port}/graphql`
      resume(Effect.succeed({ server, state }))
    })
  }),
  ({ server }) =>
    Effect.async<void>((resume) => {
      server.closeAllConnections()
      server.close(() => resume(Effect.void))
    })
).pipe(Effect.map(({ state }) => state))
