/**
 * Canonical cache keys: an injective, deterministic text form of JSON-like values, and the
 * `namespace:version:name:digest:args` layout every cached entry is stored under.
 *
 * @since 0.1.0
 */
import { hash128 } from "./internal/hash.js"

/**
 * A value that can be part of a key: JSON-like data (plain objects and arrays of scalars).
 *
 * @since 0.1.0
 * @category models
 */
export type Part =
  | string
  | number
  | bigint
  | boolean
  | null
  | undefined
  | ReadonlyArray<Part>
  | { readonly [key: string]: Part }

/**
 * What the `Cache` accepts as a key: a string used as is, or parts encoded canonically.
 *
 * @since 0.1.0
 * @category models
 */
export type Input = string | ReadonlyArray<Part>

/**
 * Keys longer than this many UTF-8 bytes keep a readable head and end in a hash.
 *
 * @since 0.1.0
 * @category constants
 */
export const maxBytes = 200

const HEAD_BYTES = maxBytes - 34

/**
 * Writes a value in canonical form: object keys sorted, strings quoted and escaped, so that two
 * values have the same text if and only if they are equal as data.
 *
 * @since 0.1.0
 * @category encoding
 */
export const canonical = (value: Part): string => {
  switch (typeof value) {
    case "string":
      return JSON.stringify(value)
    case "number":
      return Number.isFinite(value) ? (Object.is(value, -0) ? "0" : String(value)) : String(value)
    case "bigint":
      return `${value}n`
    case "boolean":
      return value ? "true" : "false"
    case "undefined":
      return "undefined"
    default: {
      if (value === null) return "null"
      if (Array.isArray(value)) {
        let out = "["
        for (let i = 0; i < value.length; i++) {
          if (i > 0) out += ","
          out += canonical(value[i] as Part)
        }
        return out + "]"
      }
      const record = value as { readonly [key: string]: Part }
      const keys = Object.keys(record)
      if (keys.length > 1) keys.sort()
      let out = "{"
      for (let i = 0; i < keys.length; i++) {
        const part = record[keys[i]!]
        if (part === undefined) continue
        if (out.length > 1) out += ","
        out += JSON.stringify(keys[i]) + ":" + canonical(part)
      }
      return out + "}"
    }
  }
}

/**
 * Escapes a key segment so that `:` only ever separates segments (`%` → `%25`, `:` → `%3A`).
 *
 * @since 0.1.0
 * @category encoding
 */
export const escapeSegment = (segment: string): string =>
  segment.includes("%") || segment.includes(":")
    ? segment.replace(/%/g, "%25").replace(/:/g, "%3A")
    : segment

/**
 * Bounds a key to {@link maxBytes}: shorter keys are returned unchanged, longer ones keep a
 * readable head followed by `~` and a 128-bit hash of the whole key.
 *
 * @since 0.1.0
 * @category encoding
 */
export const bound = (key: string): string => {
  if (key.length * 3 <= maxBytes || utf8Length(key) <= maxBytes) return key
  let head = ""
  let bytes = 0
  for (const char of key) {
    const size = utf8Length(char)
    if (bytes + size > HEAD_BYTES) break
    head += char
    bytes += size
  }
  return `${head}~${hash128(key)}`
}

/**
 * The text of a user key: strings as given, parts canonically encoded.
 *
 * @since 0.1.0
 * @category encoding
 */
export const encode = (input: Input): string => (typeof input === "string" ? input : canonical(input))

/**
 * Builds `segment:segment:...:canonical(args)`, escaping the named segments, bounded in length.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (segments: ReadonlyArray<string>, args?: Part): string => {
  let out = ""
  for (let i = 0; i < segments.length; i++) {
    if (i > 0) out += ":"
    out += escapeSegment(segments[i]!)
  }
  if (args !== undefined) out += (segments.length > 0 ? ":" : "") + canonical(args)
  return bound(out)
}

/**
 * A stable 128-bit hex digest of a text.
 *
 * @since 0.1.0
 * @category encoding
 */
export const digest = (text: string): string => hash128(text)

const encoder = new TextEncoder()

const utf8Length = (text: string): number => {
  let ascii = true
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) > 0x7f) {
      ascii = false
      break
    }
  }
  return ascii ? text.length : encoder.encode(text).length
}
