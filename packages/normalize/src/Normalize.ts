/**
 * Describing normalized shapes with Effect Schemas: which Structs are entities (their typename
 * and key fields) and which properties are stored under a field name with arguments.
 *
 * @since 0.1.0
 */
import { Key } from "@cachet/core"
import type { Schema } from "effect"

import * as keys from "./internal/keys.js"

/**
 * The annotation that marks a Struct Schema as an entity.
 *
 * @since 0.1.0
 * @category annotations
 */
export const EntityAnnotationId: unique symbol = Symbol.for("@cachet/normalize/Entity")

/**
 * The annotation that stores a property under another field name and/or with arguments.
 *
 * @since 0.1.0
 * @category annotations
 */
export const FieldAnnotationId: unique symbol = Symbol.for("@cachet/normalize/Field")

/**
 * How an entity's key is computed: the names of its key fields (`["id"]` by default, several
 * for a composite key) or a function of the entity.
 *
 * @since 0.1.0
 * @category models
 */
export type Keys<A> = ReadonlyArray<keyof A & string> | ((entity: A) => string | number | null | undefined)

/**
 * Options of {@link entity}.
 *
 * @since 0.1.0
 * @category models
 */
export interface EntityOptions<A> {
  readonly typename: string
  readonly keys?: Keys<A>
}

/**
 * What an entity annotation holds.
 *
 * @since 0.1.0
 * @category models
 */
export interface EntityConfig {
  readonly typename: string
  readonly keys: ReadonlyArray<string> | ((entity: never) => string | number | null | undefined)
}

/**
 * What a field annotation holds.
 *
 * @since 0.1.0
 * @category models
 */
export interface FieldConfig {
  readonly name?: string
  readonly args?: Readonly<Record<string, Key.Part>>
}

/**
 * Marks a Struct Schema as an entity of the given typename, keyed by `keys` (default `["id"]`).
 * Every value of that Schema found in written data is stored once, under its entity key
 * (`User:1`, or `User:{"firstName":"Ada","lastName":"Lovelace"}` for composite keys). A typename
 * is a GraphQL-style name: it contains none of `:`, `.`, `(`, `)`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const entity = <Fields extends Schema.Struct.Fields>(
  schema: Schema.Struct<Fields>,
  options: EntityOptions<Schema.Struct.Type<Fields>>
): Schema.Struct<Fields> => {
  const config: EntityConfig = {
    typename: options.typename,
    keys: (options.keys ?? ["id"]) as EntityConfig["keys"]
  }
  return schema.annotations({ [EntityAnnotationId]: config })
}

/**
 * Stores a property under another field name and/or with arguments, as a GraphQL field with
 * arguments is stored: `Normalize.field(Schema.String, { name: "name", args: { pattern: "capitalize" } })`
 * keeps the value under the field key `name({"pattern":"capitalize"})`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const field = <S extends Schema.Schema.Any>(
  schema: S,
  options: FieldConfig
): Schema.Schema<Schema.Schema.Type<S>, Schema.Schema.Encoded<S>, Schema.Schema.Context<S>> =>
  schema.annotations({ [FieldAnnotationId]: options }) as Schema.Schema<
    Schema.Schema.Type<S>,
    Schema.Schema.Encoded<S>,
    Schema.Schema.Context<S>
  >

/**
 * The field key a field is stored under: its name, followed by its canonical arguments when it
 * has any (`posts({"skip":10})`).
 *
 * @since 0.1.0
 * @category keys
 */
export const fieldKey: (fieldName: string, args?: Key.Part) => string = keys.fieldKey

/**
 * The key of an entity value of an entity Schema (`User:1`), or `null` when its key fields are
 * missing or the Schema is not an entity.
 *
 * @since 0.1.0
 * @category keys
 */
export const keyOf = <A, I, R>(schema: Schema.Schema<A, I, R>, value: A): string | null => {
  const config = getEntityConfig(schema.ast)
  if (config === undefined) return null
  return keys.entityKey(config, value) ?? null
}

/**
 * The entity annotation of a Schema's AST, looking through refinements, transformations and
 * suspensions, if any.
 *
 * @since 0.1.0
 * @category annotations
 */
export const getEntityConfig = (ast: Schema.Schema.Any["ast"]): EntityConfig | undefined => {
  let current = ast
  for (let depth = 0; depth < 16; depth++) {
    const found = current.annotations[EntityAnnotationId] as EntityConfig | undefined
    if (found !== undefined) return found
    switch (current._tag) {
      case "Refinement":
        current = current.from
        break
      case "Transformation":
        current = current.to
        break
      case "Suspend":
        current = current.f()
        break
      default:
        return undefined
    }
  }
  return undefined
}
