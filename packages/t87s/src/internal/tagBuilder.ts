import type { Level, SchemaNode, TypedTag } from "../Schema.js"
import { SchemaTypeId, TagTypeId } from "../Schema.js"

/** @internal */
const define = (target: object, key: PropertyKey, value: unknown): void => {
  // defineProperty: a wild level is a function, whose own `name` and `length` are read-only.
  Object.defineProperty(target, key, { value, enumerable: true, configurable: true, writable: false })
}

/** The builders of one level at `path`: a function of the id for a wild level, and the named children. */
const levelTags = (level: Level, path: Array<string>): object => {
  const perId = level.perId
  const target: object = perId === undefined ? {} : (id: string) => branch(perId, [...path, id])
  for (const { child, name } of level.names) define(target, name, branch(child, [...path, name]))
  return target
}

const branch = (level: Level, path: Array<string>): TypedTag => {
  const target = levelTags(level, path)
  define(target, TagTypeId, true)
  define(target, "__path", path)
  return target as TypedTag
}

/**
 * The tag builders of a schema (`cache.tags`). A top-level wild is itself a tag of the empty path.
 *
 * @internal
 */
export const tagsOf = (schema: SchemaNode<unknown>): unknown => {
  const level = schema[SchemaTypeId].level
  return level.perId === undefined ? levelTags(level, []) : branch(level, [])
}
