/**
 * Entity tags (RFC 9110 §8.8.3) and the `If-None-Match` precondition (§13.1.2): a strong tag
 * computed from a body's bytes, and weak comparison against a header's list or `*`.
 *
 * @since 0.1.0
 */
import { createHash } from "node:crypto"

/**
 * A strong entity tag of a body: `"` + 22 base64url characters of its SHA-1 + `"`. Equal bytes,
 * equal tag; any other body, another tag.
 *
 * @since 0.1.0
 * @category constructors
 */
export const strong = (body: Uint8Array): string =>
  `"${createHash("sha1").update(body).digest("base64url").slice(0, 22)}"`

/**
 * The entity tags listed in an `If-None-Match` (or `If-Match`) header, without their `W/`
 * prefix, or `"*"` when the header is `*`. Malformed members are skipped.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parseList = (header: string): ReadonlyArray<string> | "*" => {
  if (header.trim() === "*") return "*"
  const tags: Array<string> = []
  let i = 0
  while (i < header.length) {
    const char = header.charCodeAt(i)
    // skip separators and whitespace
    if (char === 44 || char === 32 || char === 9) {
      i++
      continue
    }
    if (header.startsWith("W/", i)) i += 2
    if (header.charCodeAt(i) !== 34) {
      // not an entity tag: skip to the next comma
      const comma = header.indexOf(",", i)
      if (comma === -1) break
      i = comma + 1
      continue
    }
    const end = header.indexOf("\"", i + 1)
    if (end === -1) break
    tags.push(header.slice(i, end + 1))
    i = end + 1
  }
  return tags
}

/**
 * Whether an `If-None-Match` header matches a current entity tag, by weak comparison (`W/"x"`
 * matches `"x"`); `*` matches any current representation. An absent header never matches.
 *
 * @since 0.1.0
 * @category predicates
 */
export const matches = (ifNoneMatch: string | undefined, etag: string): boolean => {
  if (ifNoneMatch === undefined) return false
  // The common case: the client sends back exactly the tag it was given.
  if (ifNoneMatch === etag) return true
  const list = parseList(ifNoneMatch)
  if (list === "*") return true
  const opaque = etag.startsWith("W/") ? etag.slice(2) : etag
  return list.includes(opaque)
}
