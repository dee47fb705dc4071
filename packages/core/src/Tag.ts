/**
 * Hierarchical tags (`users/123/posts/p1`): a schema of the hierarchy declared with `at` and
 * `wild`, typed builders derived from it, and a lossless string form. Invalidating a tag makes
 * every entry tagged with it, or with any of its descendants, stale.
 *
 * @since 0.1.0
 */
import { Equal, Hash, Inspectable } from "effect"

import * as BoundedMemo from "./BoundedMemo.js"

/**
 * @since 0.1.0
 * @category type ids
 */
export const TypeId: unique symbol = Symbol.for("@cachet/core/Tag")

/**
 * @since 0.1.0
 * @category type ids
 */
export type TypeId = typeof TypeId

/**
 * A tag: a non-empty path of segments.
 *
 * @since 0.1.0
 * @category models
 */
export interface Tag extends Equal.Equal, Inspectable.Inspectable {
  readonly [TypeId]: ReadonlyArray<string>
}

/**
 * Anything an API taking tags accepts: tags or their string forms, one or many.
 *
 * @since 0.1.0
 * @category models
 */
export type Input = Tag | string | ReadonlyArray<Tag | string>

const TagProto = {
  [Equal.symbol](this: Tag, that: unknown): boolean {
    return isTag(that) && toString(this) === toString(that)
  },
  [Hash.symbol](this: Tag): number {
    return Hash.cached(this, Hash.string(toString(this)))
  },
  toString(this: Tag): string {
    return toString(this)
  },
  toJSON(this: Tag) {
    return { _id: "Tag", path: this[TypeId] }
  },
  [Inspectable.NodeInspectSymbol](this: Tag) {
    return `Tag(${toString(this)})`
  }
}

/**
 * Whether a value is a `Tag`.
 *
 * @since 0.1.0
 * @category guards
 */
export const isTag = (u: unknown): u is Tag =>
  (typeof u === "object" || typeof u === "function") && u !== null && TypeId in u

const fromPath = (path: ReadonlyArray<string>): Tag => {
  const tag = Object.create(TagProto) as { [TypeId]: ReadonlyArray<string> }
  tag[TypeId] = path
  return tag as Tag
}

/**
 * A tag from its segments: `Tag.make("users", "123")`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (...segments: readonly [string, ...Array<string>]): Tag => fromPath(segments.slice())

/**
 * The segments of a tag.
 *
 * @since 0.1.0
 * @category getters
 */
export const segments = (tag: Tag): ReadonlyArray<string> => tag[TypeId]

/**
 * Escapes a segment for the string form: `%` → `%25`, `/` → `%2F`.
 *
 * @since 0.1.0
 * @category encoding
 */
export const escapeSegment = (segment: string): string =>
  segment.includes("%") || segment.includes("/")
    ? segment.replace(/%/g, "%25").replace(/\//g, "%2F")
    : segment

const unescapeSegment = (segment: string): string =>
  segment.includes("%") ? segment.replace(/%2F/gi, "/").replace(/%25/g, "%") : segment

/**
 * The lossless string form of a tag: escaped segments joined with `/`.
 *
 * @since 0.1.0
 * @category encoding
 */
export const toString = (tag: Tag): string => tag[TypeId].map(escapeSegment).join("/")

/**
 * Reads the string form back into a tag (`parse(toString(t))` equals `t`).
 *
 * @since 0.1.0
 * @category encoding
 */
export const parse = (text: string): Tag => fromPath(text.split("/").map(unescapeSegment))

/**
 * The string forms of the tags an input names, deduplicated, in order.
 *
 * @since 0.1.0
 * @category encoding
 */
export const normalize = (input: Input | undefined): ReadonlyArray<string> => {
  if (input === undefined) return empty
  if (typeof input === "string") return [input]
  if (isTag(input)) return [toString(input)]
  if (input.length === 0) return empty
  if (input.length === 1) return [typeof input[0] === "string" ? input[0] : toString(input[0]!)]
  const out = new Set<string>()
  for (const tag of input) out.add(typeof tag === "string" ? tag : toString(tag))
  return Array.from(out)
}

const empty: ReadonlyArray<string> = []

/** The prefixes of tags met, bounded: a process meeting ever new tags keeps the 50,000 latest. */
const prefixMemo = BoundedMemo.make<string, ReadonlyArray<string>>(50_000)

/**
 * Every ancestor of a tag string and the tag itself, root first:
 * `users/1/posts` → `["users", "users/1", "users/1/posts"]`.
 *
 * @since 0.1.0
 * @category encoding
 */
export const prefixes = (tag: string): ReadonlyArray<string> => {
  const memo = prefixMemo.get(tag)
  if (memo !== undefined) return memo
  const out: Array<string> = []
  let index = tag.indexOf("/")
  while (index !== -1) {
    out.push(tag.slice(0, index))
    index = tag.indexOf("/", index + 1)
  }
  out.push(tag)
  prefixMemo.set(tag, out)
  return out
}

/**
 * Every prefix of every tag, deduplicated: the tag paths whose versions decide whether an
 * entry with these tags is still valid.
 *
 * @since 0.1.0
 * @category encoding
 */
export const prefixesOfAll = (tags: ReadonlyArray<string>): ReadonlyArray<string> => {
  if (tags.length === 0) return empty
  if (tags.length === 1) return prefixes(tags[0]!)
  const out = new Set<string>()
  for (const tag of tags) for (const prefix of prefixes(tag)) out.add(prefix)
  return Array.from(out)
}

// -----------------------------------------------------------------------------
// Schema of the hierarchy and typed builders
// -----------------------------------------------------------------------------

/**
 * A named level of the hierarchy with fixed children (`Tag.at("users", ...)`).
 *
 * @since 0.1.0
 * @category schema
 */
export interface Static<Fields> {
  readonly _tag: "Static"
  readonly fields: { readonly [K in keyof Fields]: () => Fields[K] }
  /** Adds a sibling level. */
  at<const Name extends string, Child = Leaf>(
    name: Name,
    children?: () => Child
  ): Static<Fields & { readonly [K in Name]: Child }>
}

/**
 * A dynamic id segment (`Tag.wild`), optionally with named children below it.
 *
 * @since 0.1.0
 * @category schema
 */
export interface Wild<Fields> {
  readonly _tag: "Wild"
  readonly fields: { readonly [K in keyof Fields]: () => Fields[K] }
  /** Adds a named level below the id. */
  at<const Name extends string, Child = Leaf>(
    name: Name,
    children?: () => Child
  ): Wild<Fields & { readonly [K in Name]: Child }>
}

/**
 * A level with nothing below it.
 *
 * @since 0.1.0
 * @category schema
 */
export interface Leaf {
  readonly _tag: "Leaf"
}

/**
 * Any node of a tag hierarchy.
 *
 * @since 0.1.0
 * @category schema
 */
export type Node = Static<{}> | Wild<{}> | Leaf

const leaf: Leaf = { _tag: "Leaf" }

const makeNode = <T extends "Static" | "Wild">(
  _tag: T,
  fields: Record<string, () => unknown>
): T extends "Static" ? Static<{}> : Wild<{}> =>
  ({
    _tag,
    fields,
    at(name: string, children?: () => unknown) {
      return makeNode(_tag, { ...fields, [name]: children ?? (() => leaf) })
    }
  }) as never

/**
 * Declares a named level of the hierarchy; `children` returns what lies below it (`Tag.wild`
 * for a level of ids, another `Tag.at(...)` for fixed names).
 *
 * @since 0.1.0
 * @category schema
 */
export const at = <const Name extends string, Child = Leaf>(
  name: Name,
  children?: () => Child
): Static<{ readonly [K in Name]: Child }> => makeNode("Static", { [name]: children ?? (() => leaf) }) as never

/**
 * A dynamic id segment: `users/<id>`.
 *
 * @since 0.1.0
 * @category schema
 */
export const wild: Wild<{}> = makeNode("Wild", {})

/**
 * The builder for one node: a function of the id for a wild level, the tag itself otherwise;
 * either way with builders for the levels below.
 *
 * @since 0.1.0
 * @category builders
 */
export type Builder<N> = N extends Wild<infer F> ? ((id: string | number) => Tag & Builders<F>) & Tag
  : N extends Static<infer F> ? Tag & Builders<F>
  : Tag

/**
 * Builders for every named level of a schema.
 *
 * @since 0.1.0
 * @category builders
 */
export type Builders<Fields> = { readonly [K in keyof Fields]: Builder<Fields[K]> }

/**
 * The builders a schema declares at its root.
 *
 * @since 0.1.0
 * @category builders
 */
export type BuildersOf<S> = S extends Static<infer F> ? Builders<F> : never

const buildChild = (path: ReadonlyArray<string>, node: Node): unknown => {
  if (node._tag === "Wild") {
    // The function builds one id's tag, and is itself the tag of the whole level.
    const level = (id: string | number) => attach(fromPath([...path, String(id)]), node.fields)
    Object.setPrototypeOf(level, TagProto)
    ;(level as unknown as { [TypeId]: ReadonlyArray<string> })[TypeId] = path
    return level
  }
  return attach(fromPath(path), node._tag === "Static" ? node.fields : {})
}

const attach = (tag: Tag, fields: Record<string, () => unknown>): Tag => {
  for (const name of Object.keys(fields)) {
    let built: unknown
    Object.defineProperty(tag, name, {
      enumerable: false,
      get: () => (built ??= buildChild([...tag[TypeId], name], fields[name]!() as Node))
    })
  }
  return tag
}

/**
 * Typed builders for a schema: `Tag.builders(schema).users("123").posts("p1")` is the tag
 * `users/123/posts/p1`. Only paths the schema declares type-check.
 *
 * @since 0.1.0
 * @category builders
 */
export const builders = <S extends Static<{}>>(schema: S): BuildersOf<S> => {
  const root = {} as Record<string, unknown>
  for (const name of Object.keys(schema.fields)) {
    let built: unknown
    Object.defineProperty(root, name, {
      enumerable: true,
      get: () => (built ??= buildChild([name], (schema.fields as Record<string, () => Node>)[name]!()))
    })
  }
  return root as BuildersOf<S>
}
