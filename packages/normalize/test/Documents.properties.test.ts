import { Documents, EntityGraph, Normalize } from "@cachet/normalize"
import { describe, expect, it } from "@effect/vitest"
import { Arbitrary, Context, Effect, FastCheck, Layer, Schema } from "effect"

// A fixed schema (posts with authors), random documents over it (which fields, which aliases),
// and random data drawn from one consistent world so entities shared between posts agree.
const AuthorFields = {
  name: Schema.String,
  age: Schema.Int,
  bio: Schema.NullOr(Schema.String),
  tags: Schema.Array(Schema.String)
}
const PostFields = { title: Schema.String, likes: Schema.Int, draft: Schema.Boolean }
type AuthorField = keyof typeof AuthorFields
type PostField = keyof typeof PostFields

const worldArb = FastCheck.record({
  authors: FastCheck.array(Arbitrary.make(Schema.Struct(AuthorFields)), { minLength: 1, maxLength: 3 }),
  posts: FastCheck.array(
    FastCheck.record({
      post: Arbitrary.make(Schema.Struct(PostFields)),
      author: FastCheck.option(FastCheck.nat(2), { nil: null })
    }),
    { maxLength: 6 }
  )
})

const selectionArb = FastCheck.record({
  post: FastCheck.subarray(["title", "likes", "draft"] as Array<PostField>),
  author: FastCheck.option(FastCheck.subarray(["name", "age", "bio", "tags"] as Array<AuthorField>), { nil: null }),
  alias: FastCheck.boolean(),
  page: FastCheck.nat(3),
  writer: FastCheck.constantFrom("documents" as const, "schema" as const)
})
type Selection = typeof selectionArb extends FastCheck.Arbitrary<infer A> ? A : never
type World = typeof worldArb extends FastCheck.Arbitrary<infer A> ? A : never

/** `heading` is an alias of `title` when `alias` is set. */
const nameOf = (
  field: PostField,
  selection: Selection
): string => (field === "title" && selection.alias ? "heading" : field)

const documentOf = (s: Selection): string => {
  const post = s.post.map((f) => (nameOf(f, s) === f ? f : `${nameOf(f, s)}: ${f}`)).join(" ")
  const author = s.author === null ? "" : `author { id ${s.author.join(" ")} }`
  return `query Posts($page: Int) { posts(page: $page) { id ${post} ${author} } }`
}

const schemaOf = (s: Selection) => {
  const authorFields: Record<string, Schema.Schema.Any> = { id: Schema.String }
  for (const f of s.author ?? []) authorFields[f] = AuthorFields[f]
  const Author = Normalize.entity(Schema.Struct(authorFields), { typename: "Author" })
  const postFields: Record<string, Schema.Schema.Any> = { id: Schema.String }
  for (const f of s.post) {
    postFields[nameOf(f, s)] = nameOf(f, s) === f
      ? PostFields[f]
      : Normalize.field(PostFields[f], { name: f })
  }
  if (s.author !== null) postFields.author = Schema.NullOr(Author)
  return Schema.Array(Normalize.entity(Schema.Struct(postFields), { typename: "Post" })) as unknown as Schema.Schema<
    ReadonlyArray<Record<string, unknown>>,
    unknown
  >
}

const dataOf = (world: World, s: Selection, typenames: boolean) =>
  world.posts.map(({ author, post }, i) => {
    const out: Record<string, unknown> = typenames ? { __typename: "Post", id: `p${i}` } : { id: `p${i}` }
    for (const f of s.post) out[nameOf(f, s)] = post[f]
    if (s.author !== null) {
      if (author === null) out.author = null
      else {
        const source = world.authors[author % world.authors.length]!
        const a: Record<string, unknown> = typenames ? { __typename: "Author", id: `a${author}` } : { id: `a${author}` }
        for (const f of s.author) a[f] = source[f]
        out.author = a
      }
    }
    return out
  })

const withoutTypenames = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(withoutTypenames)
  if (typeof value !== "object" || value === null) return value
  return Object.fromEntries(
    Object.entries(value).filter(([k]) => k !== "__typename").map(([k, v]) => [k, withoutTypenames(v)])
  )
}

describe("Documents: properties", () => {
  it.effect.prop(
    "writeQuery then readQuery returns the data (modulo __typename), and both front ends read the graph alike",
    { world: worldArb, selection: selectionArb },
    ({ selection, world }) =>
      Effect.scoped(Effect.gen(function*() {
        const context = yield* Layer.build(Documents.layer().pipe(Layer.provideMerge(EntityGraph.layer())))
        const graph = Context.get(context, EntityGraph.EntityGraph)
        const docs = Context.get(context, Documents.Documents)
        const query = documentOf(selection)
        const Posts = schemaOf(selection)
        const variables = { page: selection.page }
        if (selection.writer === "documents") {
          yield* docs.writeQuery({ query, variables, data: { posts: dataOf(world, selection, true) } })
        } else {
          yield* graph.writeQuery("posts", variables, Posts, dataOf(world, selection, false))
        }
        const read = yield* docs.readQuery<{ posts: unknown }>({ query, variables })
        expect(read.complete).toBe(true)
        expect(withoutTypenames(read.data!.posts)).toEqual(dataOf(world, selection, false))
        const viaSchema = yield* graph.readQuery("posts", variables, Posts)
        expect(withoutTypenames(read.data!.posts)).toEqual(viaSchema.data)
      })),
    { fastCheck: { numRuns: 100 } }
  )
})
