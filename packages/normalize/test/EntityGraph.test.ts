import { MemoryStore, Store } from "@cachet/core"
import { EntityGraph, Normalize } from "@cachet/normalize"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Either, Fiber, Option, Ref, Schema, Stream, TestClock } from "effect"

import { Author, Post, Posts, Todo, todo, TodoFavorite, Todos } from "./fixtures.js"

const settle = Effect.repeatN(Effect.yieldNow(), 20)

describe("EntityGraph", () => {
  describe("normalization", () => {
    it.scoped("stores each entity once: a write through one query is seen by every query", () =>
      Effect.gen(function*() {
        const graph = yield* EntityGraph.make()
        const ada = { id: "a1", name: "Ada" }
        yield* graph.writeQuery("posts", { skip: 0 }, Posts, [{ id: "p1", title: "One", author: ada }])
        yield* graph.writeQuery("post", { id: "p2" }, Post, { id: "p2", title: "Two", author: ada })
        yield* graph.writeQuery("author", { id: "a1" }, Author, { id: "a1", name: "Ada L." })
        const page = yield* graph.readQuery("posts", { skip: 0 }, Posts)
        const single = yield* graph.readQuery("post", { id: "p2" }, Post)
        expect(page.data![0]!.author.name).toBe("Ada L.")
        expect(single.data!.author.name).toBe("Ada L.")
        expect(page.data![0]!.author).toBe(single.data!.author)
        expect(yield* graph.resolve("Post:p1", "author")).toBe("Author:a1")
        expect(yield* graph.resolve({ __typename: "Author", id: "a1" }, "name")).toBe("Ada L.")
        expect((yield* graph.inspectFields("Query")).map((f) => f.fieldKey).sort()).toEqual([
          "author({\"id\":\"a1\"})",
          "post({\"id\":\"p2\"})",
          "posts({\"skip\":0})"
        ])
      }))

    it.scoped("re-reads keep the identity of unchanged sub-trees and rebuild what changed", () =>
      Effect.gen(function*() {
        const graph = yield* EntityGraph.make()
        const data = Array.from({ length: 20 }, (_, i) => ({
          id: `p${i}`,
          title: `Post ${i}`,
          author: { id: `a${i % 4}`, name: `Author ${i % 4}` }
        }))
        yield* graph.writeQuery("posts", null, Posts, data)
        const before = (yield* graph.readQuery("posts", null, Posts)).data!
        expect((yield* graph.readQuery("posts", null, Posts)).data).toBe(before)
        yield* graph.writeFragment(Author, { id: "a1", name: "Renamed" })
        const after = (yield* graph.readQuery("posts", null, Posts)).data!
        expect(after).not.toBe(before)
        after.forEach((post, i) => {
          if (i % 4 === 1) {
            expect(post).not.toBe(before[i])
            expect(post.author.name).toBe("Renamed")
          } else expect(post).toBe(before[i])
        })
        // writing equal data changes nothing
        yield* graph.writeQuery(
          "posts",
          null,
          Posts,
          (yield* graph.readQuery("posts", null, Posts)).data!.map((p) => ({ ...p }))
        )
        expect((yield* graph.readQuery("posts", null, Posts)).data).toBe(after)
      }))

    it.scoped("custom and composite keys (Houdini's keys: ['firstName', 'lastName'])", () =>
      Effect.gen(function*() {
        const User = Normalize.entity(
          Schema.Struct({ firstName: Schema.String, lastName: Schema.String, age: Schema.Number }),
          { typename: "User", keys: ["firstName", "lastName"] }
        )
        const Isbn = Normalize.entity(Schema.Struct({ isbn: Schema.String, title: Schema.String }), {
          typename: "Book",
          keys: (book) => book.isbn.replace(/-/g, "")
        })
        const graph = yield* EntityGraph.make()
        const key = yield* graph.writeFragment(User, { firstName: "Ada", lastName: "Lovelace", age: 36 })
        expect(key).toBe(`User:{"firstName":"Ada","lastName":"Lovelace"}`)
        expect(Normalize.keyOf(User, { firstName: "Ada", lastName: "Lovelace", age: 1 })).toBe(key)
        expect(yield* graph.keyOf({ __typename: "User", firstName: "Ada", lastName: "Lovelace" })).toBe(key)
        // "a:b" + "c" and "a" + "b:c" never collide
        const k1 = yield* graph.writeFragment(User, { firstName: "a:b", lastName: "c", age: 1 })
        const k2 = yield* graph.writeFragment(User, { firstName: "a", lastName: "b:c", age: 2 })
        expect(k1).not.toBe(k2)
        expect((yield* graph.readFragment(User, k1!)).data!.age).toBe(1)
        expect(yield* graph.writeFragment(Isbn, { isbn: "978-0-13", title: "T" })).toBe("Book:978013")
        expect((yield* graph.readFragment(Isbn, "Book:978013")).data).toEqual({ isbn: "978-0-13", title: "T" })
      }))

    it.scoped("embedded objects holding entities, nullable links, nested lists and unions", () =>
      Effect.gen(function*() {
        const Cat = Normalize.entity(Schema.Struct({ id: Schema.String, meows: Schema.Boolean }), { typename: "Cat" })
        const Dog = Normalize.entity(Schema.Struct({ id: Schema.String, barks: Schema.Boolean }), { typename: "Dog" })
        const Feed = Schema.Struct({
          meta: Schema.Struct({ total: Schema.Number, tags: Schema.Array(Schema.String) }),
          best: Schema.NullOr(Author),
          grid: Schema.Array(Schema.Array(Schema.NullOr(Author))),
          pets: Schema.Array(Schema.Union(Cat, Dog)),
          at: Schema.Date
        })
        const graph = yield* EntityGraph.make()
        const data = {
          meta: { total: 2, tags: ["x"] },
          best: null,
          grid: [[{ id: "a1", name: "Ada" }, null], [{ id: "a2", name: "Bob" }]],
          pets: [{ id: "c1", meows: true }, { id: "d1", barks: false }],
          at: new Date(0)
        }
        yield* graph.writeQuery("feed", null, Feed, data)
        expect((yield* graph.readQuery("feed", null, Feed)).data).toEqual(data)
        expect(yield* graph.resolve("Query", "feed")).toBe("Query.feed")
        expect(yield* graph.resolve("Query.feed", "pets")).toEqual(["Cat:c1", "Dog:d1"])
        expect(yield* graph.resolve("Query.feed", "grid")).toEqual([["Author:a1", null], ["Author:a2"]])
      }))
  })

  describe("partial reads", () => {
    const Profile = Schema.Struct({
      id: Schema.String,
      name: Schema.String,
      bio: Schema.NullOr(Schema.String),
      nick: Schema.optional(Schema.String)
    })
    const User = Normalize.entity(Profile, { typename: "User" })
    const UserName = Normalize.entity(Schema.Struct({ id: Schema.String, name: Schema.String }), { typename: "User" })
    const Page = Schema.Struct({ owner: Schema.NullOr(User), count: Schema.Number })

    it.scoped("missing nullable fields read as null, a missing required field nulls its nearest nullable parent", () =>
      Effect.gen(function*() {
        const graph = yield* EntityGraph.make()
        yield* graph.writeQuery("user", null, UserName, { id: "1", name: "Ada" })
        expect(yield* graph.readQuery("user", null, User)).toEqual({ data: null, complete: false, stale: false })
        expect(yield* graph.readQuery("user", null, User, { partial: true })).toEqual({
          data: { id: "1", name: "Ada", bio: null },
          complete: false,
          stale: false
        })
        yield* graph.writeQuery("page", null, Schema.Struct({ owner: UserName, count: Schema.Number }), {
          owner: { id: "2", name: "Bob" },
          count: 3
        })
        yield* graph.invalidate("User:2", "name")
        // owner is missing its required name: owner (nullable) becomes null
        expect(yield* graph.readQuery("page", null, Page, { partial: true })).toEqual({
          data: { owner: null, count: 3 },
          complete: false,
          stale: false
        })
        // no nullable parent: the whole result is null
        expect(
          (yield* graph.readQuery("page", null, Schema.Struct({ owner: User, count: Schema.Number }), {
            partial: true
          })).data
        )
          .toBeNull()
        // an absent optional field, once written, reads as absent and complete
        yield* graph.writeFragment(User, { id: "1", name: "Ada", bio: null })
        expect(yield* graph.readQuery("user", null, User)).toEqual({
          data: { id: "1", name: "Ada", bio: null },
          complete: true,
          stale: false
        })
      }))
  })

  describe("urql updaters", () => {
    const CreateTodo = TodoFavorite

    it.scoped("createTodo appends the new todo to the list (updateQuery, then link/resolve)", () =>
      Effect.gen(function*() {
        const graph = yield* EntityGraph.make()
        yield* graph.writeQuery("todos", null, Todos, [todo("1"), todo("2")])
        const created = yield* graph.mutate({
          name: "createTodo",
          args: { text: "three" },
          schema: Todo,
          run: Effect.succeed(todo("3", "three")),
          updates: (result, _args, tx) =>
            tx.updateQuery("todos", null, Todos, (data) => (data === null ? null : [...data, result]))
        })
        expect(created.id).toBe("3")
        expect((yield* graph.readQuery("todos", null, Todos)).data!.map((t) => t.text)).toEqual([
          "todo 1",
          "todo 2",
          "three"
        ])
        yield* graph.mutate({
          name: "createTodo",
          args: { text: "four" },
          schema: Todo,
          run: Effect.succeed(todo("4", "four")),
          updates: (result, _args, tx) =>
            Effect.gen(function*() {
              const todos = yield* tx.resolve("Query", "todos")
              const key = yield* tx.keyOf({ __typename: "Todo", ...result })
              if (Array.isArray(todos) && key !== null) yield* tx.link("Query", "todos", [...todos, key])
            })
        })
        expect((yield* graph.readQuery("todos", null, Todos)).data!.map((t) => t.id)).toEqual(["1", "2", "3", "4"])
        void CreateTodo
      }))

    it.scoped("removeTodo filters every todos(skip) page found by inspectFields", () =>
      Effect.gen(function*() {
        const graph = yield* EntityGraph.make()
        yield* graph.writeQuery("todos", { skip: 0 }, Todos, [todo("1"), todo("2")])
        yield* graph.writeQuery("todos", { skip: 2 }, Todos, [todo("3"), todo("2")])
        yield* graph.writeQuery("todo", { id: "2" }, Todo, todo("2"))
        yield* graph.mutate({
          name: "removeTodo",
          args: { id: "2" },
          run: Effect.succeed(true),
          updates: (_result, args, tx) =>
            Effect.gen(function*() {
              const fields = (yield* tx.inspectFields("Query")).filter((field) => field.fieldName === "todos")
              expect(fields.map((f) => f.arguments)).toEqual([{ skip: 0 }, { skip: 2 }])
              for (const field of fields) {
                yield* tx.updateQuery(
                  "todos",
                  { skip: field.arguments!.skip as number },
                  Todos,
                  (data) => data === null ? null : data.filter((t) => t.id !== args.id)
                )
              }
            })
        })
        expect((yield* graph.readQuery("todos", { skip: 0 }, Todos)).data!.map((t) => t.id)).toEqual(["1"])
        expect((yield* graph.readQuery("todos", { skip: 2 }, Todos)).data!.map((t) => t.id)).toEqual(["3"])
      }))

    it.scoped("invalidating an entity makes every query showing it incomplete; invalidating a field only that field", () =>
      Effect.gen(function*() {
        const graph = yield* EntityGraph.make()
        yield* graph.writeQuery("todos", { skip: 0 }, Todos, [todo("1"), todo("2")])
        yield* graph.writeQuery("todos", { skip: 2 }, Todos, [todo("3")])
        yield* graph.writeQuery("todo", { id: "2" }, Todo, todo("2"))

        // field: the lists are dropped, the entities stay
        for (const field of (yield* graph.inspectFields("Query")).filter((f) => f.fieldName === "todos")) {
          yield* graph.invalidate("Query", field.fieldKey)
        }
        expect((yield* graph.readQuery("todos", { skip: 0 }, Todos)).complete).toBe(false)
        expect((yield* graph.readQuery("todos", { skip: 2 }, Todos)).data).toBeNull()
        expect((yield* graph.readQuery("todo", { id: "2" }, Todo)).complete).toBe(true)
        yield* graph.writeQuery("todos", { skip: 0 }, Todos, [todo("1"), todo("2")])
        expect((yield* graph.readQuery("todos", { skip: 0 }, Todos)).complete).toBe(true)

        // field by name and arguments
        yield* graph.invalidate("Query", "todos", { skip: 0 })
        expect((yield* graph.readQuery("todos", { skip: 0 }, Todos)).complete).toBe(false)
        yield* graph.writeQuery("todos", { skip: 0 }, Todos, [todo("1"), todo("2")])

        // entity: every query that shows Todo:2 is incomplete, the others are not
        yield* graph.invalidate({ __typename: "Todo", id: "2" })
        expect((yield* graph.readQuery("todos", { skip: 0 }, Todos)).complete).toBe(false)
        expect((yield* graph.readQuery("todo", { id: "2" }, Todo)).data).toBeNull()
        expect((yield* graph.readQuery("todo", { id: "2" }, Todo, { partial: true })).data).toBeNull()
        expect((yield* graph.inspectFields("Todo:2")).length).toBe(0)
        yield* graph.writeQuery("todos", { skip: 2 }, Todos, [todo("3")])
        expect((yield* graph.readQuery("todos", { skip: 2 }, Todos)).complete).toBe(true)

        yield* graph.invalidateType("Todo")
        expect((yield* graph.readQuery("todos", { skip: 2 }, Todos)).complete).toBe(false)
      }))

    it.scoped("favoriteTodo: optimistic at once, then the real result replaces it", () =>
      Effect.gen(function*() {
        const graph = yield* EntityGraph.make()
        yield* graph.writeQuery("todos", null, Todos, [todo("1"), todo("2")])
        const seen = yield* Ref.make<Array<boolean>>([])
        const gate = yield* Effect.makeLatch(false)
        const fiber = yield* graph.mutate({
          name: "favoriteTodo",
          args: { id: "1" },
          schema: TodoFavorite,
          optimistic: (args) => ({ id: args.id, favorite: true }),
          run: gate.await.pipe(Effect.as({ id: "1", favorite: true })),
          updates: (result) => Ref.update(seen, (s) => [...s, result.favorite])
        }).pipe(Effect.fork)
        yield* settle
        expect((yield* graph.readQuery("todos", null, Todos)).data![0]!.favorite).toBe(true)
        expect(yield* graph.readFragment(TodoFavorite, "Todo:1")).toEqual({
          data: { id: "1", favorite: true },
          complete: true,
          stale: false
        })
        yield* gate.open
        yield* Fiber.join(fiber)
        expect((yield* graph.readQuery("todos", null, Todos)).data![0]!.favorite).toBe(true)
        expect(yield* Ref.get(seen)).toEqual([true, true])
      }))

    it.scoped("a failed mutation drops its optimistic layer and returns the error", () =>
      Effect.gen(function*() {
        const graph = yield* EntityGraph.make()
        yield* graph.writeQuery("todos", null, Todos, [todo("1")])
        const before = (yield* graph.readQuery("todos", null, Todos)).data
        const gate = yield* Effect.makeLatch(false)
        const fiber = yield* graph.mutate({
          name: "favoriteTodo",
          args: { id: "1" },
          schema: TodoFavorite,
          optimistic: (args) => ({ id: args.id, favorite: true }),
          run: gate.await.pipe(Effect.zipRight(Effect.fail("offline" as const)))
        }).pipe(Effect.either, Effect.fork)
        yield* settle
        expect((yield* graph.readQuery("todos", null, Todos)).data![0]!.favorite).toBe(true)
        yield* gate.open
        expect(yield* Fiber.join(fiber)).toEqual(Either.left("offline"))
        expect((yield* graph.readQuery("todos", null, Todos)).data).toEqual(before)
      }))

    it.scoped("optimistic layers stack and each rolls back on its own", () =>
      Effect.gen(function*() {
        const graph = yield* EntityGraph.make()
        yield* graph.writeQuery("todos", null, Todos, [todo("1"), todo("2")])
        const g1 = yield* Effect.makeLatch(false)
        const g2 = yield* Effect.makeLatch(false)
        const favorite = (id: string, gate: Effect.Latch, ok: boolean) =>
          graph.mutate({
            name: "favoriteTodo",
            args: { id },
            schema: TodoFavorite,
            optimistic: (args) => ({ id: args.id, favorite: true }),
            run: gate.await.pipe(Effect.zipRight(ok ? Effect.succeed({ id, favorite: false }) : Effect.fail("no")))
          }).pipe(Effect.either, Effect.fork)
        const f1 = yield* favorite("1", g1, true)
        const f2 = yield* favorite("2", g2, false)
        yield* settle
        const favorites = () =>
          graph.readQuery("todos", null, Todos).pipe(Effect.map((r) => r.data!.map((t) => t.favorite)))
        expect(yield* favorites()).toEqual([true, true])
        yield* g2.open
        yield* Fiber.join(f2)
        expect(yield* favorites()).toEqual([true, false])
        yield* g1.open
        yield* Fiber.join(f1)
        expect(yield* favorites()).toEqual([false, false])
      }))

    it.scoped("a transaction used after its updater returned fails with InvalidCacheCall", () =>
      Effect.gen(function*() {
        const graph = yield* EntityGraph.make()
        let leaked: EntityGraph.Tx | undefined
        yield* graph.mutate({
          name: "leak",
          args: {},
          run: Effect.succeed(1),
          updates: (_result, _args, tx) => Effect.sync(() => (leaked = tx))
        })
        const error = yield* Effect.flip(leaked!.writeFragment(Todo, todo("9")))
        expect(error._tag).toBe("InvalidCacheCall")
        expect(error.message).toContain("(2) Invalid Cache Call")
        expect(error.operation).toBe("writeFragment")
        expect((yield* graph.readFragment(Todo, "Todo:9")).data).toBeNull()
      }))
  })

  describe("staleness (Houdini)", () => {
    const User = Normalize.entity(
      Schema.Struct({
        id: Schema.String,
        name: Schema.String,
        capitalName: Normalize.field(Schema.String, { name: "name", args: { pattern: "capitalize" } })
      }),
      { typename: "User" }
    )
    const Counter = Normalize.entity(Schema.Struct({ id: Schema.String, totalCount: Schema.Number }), {
      typename: "UserNodes"
    })

    const setup = Effect.gen(function*() {
      const graph = yield* EntityGraph.make()
      yield* graph.writeQuery("user", { id: "1" }, User, { id: "1", name: "ada", capitalName: "Ada" })
      yield* graph.writeQuery("user", { id: "2" }, User, { id: "2", name: "bob", capitalName: "Bob" })
      yield* graph.writeQuery("nodes", null, Counter, { id: "n", totalCount: 2 })
      return graph
    })
    const stale = (graph: EntityGraph.Service) =>
      Effect.all([
        graph.readQuery("user", { id: "1" }, User),
        graph.readQuery("user", { id: "2" }, User),
        graph.readQuery("nodes", null, Counter)
      ]).pipe(Effect.map((rs) => rs.map((r) => r.stale)))

    it.scoped("markStale() marks everything; data still reads", () =>
      Effect.gen(function*() {
        const graph = yield* setup
        yield* graph.markStale()
        expect(yield* stale(graph)).toEqual([true, true, true])
        expect((yield* graph.readQuery("user", { id: "1" }, User)).data!.name).toBe("ada")
      }))

    it.scoped("markStale(type) and markStale(type, { field })", () =>
      Effect.gen(function*() {
        const graph = yield* setup
        yield* graph.markStale("UserNodes")
        expect(yield* stale(graph)).toEqual([false, false, true])
        const g2 = yield* setup
        yield* g2.markStale("UserNodes", { field: "totalCount" })
        expect(yield* stale(g2)).toEqual([false, false, true])
        const g3 = yield* setup
        yield* g3.markStale("UserNodes", { field: "id" })
        expect((yield* g3.readFragment(Schema.Struct({ totalCount: Schema.Number }), "UserNodes:n")).stale).toBe(false)
      }))

    it.scoped("markStale(entity), markStale(entity, { field }), and { field, when }", () =>
      Effect.gen(function*() {
        const graph = yield* setup
        yield* graph.markStale({ __typename: "User", id: "1" })
        expect(yield* stale(graph)).toEqual([true, false, false])

        const g2 = yield* setup
        yield* g2.markStale("User:1", { field: "name" })
        const NameOnly = Normalize.entity(Schema.Struct({ id: Schema.String, name: Schema.String }), {
          typename: "User"
        })
        expect((yield* g2.readFragment(NameOnly, "User:1")).stale).toBe(true)
        expect((yield* g2.readFragment(NameOnly, "User:2")).stale).toBe(false)

        const g3 = yield* setup
        yield* g3.markStale("User:1", { field: "name", when: { pattern: "capitalize" } })
        expect((yield* g3.readFragment(NameOnly, "User:1")).stale).toBe(false)
        expect((yield* g3.readFragment(User, "User:1")).stale).toBe(true)
        expect(yield* g3.resolve("User:1", "name", { pattern: "capitalize" })).toBe("Ada")
        // writing the field again makes it fresh
        yield* g3.writeFragment(User, { id: "1", name: "ada", capitalName: "Ada" })
        expect((yield* g3.readFragment(User, "User:1")).stale).toBe(false)
      }))

    it.scoped("defaultLifetime: data older than the lifetime reads as stale (TestClock)", () =>
      Effect.gen(function*() {
        const graph = yield* EntityGraph.make({ defaultLifetime: "7 minutes" })
        yield* graph.writeQuery("todos", null, Todos, [todo("1")])
        yield* TestClock.adjust("6 minutes")
        yield* graph.writeFragment(Todo, todo("1", "fresh"))
        expect((yield* graph.readQuery("todos", null, Todos)).stale).toBe(false)
        yield* TestClock.adjust("1 minute")
        // the list link is now 7 minutes old
        const read = yield* graph.readQuery("todos", null, Todos)
        expect(read).toEqual({ data: [todo("1", "fresh")], complete: true, stale: true })
        yield* graph.writeQuery("todos", null, Todos, [todo("1", "fresh")])
        expect((yield* graph.readQuery("todos", null, Todos)).stale).toBe(false)
      }))
  })

  describe("retention and gc", () => {
    it.scoped("keeps the last cacheBufferSize queries and what watched or retained queries reach", () =>
      Effect.gen(function*() {
        const graph = yield* EntityGraph.make({ cacheBufferSize: 2 })
        yield* graph.writeQuery("todos", { skip: 0 }, Todos, [todo("1"), todo("2")])
        yield* graph.retain("todos", { skip: 0 })
        yield* graph.writeQuery("todos", { skip: 2 }, Todos, [todo("3")])
        yield* graph.writeQuery("todos", { skip: 4 }, Todos, [todo("5")])
        yield* graph.writeQuery("todos", { skip: 6 }, Todos, [todo("7")])
        yield* graph.writeFragment(Todo, todo("orphan"))
        const removed = yield* graph.gc()
        expect(removed).toBe(2) // Todo:3 and Todo:orphan
        expect((yield* graph.readQuery("todos", { skip: 0 }, Todos)).complete).toBe(true)
        expect((yield* graph.readQuery("todos", { skip: 2 }, Todos)).complete).toBe(false)
        expect((yield* graph.readFragment(Todo, "Todo:3")).data).toBeNull()
        expect((yield* graph.readFragment(Todo, "Todo:orphan")).data).toBeNull()
        expect((yield* graph.readQuery("todos", { skip: 6 }, Todos)).complete).toBe(true)
      }))
  })

  describe("watch", () => {
    it.scoped("emits when anything the query read changes, and not for unrelated data", () =>
      Effect.gen(function*() {
        const graph = yield* EntityGraph.make()
        yield* graph.writeQuery("posts", null, Posts, [{ id: "p1", title: "One", author: { id: "a1", name: "Ada" } }])
        const seen = yield* Ref.make<Array<EntityGraph.ReadResult<typeof Posts.Type>>>([])
        yield* graph.watch("posts", null, Posts).pipe(
          Stream.runForEach((r) => Ref.update(seen, (s) => [...s, r])),
          Effect.forkScoped
        )
        yield* settle
        expect((yield* Ref.get(seen)).length).toBe(1)
        yield* graph.writeFragment(Author, { id: "a2", name: "Unrelated" })
        yield* graph.writeQuery("other", null, Todos, [todo("1")])
        yield* graph.writeFragment(Author, { id: "a1", name: "Ada" }) // same data
        yield* settle
        expect((yield* Ref.get(seen)).length).toBe(1)
        yield* graph.writeFragment(Author, { id: "a1", name: "Ada L." })
        yield* settle
        const results = yield* Ref.get(seen)
        expect(results.length).toBe(2)
        expect(results[1]!.data![0]!.author.name).toBe("Ada L.")
        yield* graph.invalidate("Post:p1")
        yield* settle
        expect((yield* Ref.get(seen)).at(-1)).toEqual({ data: null, complete: false, stale: false })
        // a relinked list makes the watcher follow the new entities
        yield* graph.writeQuery("posts", null, Posts, [{
          id: "p2",
          title: "Two",
          author: { id: "a2", name: "Unrelated" }
        }])
        yield* graph.writeFragment(Author, { id: "a2", name: "Now related" })
        yield* settle
        expect((yield* Ref.get(seen)).at(-1)!.data![0]!.author.name).toBe("Now related")
        expect((yield* Ref.get(seen)).length).toBe(5)
      }))

    it.scoped("emits when the data becomes stale with time", () =>
      Effect.gen(function*() {
        const graph = yield* EntityGraph.make({ defaultLifetime: "1 minute" })
        yield* graph.writeQuery("todos", null, Todos, [todo("1")])
        const fiber = yield* graph.watch("todos", null, Todos).pipe(Stream.take(2), Stream.runCollect, Effect.fork)
        yield* settle
        yield* TestClock.adjust("61 seconds")
        const results = Chunk.toArray(yield* Fiber.join(fiber))
        expect(results.map((r) => r.stale)).toEqual([false, true])
      }))
  })

  describe("query policies", () => {
    const fetchCounter = Effect.gen(function*() {
      const calls = yield* Ref.make(0)
      const fetch = (data: ReadonlyArray<ReturnType<typeof todo>>) =>
        Ref.update(calls, (n) => n + 1).pipe(Effect.as(data))
      return { calls, fetch }
    })

    it.scoped("CacheOrNetwork fetches only when data is missing; NetworkOnly always; CacheOnly never; NoCache never writes", () =>
      Effect.gen(function*() {
        const graph = yield* EntityGraph.make()
        const { calls, fetch } = yield* fetchCounter
        const options = { field: "todos", args: null, schema: Todos, fetch: fetch([todo("1")]) }
        expect((yield* graph.query({ ...options, policy: "CacheOnly" })).data).toBeNull()
        expect((yield* graph.query(options)).data).toEqual([todo("1")])
        expect((yield* graph.query({ ...options, policy: "CacheOrNetwork" })).data).toEqual([todo("1")])
        expect(yield* Ref.get(calls)).toBe(1)
        yield* graph.query({ ...options, policy: "NetworkOnly", fetch: fetch([todo("2")]) })
        expect(yield* Ref.get(calls)).toBe(2)
        expect((yield* graph.query({ ...options, policy: "CacheOnly" })).data).toEqual([todo("2")])
        const none = yield* graph.query({ ...options, policy: "NoCache", fetch: fetch([todo("3")]) })
        expect(none.data).toEqual([todo("3")])
        expect((yield* graph.readQuery("todos", null, Todos)).data).toEqual([todo("2")])
        expect(Option.some(yield* Ref.get(calls))).toEqual(Option.some(3))
      }))

    it.scoped("CacheAndNetwork streams the cached data, then the fresh data", () =>
      Effect.gen(function*() {
        const graph = yield* EntityGraph.make()
        yield* graph.writeQuery("todos", null, Todos, [todo("1")])
        const results = yield* graph.query({
          field: "todos",
          schema: Todos,
          fetch: Effect.succeed([todo("1", "fresh")]),
          policy: "CacheAndNetwork"
        }).pipe(Stream.runCollect)
        expect(Chunk.toArray(results).map((r) => r.data![0]!.text)).toEqual(["todo 1", "fresh"])
      }))

    it.scoped("CacheOrNetwork with partial or stale data returns it at once and refetches in the background", () =>
      Effect.gen(function*() {
        const graph = yield* EntityGraph.make()
        const { calls, fetch } = yield* fetchCounter
        yield* graph.writeQuery("todos", null, Todos, [todo("1")])
        yield* graph.markStale("Todo")
        const stale = yield* graph.query({ field: "todos", schema: Todos, fetch: fetch([todo("1", "new")]) })
        expect(stale).toEqual({ data: [todo("1")], complete: true, stale: true })
        yield* settle
        expect(yield* Ref.get(calls)).toBe(1)
        expect(yield* graph.readQuery("todos", null, Todos)).toEqual({
          data: [todo("1", "new")],
          complete: true,
          stale: false
        })

        const Item = Normalize.entity(
          Schema.Struct({ id: Schema.String, text: Schema.String, note: Schema.NullOr(Schema.String) }),
          { typename: "Todo" }
        )
        const partial = yield* graph.query({
          field: "todos",
          schema: Schema.Array(Item),
          partial: true,
          fetch: Effect.succeed([{ id: "1", text: "new", note: "n" }])
        })
        expect(partial).toEqual({ data: [{ id: "1", text: "new", note: null }], complete: false, stale: false })
        yield* settle
        expect((yield* graph.readQuery("todos", null, Schema.Array(Item))).data).toEqual([{
          id: "1",
          text: "new",
          note: "n"
        }])
      }))

    it.scoped("priming: writeQuery before navigation lets the next query read from the cache", () =>
      Effect.gen(function*() {
        const User = Normalize.entity(Schema.Struct({ id: Schema.String, name: Schema.String }), { typename: "User" })
        const UserId = Normalize.entity(Schema.Struct({ id: Schema.String }), { typename: "User" })
        const graph = yield* EntityGraph.make()
        yield* graph.writeQuery("users", null, Schema.Array(User), [{ id: "1", name: "Steve" }])
        yield* graph.writeQuery("user", { name: "Steve" }, UserId, { id: "1" })
        const result = yield* graph.query({
          field: "user",
          args: { name: "Steve" },
          schema: User,
          fetch: Effect.die("no network expected")
        })
        expect(result.data).toEqual({ id: "1", name: "Steve" })
      }))
  })

  describe("snapshot / restore", () => {
    const Event = Normalize.entity(
      Schema.Struct({ id: Schema.String, at: Schema.Date, note: Schema.optional(Schema.String), author: Author }),
      { typename: "Event" }
    )
    it.scoped("restores a snapshot through the Store into a new graph (Dates and absent fields included)", () =>
      Effect.gen(function*() {
        const first = yield* EntityGraph.make()
        const events = [
          { id: "e1", at: new Date(1000), author: { id: "a1", name: "Ada" } },
          { id: "e2", at: new Date(2000), note: "n", author: { id: "a1", name: "Ada" } }
        ]
        yield* first.writeQuery("events", { day: 1 }, Schema.Array(Event), events)
        yield* first.snapshot()
        const second = yield* EntityGraph.make()
        expect(yield* second.restore()).toBe(true)
        const read = yield* second.readQuery("events", { day: 1 }, Schema.Array(Event))
        expect(read).toEqual({ data: events, complete: true, stale: false })
        expect(read.data![0]!.at).toBeInstanceOf(Date)
        yield* second.writeFragment(Author, { id: "a1", name: "Grace" })
        expect((yield* second.readQuery("events", { day: 1 }, Schema.Array(Event))).data![1]!.author.name).toBe("Grace")
        // snapshots of another version are ignored
        const store = yield* Store.Store
        const entry = yield* store.get("cachet:normalize:snapshot")
        yield* store.set("other", {
          ...Option.getOrThrow(entry),
          value: JSON.stringify({ format: "@cachet/normalize/snapshot", version: 99, nodes: [] })
        })
        expect(yield* (yield* EntityGraph.make()).restore({ key: "other" })).toBe(false)
        expect(yield* (yield* EntityGraph.make()).restore({ key: "missing" })).toBe(false)
      }).pipe(Effect.provide(MemoryStore.layer())))
  })
})
