/**
 * Response paths: graphql-js `Path`s as keys, relative paths, and reading the response data.
 * @internal
 */
import type { Path } from "graphql/jsutils/Path.js"

/** The keys of a path, from the root. @internal */
export const keysOf = (path: Path | undefined): Array<string | number> => {
  const keys: Array<string | number> = []
  for (let p = path; p !== undefined; p = p.prev) keys.push(p.key)
  return keys.reverse()
}

/** The path from `root` to `path`, dotted. @internal */
export const relative = (path: Path, root: Path): string => {
  const keys: Array<string | number> = []
  for (let p: Path | undefined = path; p !== undefined && p !== root; p = p.prev) keys.push(p.key)
  return keys.reverse().join(".")
}

/** The value at a path of keys in the response data. @internal */
export const at = (data: unknown, keys: ReadonlyArray<string | number>): unknown => {
  let value = data
  for (const key of keys) {
    if (value === null || typeof value !== "object") return undefined
    value = (value as Record<string | number, unknown>)[key]
  }
  return value
}

/** The value at a dotted path of a context object. @internal */
export const dig = (context: unknown, path: string): unknown => {
  let value = context
  for (const key of path.split(".")) {
    if (value === null || typeof value !== "object") return undefined
    value = (value as Record<string, unknown>)[key]
  }
  return value
}
