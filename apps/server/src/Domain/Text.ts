/**
 * Text as the blog validates and stores it: normalized first, so the rules judge what will be
 * stored (`" Admin "` is the reserved `Admin`, a comment of spaces is empty, `Ada@Example.COM`
 * is the address `ada@example.com` already taken).
 *
 * @since 0.1.0
 */

/**
 * Unicode NFC, surrounding whitespace removed.
 *
 * @since 0.1.0
 * @category normalization
 */
export const text = (value: string): string => value.normalize("NFC").trim()

/**
 * An email address: as `text`, then lower-cased (addresses are compared case-insensitively).
 *
 * @since 0.1.0
 * @category normalization
 */
export const email = (value: string): string => text(value).toLowerCase()

/**
 * A payload with each named string field normalized by its function; absent and `null`
 * fields stay as they are.
 *
 * @since 0.1.0
 * @category normalization
 */
export const fields = <A extends { readonly [key: string]: string | null | undefined }>(
  input: A,
  normalizers: { readonly [K in keyof A]?: (value: string) => string }
): A => {
  const output: Record<string, string | null | undefined> = { ...input }
  for (const [key, normalize] of Object.entries(normalizers)) {
    const value = input[key]
    if (typeof value === "string" && normalize !== undefined) output[key] = normalize(value)
  }
  return output as A
}
