import { Cache, MemoryStore } from "@cachet/core"
import { describe, expect, it } from "@effect/vitest"
import { Effect, FastCheck as fc, Layer, Option } from "effect"
import type { FieldNode, FragmentDefinitionNode, OperationDefinitionNode } from "graphql"
import { Kind, parse } from "graphql"

import { FragmentKey, GraphQLCache } from "../src/index.js"
import { makeBlog } from "./blog.js"

const { schema } = makeBlog({})

/** The canonical selection of the first root field of a document. */
const selectionOf = (source: string, variableValues: Record<string, unknown> = {}) => {
  const document = parse(source)
  const operation = document.definitions.find((d): d is OperationDefinitionNode =>
    d.kind === Kind.OPERATION_DEFINITION
  )!
  const fragments: Record<string, FragmentDefinitionNode> = {}
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments[d.name.value] = d
  const field = operation.selectionSet.selections[0] as FieldNode
  const returnType = schema.getQueryType()!.getFields()[field.name.value]!.type
  return FragmentKey.canonicalSelection([field], { fragments, variableValues, schema, returnType })
}

const fieldNames = ["id", "title", "updatedAt", "author { name }", "comments { body }"] as const

describe("FragmentKey", () => {
  it("fragments on the concrete type, inline fragments and plain fields give one selection", () => {
    const plain = selectionOf(`{ post(id: "1") { id title } }`)
    expect(selectionOf(`{ post(id: "1") { ...F } } fragment F on Post { id title }`)).toBe(plain)
    expect(selectionOf(`{ post(id: "1") { ... on Post { id } ... { title } } }`)).toBe(plain)
    expect(selectionOf(`{ post(id: "1") { ... on Node { id } title } }`)).toBe(plain)
    expect(selectionOf(`{ post(id: "1") { id title ... on User { name } } }`)).toBe(plain)
  })

  it("under abstract types, type conditions stay in the selection", () => {
    const a = selectionOf(`{ search(term: "x") { ... on User { name } } }`)
    const b = selectionOf(`{ search(term: "x") { ... on Post { name: title } } }`)
    expect(a).not.toBe(b)
  })

  it("variables are substituted; @skip and @include are applied", () => {
    expect(selectionOf(`query($n: Int) { post(id: "1") { comments(first: $n) { body } } }`, { n: 2 }))
      .toBe(selectionOf(`{ post(id: "1") { comments(first: 2) { body } } }`))
    expect(selectionOf(`query($s: Boolean!) { post(id: "1") { id title @skip(if: $s) } }`, { s: true }))
      .toBe(selectionOf(`{ post(id: "1") { id } }`))
    expect(selectionOf(`{ post(id: "1") { id title @include(if: false) } }`)).toBe(
      selectionOf(`{ post(id: "1") { id } }`)
    )
  })

  it.prop("two different selections never share a text; aliases and arguments count", [
    fc.uniqueArray(fc.subarray(fieldNames.slice(), { minLength: 1 }).map((fields) => fields.join(" ")), {
      minLength: 2,
      maxLength: 2
    }),
    fc.boolean()
  ], ([[a, b], alias]) => {
    const text = (sel: string) => selectionOf(`{ post(id: "1") { ${alias ? `x: ${sel}` : sel} } }`)
    expect(text(a!)).not.toBe(text(b!))
    expect(selectionOf(`{ post(id: "1") { ${a} } }`)).not.toBe(selectionOf(`{ post(id: "1") { y: ${a} } }`))
  })

  it.prop("argument order does not matter; argument values do", [fc.integer(), fc.integer()], ([x, y]) => {
    const one = selectionOf(`{ post(id: "1") { comments(first: ${x}, trace: "t") { id } } }`)
    expect(selectionOf(`{ post(id: "1") { comments(trace: "t", first: ${x}) { id } } }`)).toBe(one)
    if (x !== y) expect(selectionOf(`{ post(id: "1") { comments(first: ${y}, trace: "t") { id } } }`)).not.toBe(one)
  })

  const segment = fc.oneof(
    fc.string(),
    fc.nat(),
    fc.record({ key: fc.string(), args: fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.integer())) })
  )

  it.prop("path identities are injective", [fc.array(segment), fc.array(segment)], ([a, b]) => {
    if (FragmentKey.stable(a) !== FragmentKey.stable(b)) {
      expect(FragmentKey.pathIdentity(a)).not.toBe(FragmentKey.pathIdentity(b))
    }
  })

  it.prop("stable text does not depend on key order", [fc.dictionary(fc.string(), fc.jsonValue())], ([record]) => {
    const reversed = Object.fromEntries(Object.entries(record).reverse())
    expect(FragmentKey.stable(reversed)).toBe(FragmentKey.stable(record))
  })

  it("object identity: Type:id, with updatedAt when present; none without an id", () => {
    expect(FragmentKey.objectIdentity("Post", { id: 5 })).toBe("Post:5")
    expect(FragmentKey.objectIdentity("Post", { id: "5", updatedAt: "t1" })).not.toBe(
      FragmentKey.objectIdentity("Post", { id: "5", updatedAt: "t2" })
    )
    expect(FragmentKey.objectIdentity("User", { id: "5" })).not.toBe(FragmentKey.objectIdentity("Post", { id: "5" }))
    expect(FragmentKey.objectIdentity("Post", { title: "x" })).toBeUndefined()
  })

  it("keys: every part counts; the schema digest follows the printed schema", () => {
    const parts = { namespace: "graphql", version: "1", schema: "s", identity: "i", selection: "q", context: null }
    const base = JSON.stringify(FragmentKey.make(parts))
    for (const name of ["namespace", "version", "schema", "identity", "selection", "context"] as const) {
      expect(JSON.stringify(FragmentKey.make({ ...parts, [name]: "other" }))).not.toBe(base)
    }
    expect(FragmentKey.schemaDigest(makeBlog({}).schema)).toBe(FragmentKey.schemaDigest(schema))
    expect(FragmentKey.schemaDigest(makeBlog({}, { extraField: true }).schema)).not.toBe(
      FragmentKey.schemaDigest(schema)
    )
  })

  it.effect("an execution stores each fragment under FragmentKey.make's key", () =>
    Effect.gen(function*() {
      const blog = makeBlog({ post: {} })
      const source = `{ post(id: "1") { id title } }`
      yield* GraphQLCache.execute({ schema: blog.schema, source })
      const field = (parse(source).definitions[0] as OperationDefinitionNode).selectionSet.selections[0] as FieldNode
      const key = FragmentKey.make({
        namespace: "graphql",
        version: "1",
        schema: FragmentKey.schemaDigest(blog.schema),
        identity: `path:Query:${FragmentKey.pathIdentity([])}.post${
          FragmentKey.argumentsPart({ id: "1" }, undefined, undefined)
        }`,
        selection: FragmentKey.selectionDigest([field], {
          fragments: {},
          variableValues: {},
          schema: blog.schema,
          returnType: blog.schema.getQueryType()!.getFields()["post"]!.type
        }),
        context: null
      })
      const cache = yield* Cache.Cache
      const stored = yield* cache.get<{ readonly v: unknown }>(key)
      expect(Option.map(stored, (entry) => entry.v)).toEqual(Option.some({ id: "1", title: "Post 1" }))
    }).pipe(
      Effect.provide(Layer.mergeAll(Cache.layer().pipe(Layer.provide(MemoryStore.layer())), GraphQLCache.layer()))
    ))
})
