/**
 * What a JSON endpoint accepts as a body, checked before anything parses or decodes it: a
 * JSON media type (anything else, such as the form and multipart bodies a cross-site form can
 * send without a preflight, is a 415), and a bounded nesting depth (deep nesting would
 * overflow the stack of a recursive decoder or error formatter).
 *
 * @since 0.1.0
 */

/**
 * The deepest nesting of arrays and objects a body may have.
 *
 * @since 0.1.0
 * @category constants
 */
export const maxDepth = 64

/**
 * Whether a `Content-Type` names JSON: `application/json` or `application/<anything>+json`,
 * with any parameters.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isJsonMediaType = (contentType: string | undefined): boolean => {
  if (contentType === undefined) return false
  const type = contentType.split(";")[0]!.trim().toLowerCase()
  return type === "application/json" || /^application\/[a-z0-9.!#$&^_-]+\+json$/.test(type)
}

/**
 * Whether the JSON text nests arrays and objects deeper than `limit`. One pass over the text,
 * no recursion, strings skipped (brackets inside them do not count); the text need not be
 * valid JSON (the parser reports that afterwards).
 *
 * @since 0.1.0
 * @category predicates
 */
export const nestsDeeperThan = (text: string, limit: number = maxDepth): boolean => {
  let depth = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (inString) {
      if (code === 92 /* \ */) i++
      else if (code === 34 /* " */) inString = false
    } else if (code === 34) {
      inString = true
    } else if (code === 91 /* [ */ || code === 123 /* { */) {
      if (++depth > limit) return true
    } else if (code === 93 /* ] */ || code === 125 /* } */) {
      depth--
    }
  }
  return false
}
