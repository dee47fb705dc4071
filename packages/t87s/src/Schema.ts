/**
 * Tag schemas: `at(name)` declares a fixed segment, `wild` a dynamic one (an id). A schema's
 * type carries the shape of its tag builders, so `cache.tags.users("1").posts("p1")` is typed.
 *
 * @since 0.1.0
 */

/**
 * Brands the tag values the builders make.
 *
 * @since 0.1.0
 * @category symbols
 */
export const TagTypeId: unique symbol = Symbol.for("@cachet/t87s/Tag")

/**
 * Marks a schema node; holds its runtime description and, in types only, its tags' shape.
 *
 * @since 0.1.0
 * @category symbols
 */
export const SchemaTypeId: unique symbol = Symbol.for("@cachet/t87s/Schema")

/**
 * A tag: the path of segments it stands for (`["posts", "123", "comments"]`). Tags of a
 * schema are made by the builders in `cache.tags`.
 *
 * @since 0.1.0
 * @category models
 */
export interface TypedTag {
  readonly [TagTypeId]: true
  readonly __path: Array<string>
}

/**
 * One level of a schema at run time: named children and, for a `wild` level, the level
 * under each id.
 *
 * @since 0.1.0
 * @category models
 */
export interface Level {
  readonly names: ReadonlyArray<{ readonly name: string; readonly child: Level }>
  readonly perId: Level | undefined
}

/**
 * A schema node; `Tags` is the shape of the tag builders it yields.
 *
 * @since 0.1.0
 * @category models
 */
export interface SchemaNode<Tags> {
  readonly [SchemaTypeId]: { readonly level: Level; readonly _Tags: (_: never) => Tags }
}

/**
 * The shape of the tag builders of a schema node (`unknown`, i.e. nothing, for a leaf).
 *
 * @since 0.1.0
 * @category models
 */
export type TagsOf<S> = S extends SchemaNode<infer Tags> ? Tags : unknown

/**
 * What a named segment with this child offers: a tag, and the child's builders.
 *
 * @since 0.1.0
 * @category models
 */
export type Named<N extends string, C> = { readonly [K in N]: TypedTag & TagsOf<C> }

/**
 * A level of named segments; `.at` adds a sibling.
 *
 * @since 0.1.0
 * @category models
 */
export interface AtBuilder<Tags> extends SchemaNode<Tags> {
  at<N extends string>(name: N): AtBuilder<Tags & Named<N, unknown>>
  at<N extends string, C>(name: N, child: () => C): AtBuilder<Tags & Named<N, C>>
}

/**
 * A dynamic segment; `.at` adds a named segment under each id (`wild.at("posts")` is
 * `wild(() => at("posts"))`).
 *
 * @since 0.1.0
 * @category models
 */
export interface WildBuilder<Inner> extends SchemaNode<(id: string) => TypedTag & Inner> {
  at<N extends string>(name: N): WildBuilder<Inner & Named<N, unknown>>
  at<N extends string, C>(name: N, child: () => C): WildBuilder<Inner & Named<N, C>>
}

/**
 * A node made by `at` (same as {@link AtBuilder}).
 *
 * @since 0.1.0
 * @category models
 */
export type AtNode<Tags> = AtBuilder<Tags>

/**
 * A node made by `wild` (same as {@link WildBuilder}).
 *
 * @since 0.1.0
 * @category models
 */
export type WildNode<Inner> = WildBuilder<Inner>

/**
 * The type of `wild`: a dynamic leaf segment, callable with the schema under each id.
 *
 * @since 0.1.0
 * @category models
 */
export interface Wild extends WildBuilder<unknown> {
  <C>(child: () => C): WildBuilder<TagsOf<C>>
}

const emptyLevel: Level = { names: [], perId: undefined }

const levelOf = (node: unknown): Level => {
  if ((typeof node === "object" || typeof node === "function") && node !== null && SchemaTypeId in node) {
    return (node as SchemaNode<unknown>)[SchemaTypeId].level
  }
  return emptyLevel
}

const withName = (level: Level, name: string, child: (() => unknown) | undefined): Level => ({
  names: [...level.names, { name, child: child === undefined ? emptyLevel : levelOf(child()) }],
  perId: level.perId
})

const variance = { _Tags: (_: never) => _ }

const atBuilder = <Tags>(level: Level): AtBuilder<Tags> => ({
  [SchemaTypeId]: { level, ...variance },
  at: (name: string, child?: () => unknown) => atBuilder(withName(level, name, child))
} as unknown as AtBuilder<Tags>)

const wildBuilder = <Inner>(perId: Level): WildBuilder<Inner> => ({
  [SchemaTypeId]: { level: { names: [], perId }, ...variance },
  at: (name: string, child?: () => unknown) => wildBuilder(withName(perId, name, child))
} as unknown as WildBuilder<Inner>)

/**
 * A named segment, optionally with the schema below it; chain `.at` for siblings.
 *
 * @example
 * ```ts
 * import { at, wild } from "@cachet/t87s"
 *
 * // tags.posts("1").comments("c1"), tags.users
 * export const schema = at("posts", () => wild(() => at("comments", () => wild))).at("users")
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export function at<N extends string>(name: N): AtBuilder<Named<N, unknown>>
export function at<N extends string, C>(name: N, child: () => C): AtBuilder<Named<N, C>>
export function at(name: string, child?: () => unknown): AtBuilder<unknown> {
  return atBuilder(withName(emptyLevel, name, child))
}

/**
 * A dynamic segment (an id): `wild` alone is a leaf, `wild(() => schema)` has `schema`
 * under each id.
 *
 * @since 0.1.0
 * @category constructors
 */
export const wild: Wild = Object.assign(
  (child: () => unknown) => wildBuilder(levelOf(child())),
  wildBuilder<unknown>(emptyLevel)
) as unknown as Wild

/**
 * Whether a value is a tag made by the builders.
 *
 * @since 0.1.0
 * @category guards
 */
export const isTypedTag = (u: unknown): u is TypedTag =>
  (typeof u === "object" || typeof u === "function") && u !== null && TagTypeId in u
