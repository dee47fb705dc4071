/**
 * The tags of fragments: `entity/<Type>/<id>` and `field/<Type>/<id>/<field>`.
 * @internal
 */
import { Tag } from "@cachet/core"

/** The entity tag of an object. @internal */
export const entityTag = (type: string, id: string): string => Tag.toString(Tag.make("entity", type, id))

/** The tag of one object's field. @internal */
export const fieldTag = (type: string, id: string, field: string): string =>
  Tag.toString(Tag.make("field", type, id, field))

/** The id of an object, if it has one. @internal */
export const idOf = (source: unknown): string | undefined => {
  if (source === null || typeof source !== "object") return undefined
  const id = (source as Record<string, unknown>)["id"]
  return id === undefined || id === null ? undefined : String(id)
}
