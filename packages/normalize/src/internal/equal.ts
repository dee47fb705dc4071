/**
 * Equality of stored values and links, by which a write that changes nothing is not a change.
 * @internal
 */
import type { Link } from "./data.js"

const hasOwn = (object: object, key: string): boolean => Object.prototype.hasOwnProperty.call(object, key)

/** Structural equality of links (keys, nulls, nested lists). @internal */
export const linkEqual = (a: Link | undefined, b: Link | undefined): boolean => {
  if (a === b) return true
  if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (!linkEqual(a[i], b[i])) return false
  return true
}

/** Structural equality of stored values (plain data, Dates, Effect `Equal` values). @internal */
export const valueEqual = (a: unknown, b: unknown): boolean => {
  if (a === b) return true
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) {
    return typeof a === "number" && typeof b === "number" && Number.isNaN(a) && Number.isNaN(b)
  }
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false
    for (let i = 0; i < a.length; i++) if (!valueEqual(a[i], b[i])) return false
    return true
  }
  if (a instanceof Date) return b instanceof Date && a.getTime() === b.getTime()
  const protoA = Object.getPrototypeOf(a)
  if (protoA !== Object.prototype && protoA !== null) {
    const equal = (a as { [k: symbol]: unknown })[Symbol.for("effect/Equal") as symbol]
    return typeof equal === "function" && Object.getPrototypeOf(b) === protoA &&
      (equal as (that: unknown) => boolean).call(a, b)
  }
  if (Array.isArray(b) || (Object.getPrototypeOf(b) !== Object.prototype && Object.getPrototypeOf(b) !== null)) {
    return false
  }
  const ka = Object.keys(a)
  const kb = Object.keys(b)
  if (ka.length !== kb.length) return false
  for (const k of ka) {
    if (!hasOwn(b, k) || !valueEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false
  }
  return true
}
