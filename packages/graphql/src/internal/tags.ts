/**
 * The tags of fragments, one tree per entity: `<Type>/<id>` (the entity), `<Type>/<id>/$fields`
 * (its own fields) and `<Type>/<id>/<field>` (one list or cached field of it).
 * @internal
 */
import { Tag } from "@cachet/core"

/** The segment under an entity that names its own fields (no GraphQL field is named so). @internal */
export const ownFields = "$fields"

/** The tag of an entity, above every tag of its fields. @internal */
export const entityTag = (type: string, id: string): string => Tag.toString(Tag.make(type, id))

/** The tag of an entity's own fields. @internal */
export const ownFieldsTag = (type: string, id: string): string => Tag.toString(Tag.make(type, id, ownFields))

/** The tag of one object's field. @internal */
export const fieldTag = (type: string, id: string, field: string): string => Tag.toString(Tag.make(type, id, field))

/** The tag of a root field's fragments (`Query/posts`): invalidated when a new object may join it. @internal */
export const rootFieldTag = (type: string, field: string): string => Tag.toString(Tag.make(type, field))

/** The id of an object, if it has one. @internal */
export const idOf = (source: unknown): string | undefined => {
  if (source === null || typeof source !== "object") return undefined
  const id = (source as Record<string, unknown>)["id"]
  return id === undefined || id === null ? undefined : String(id)
}
