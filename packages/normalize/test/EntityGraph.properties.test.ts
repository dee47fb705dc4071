import { EntityGraph, Normalize } from "@cachet/normalize"
import { describe, expect, it } from "@effect/vitest"
import { Arbitrary, Effect, Either, FastCheck, Fiber, Ref, Schema, Stream } from "effect"

// Shapes: Schema-derived arbitraries for the content of entities, small key spaces so that
// entities are shared between posts and between queries.
const AuthorFields = Schema.Struct({
  name: Schema.String,
  age: Schema.Int,
  bio: Schema.NullOr(Schema.String),
  tags: Schema.Array(Schema.String)
})
const PostFields = Schema.Struct({ title: Schema.String, likes: Schema.Int, draft: Schema.Boolean })

const Author = Normalize.entity(Schema.Struct({ id: Schema.String, ...AuthorFields.fields }), { typename: "Author" })
const Post = Normalize.entity(
  Schema.Struct({ id: Schema.String, ...PostFields.fields, author: Schema.NullOr(Author) }),
  { typename: "Post" }
)
const Posts = Schema.Array(Post)
type Author = typeof Author.Type
type Post = typeof Post.Type

const authorContent = Arbitrary.make(AuthorFields)
const postContent = Arbitrary.make(PostFields)

interface World {
  readonly authors: ReadonlyArray<typeof AuthorFields.Type>
  readonly posts: ReadonlyArray<{ readonly post: typeof PostFields.Type; readonly author: number | null }>
}

const worldArb: FastCheck.Arbitrary<World> = FastCheck.record({
  authors: FastCheck.array(authorContent, { minLength: 1, maxLength: 4 }),
  posts: FastCheck.array(
    FastCheck.record({ post: postContent, author: FastCheck.option(FastCheck.nat(3), { nil: null }) }),
    { maxLength: 8 }
  )
})

const authorOf = (world: World, i: number): Author => ({ id: `a${i}`, ...world.authors[i % world.authors.length]! })

/** A page of posts built from a world; `offset` lets two pages share authors but not posts. */
const pageOf = (world: World, offset = 0): Array<Post> =>
  world.posts.map(({ author, post }, i) => ({
    id: `p${offset + i}`,
    ...post,
    author: author === null ? null : authorOf(world, author)
  }))

/** A change to the graph, used to drive the optimistic and watch properties. */
type Op =
  | { readonly _tag: "author"; readonly index: number; readonly content: typeof AuthorFields.Type }
  | { readonly _tag: "page"; readonly world: World }
  | { readonly _tag: "unrelated"; readonly n: number }
  | { readonly _tag: "invalidate"; readonly index: number }
  | { readonly _tag: "rename"; readonly index: number; readonly name: "x" | "y" }

const opArb: FastCheck.Arbitrary<Op> = FastCheck.oneof(
  FastCheck.record({ _tag: FastCheck.constant("author" as const), index: FastCheck.nat(3), content: authorContent }),
  FastCheck.record({ _tag: FastCheck.constant("page" as const), world: worldArb }),
  FastCheck.record({ _tag: FastCheck.constant("unrelated" as const), n: FastCheck.nat(5) }),
  FastCheck.record({ _tag: FastCheck.constant("invalidate" as const), index: FastCheck.nat(3) }),
  FastCheck.record({
    _tag: FastCheck.constant("rename" as const),
    index: FastCheck.nat(3),
    name: FastCheck.constantFrom("x" as const, "y" as const)
  })
)

const Name = Normalize.entity(Schema.Struct({ id: Schema.String, name: Schema.String }), { typename: "Author" })

const apply = (
  graph: EntityGraph.Service | EntityGraph.Tx,
  op: Op
): Effect.Effect<unknown, EntityGraph.InvalidCacheCall> => {
  switch (op._tag) {
    case "author":
      return graph.writeFragment(Author, { id: `a${op.index}`, ...op.content })
    case "page":
      return graph.writeQuery("posts", null, Posts, pageOf(op.world))
    case "unrelated":
      return graph.writeQuery("unrelated", { n: op.n }, Posts, [])
    case "invalidate":
      return graph.invalidate(`Author:a${op.index}`, "name")
    case "rename":
      return graph.writeFragment(Name, { id: `a${op.index}`, name: op.name })
  }
}

const readAll = (graph: EntityGraph.Service) =>
  Effect.all([
    graph.readQuery("posts", null, Posts, { partial: true }),
    graph.readQuery("other", null, Posts, { partial: true }),
    Effect.forEach([0, 1, 2, 3], (i) => graph.readFragment(Author, `Author:a${i}`, { partial: true }))
  ])

const settle = Effect.repeatN(Effect.yieldNow(), 10)

describe("EntityGraph properties", () => {
  it.effect.prop(
    "write then read returns the written data",
    { world: worldArb },
    ({ world }) =>
      Effect.scoped(Effect.gen(function*() {
        const graph = yield* EntityGraph.make()
        const page = pageOf(world)
        yield* graph.writeQuery("posts", { page: 1 }, Posts, page)
        expect(yield* graph.readQuery("posts", { page: 1 }, Posts)).toEqual({
          data: page,
          complete: true,
          stale: false
        })
        for (const post of page) {
          expect((yield* graph.readFragment(Post, `Post:${post.id}`)).data).toEqual(post)
        }
      })),
    { fastCheck: { numRuns: 60 } }
  )

  it.effect.prop(
    "two writes of one entity from different queries are seen by both",
    { world: worldArb, index: FastCheck.nat(3), content: authorContent },
    ({ content, index, world }) =>
      Effect.scoped(Effect.gen(function*() {
        const graph = yield* EntityGraph.make()
        yield* graph.writeQuery("posts", null, Posts, pageOf(world))
        const changed: Author = { id: `a${index % world.authors.length}`, ...content }
        yield* graph.writeQuery("author", { id: changed.id }, Author, changed)
        const expected = pageOf(world).map((p) => (p.author?.id === changed.id ? { ...p, author: changed } : p))
        expect((yield* graph.readQuery("posts", null, Posts)).data).toEqual(expected)
        expect((yield* graph.readQuery("author", { id: changed.id }, Author)).data).toEqual(changed)
      })),
    { fastCheck: { numRuns: 60 } }
  )

  it.effect.prop(
    "an optimistic layer rolled back leaves every read as before, whatever base writes happened meanwhile",
    {
      world: worldArb,
      optimistic: FastCheck.array(opArb, { minLength: 1, maxLength: 4 }),
      base: FastCheck.array(opArb, { maxLength: 4 })
    },
    ({ base, optimistic, world }) =>
      Effect.scoped(Effect.gen(function*() {
        const graph = yield* EntityGraph.make()
        const reference = yield* EntityGraph.make()
        for (const g of [graph, reference]) {
          yield* g.writeQuery("posts", null, Posts, pageOf(world))
          yield* g.writeQuery("other", null, Posts, pageOf(world, 100))
        }
        const gate = yield* Effect.makeLatch(false)
        const fiber = yield* graph.mutate({
          name: "change",
          args: optimistic,
          optimistic: (ops, tx) => Effect.forEach(ops, (op) => apply(tx, op)).pipe(Effect.as(0)),
          run: gate.await.pipe(Effect.zipRight(Effect.fail("rejected" as const)))
        }).pipe(Effect.either, Effect.fork)
        yield* settle
        for (const op of base) {
          yield* apply(graph, op)
          yield* apply(reference, op)
        }
        yield* gate.open
        expect(yield* Fiber.join(fiber)).toEqual(Either.left("rejected"))
        expect(yield* readAll(graph)).toEqual(yield* readAll(reference))
      })),
    { fastCheck: { numRuns: 60 } }
  )

  it.effect.prop(
    "gc() never removes data a retained or watched query can reach",
    {
      worlds: FastCheck.array(worldArb, { minLength: 1, maxLength: 5 }),
      retained: FastCheck.array(FastCheck.nat(4), { maxLength: 3 }),
      watched: FastCheck.array(FastCheck.nat(4), { maxLength: 2 }),
      bufferSize: FastCheck.nat(2),
      orphans: FastCheck.array(authorContent, { maxLength: 3 })
    },
    ({ bufferSize, orphans, retained, watched, worlds }) =>
      Effect.scoped(Effect.gen(function*() {
        const graph = yield* EntityGraph.make({ cacheBufferSize: bufferSize })
        for (let i = 0; i < worlds.length; i++) {
          yield* graph.writeQuery("posts", { page: i }, Posts, pageOf(worlds[i]!, i * 100))
        }
        for (let i = 0; i < orphans.length; i++) {
          yield* graph.writeFragment(Author, { id: `orphan${i}`, ...orphans[i]! })
        }
        const kept = [...new Set([...retained, ...watched])].filter((i) => i < worlds.length)
        for (const i of retained) yield* graph.retain("posts", { page: i })
        for (const i of watched) {
          yield* graph.watch("posts", { page: i }, Posts).pipe(Stream.runDrain, Effect.forkScoped)
        }
        yield* settle
        const before = yield* Effect.forEach(kept, (i) => graph.readQuery("posts", { page: i }, Posts))
        const recent = yield* Effect.forEach(
          worlds.map((_, i) => i).slice(-bufferSize || worlds.length),
          (i) => graph.readQuery("posts", { page: i }, Posts)
        )
        yield* graph.gc()
        const after = yield* Effect.forEach(kept, (i) => graph.readQuery("posts", { page: i }, Posts))
        expect(after).toEqual(before)
        for (const read of after) expect(read.complete).toBe(true)
        if (bufferSize > 0) {
          const recentAfter = yield* Effect.forEach(
            worlds.map((_, i) => i).slice(-bufferSize),
            (i) => graph.readQuery("posts", { page: i }, Posts)
          )
          expect(recentAfter).toEqual(recent)
        }
        for (let i = 0; i < orphans.length; i++) {
          expect((yield* graph.readFragment(Author, `orphan${i}`)).data).toBeNull()
        }
      })),
    { fastCheck: { numRuns: 50 } }
  )

  it.effect.prop(
    "watch emits exactly when its read result changes",
    { world: worldArb, ops: FastCheck.array(opArb, { maxLength: 10 }), partial: FastCheck.boolean() },
    ({ ops, partial, world }) =>
      Effect.scoped(Effect.gen(function*() {
        const graph = yield* EntityGraph.make()
        yield* graph.writeQuery("posts", null, Posts, pageOf(world))
        const seen = yield* Ref.make<Array<EntityGraph.ReadResult<ReadonlyArray<Post>>>>([])
        yield* graph.watch("posts", null, Posts, { partial }).pipe(
          Stream.runForEach((r) => Ref.update(seen, (s) => [...s, r])),
          Effect.forkScoped
        )
        yield* settle
        let expected = [yield* graph.readQuery("posts", null, Posts, { partial })]
        expect(yield* Ref.get(seen)).toEqual(expected)
        for (const op of ops) {
          yield* apply(graph, op)
          const now = yield* graph.readQuery("posts", null, Posts, { partial })
          const last = expected[expected.length - 1]!
          try {
            expect(now).toEqual(last)
          } catch {
            expected = [...expected, now]
          }
          yield* settle
          expect(yield* Ref.get(seen)).toEqual(expected)
        }
      })),
    { fastCheck: { numRuns: 60 } }
  )
})
