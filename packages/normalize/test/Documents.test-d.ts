/**
 * Type tests of the typed front ends: a `TypedDocumentNode` types the data and the variables of
 * `Documents` reads and writes, and an entity Schema types `EntityGraph`'s reads, writes and
 * policy-shaped queries. Checked by `tsc` (vitest's typecheck mode), never run.
 *
 * Left out on purpose, being loose rather than true: `variables` may be omitted, or carry extra
 * names, whatever the document declares (`QueryInput.variables` is optional, and `Vars` is
 * inferred from the variables given); and a literal `data` widens `A` past the Schema's literal
 * types (`__typename: "Author"` written inline does not compile: pass a value of the type).
 * Over-approximated, so not pinned either: `query` under `CacheOnly` keeps the fetch's failure
 * and requirements although it never fetches.
 */
import { Documents, EntityGraph } from "@cachet/normalize"
import { Context, Effect, Schema } from "effect"
import type { Stream } from "effect"
import { describe, expectTypeOf, it } from "vitest"

interface Todo {
  readonly __typename: "Todo"
  readonly id: string
  readonly text: string
}

declare const TodosQuery: Documents.TypedDocumentNode<{ todos: Array<Todo> }, { skip: number }>
declare const TodoFields: Documents.TypedDocumentNode<{ id: string; text: string }, { locale: string }>
declare const docs: Documents.Service

describe("Documents with a TypedDocumentNode", () => {
  it("readQuery's data is the document's result type, or null", () => {
    const read = docs.readQuery({ query: TodosQuery, variables: { skip: 0 } })
    expectTypeOf(read).toEqualTypeOf<Effect.Effect<EntityGraph.ReadResult<{ todos: Array<Todo> }>>>()
    expectTypeOf<Effect.Effect.Success<typeof read>["data"]>().toEqualTypeOf<{ todos: Array<Todo> } | null>()
    expectTypeOf(docs.readQuerySync({ query: TodosQuery, variables: { skip: 0 } }).data)
      .toEqualTypeOf<{ todos: Array<Todo> } | null>()
  })

  it("the variables must be the document's", () => {
    // @ts-expect-error `skip` is a number
    docs.readQuery({ query: TodosQuery, variables: { skip: "0" } })
  })

  it("writes take the document's result type", () => {
    expectTypeOf(docs.writeQuery({ query: TodosQuery, variables: { skip: 0 }, data: { todos: [] } }))
      .toEqualTypeOf<Effect.Effect<void>>()
    // @ts-expect-error `todos` holds todos, not strings
    docs.writeQuery({ query: TodosQuery, variables: { skip: 0 }, data: { todos: ["a"] } })
    expectTypeOf(docs.writeResult({ query: TodosQuery, data: { todos: [] } }))
      .toEqualTypeOf<Effect.Effect<void, Documents.InvalidCacheCall>>()
  })

  it("fragments: typed data and variables", () => {
    expectTypeOf(docs.readFragment(TodoFields, "Todo:1", { locale: "en" }))
      .toEqualTypeOf<Effect.Effect<{ id: string; text: string } | null>>()
    // @ts-expect-error `locale` is a string
    docs.readFragment(TodoFields, "Todo:1", { locale: 1 })
  })

  it("watch and subscribe carry the result type", () => {
    expectTypeOf(docs.watch({ query: TodosQuery, variables: { skip: 0 } }))
      .toEqualTypeOf<Stream.Stream<EntityGraph.ReadResult<{ todos: Array<Todo> }>>>()
    docs.subscribe({ query: TodosQuery, variables: { skip: 0 } }, (result) => {
      expectTypeOf(result.data).toEqualTypeOf<{ todos: Array<Todo> } | null>()
    })
  })

  it("mutate: the run's result must be the document's, its failure and requirements are kept", () => {
    class Api extends Context.Tag("Api")<Api, { readonly todos: Effect.Effect<{ todos: Array<Todo> }, ApiError> }>() {}
    class ApiError extends Schema.TaggedError<ApiError>()("ApiError", {}) {}
    const run = Effect.flatMap(Api, (api) => api.todos)
    expectTypeOf(docs.mutate({ query: TodosQuery, variables: { skip: 0 }, run }))
      .toEqualTypeOf<Effect.Effect<{ todos: Array<Todo> }, ApiError | Documents.InvalidCacheCall, Api>>()
    // @ts-expect-error the run returns a number, the document's result is `{ todos }`
    docs.mutate({ query: TodosQuery, run: Effect.succeed(1) })
  })

  it("an untyped document (text or DocumentNode) reads DataObject", () => {
    expectTypeOf(docs.readQuerySync({ query: "{ todos { id } }" }).data).toEqualTypeOf<Documents.DataObject | null>()
  })
})

const Author = Schema.Struct({ __typename: Schema.Literal("Author"), id: Schema.String, name: Schema.String })
type Author = typeof Author.Type
class Api extends Context.Tag("Api")<Api, { readonly author: (id: string) => Effect.Effect<Author, NotFound> }>() {}
class NotFound extends Schema.TaggedError<NotFound>()("NotFound", { id: Schema.String }) {}
declare const graph: EntityGraph.Service

describe("EntityGraph with a Schema", () => {
  it("readQuery and readFragment read the Schema's type", () => {
    expectTypeOf(graph.readQuery("author", { id: "1" }, Author))
      .toEqualTypeOf<Effect.Effect<EntityGraph.ReadResult<Author>>>()
    expectTypeOf(graph.readFragment(Author, "Author:1")).toEqualTypeOf<Effect.Effect<EntityGraph.ReadResult<Author>>>()
  })

  it("writes take the Schema's type", () => {
    const ada: Author = { __typename: "Author", id: "1", name: "Ada" }
    expectTypeOf(graph.writeQuery("author", { id: "1" }, Author, ada)).toEqualTypeOf<Effect.Effect<void>>()
    expectTypeOf(graph.writeFragment(Author, ada)).toEqualTypeOf<Effect.Effect<string | null>>()
    // @ts-expect-error `name` is missing
    graph.writeQuery("author", { id: "1" }, Author, { __typename: "Author" as const, id: "1" })
    // @ts-expect-error arguments are key parts: JSON-like data, not functions
    graph.readQuery("author", { id: () => "1" }, Author)
  })

  it("a Schema that needs a service does not compile", () => {
    const NeedsApi = Author as unknown as Schema.Schema<Author, typeof Author.Encoded, Api>
    // @ts-expect-error the entity Schema must need nothing
    graph.readQuery("author", { id: "1" }, NeedsApi)
  })

  it("query: an Effect of the read result (a Stream under CacheAndNetwork), the fetch's E and R", () => {
    const fetch = Effect.flatMap(Api, (api) => api.author("1"))
    expectTypeOf(graph.query({ field: "author", args: { id: "1" }, schema: Author, fetch }))
      .toEqualTypeOf<Effect.Effect<EntityGraph.ReadResult<Author>, NotFound, Api>>()
    expectTypeOf(graph.query({ field: "author", schema: Author, fetch, policy: "NetworkOnly" }))
      .toEqualTypeOf<Effect.Effect<EntityGraph.ReadResult<Author>, NotFound, Api>>()
    expectTypeOf(graph.query({ field: "author", schema: Author, fetch, policy: "CacheAndNetwork" }))
      .toEqualTypeOf<Stream.Stream<EntityGraph.ReadResult<Author>, NotFound, Api>>()
    // @ts-expect-error the fetch returns a string, the Schema says an author
    graph.query({ field: "author", schema: Author, fetch: Effect.succeed("Ada") })
  })

  it("mutate: the run's value, failure and requirements, plus InvalidCacheCall", () => {
    const run = Effect.flatMap(Api, (api) => api.author("1"))
    expectTypeOf(graph.mutate({ name: "renameAuthor", args: { id: "1" }, schema: Author, run }))
      .toEqualTypeOf<Effect.Effect<Author, NotFound | EntityGraph.InvalidCacheCall, Api>>()
  })
})
