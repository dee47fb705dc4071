/**
 * Values cross a store boundary as text: encoded by their Schema, then written as JSON, so
 * `Date`, `BigInt`, `Option`, branded and class types survive the round trip.
 *
 * @since 0.1.0
 */
import { Data, Either, ParseResult, Schema } from "effect"
import * as Key from "./Key.js"

/**
 * A value could not be encoded, or stored text could not be decoded, by a Schema.
 *
 * @since 0.1.0
 * @category errors
 */
export class CodecError extends Data.TaggedError("CodecError")<{
  readonly reason: "Encode" | "Decode"
  readonly cause: unknown
}> {
  override get message(): string {
    const detail = ParseResult.isParseError(this.cause)
      ? this.cause.message
      : this.cause instanceof Error ? this.cause.message : String(this.cause)
    return `${this.reason === "Encode" ? "cannot encode value" : "cannot decode stored text"}: ${detail}`
  }
}

/**
 * The codec used when a call names no Schema: plain JSON.
 *
 * @since 0.1.0
 * @category constants
 */
export const json: Schema.Schema<unknown> = Schema.Unknown

/**
 * Encodes a value to text with its Schema (synchronously).
 *
 * @since 0.1.0
 * @category encoding
 */
export const encode = <A, I>(schema: Schema.Schema<A, I, never>, value: A): Either.Either<string, CodecError> => {
  const encoded = Schema.encodeEither(schema)(value)
  if (Either.isLeft(encoded)) return Either.left(new CodecError({ reason: "Encode", cause: encoded.left }))
  try {
    const text = JSON.stringify(encoded.right)
    return text === undefined
      ? Either.left(new CodecError({ reason: "Encode", cause: "value has no JSON form" }))
      : Either.right(text)
  } catch (cause) {
    return Either.left(new CodecError({ reason: "Encode", cause }))
  }
}

/**
 * Decodes text written by {@link encode} (synchronously); any malformed or wrongly shaped text
 * is a `CodecError`.
 *
 * @since 0.1.0
 * @category encoding
 */
export const decode = <A, I>(schema: Schema.Schema<A, I, never>, text: string): Either.Either<A, CodecError> => {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (cause) {
    return Either.left(new CodecError({ reason: "Decode", cause }))
  }
  const decoded = Schema.decodeUnknownEither(schema)(parsed)
  return Either.isLeft(decoded)
    ? Either.left(new CodecError({ reason: "Decode", cause: decoded.left }))
    : Either.right(decoded.right)
}

const digests = new WeakMap<object, string>()

/**
 * A digest of a Schema's structure: it changes when the shape changes, so entries written with
 * an older shape are never read with the new one.
 *
 * @since 0.1.0
 * @category encoding
 */
export const digest = (schema: Schema.Schema.Any): string => {
  const known = digests.get(schema.ast)
  if (known !== undefined) return known
  let text: string
  try {
    text = JSON.stringify(schema.ast)
  } catch {
    text = String(schema.ast)
  }
  const value = Key.digest(text).slice(0, 12)
  digests.set(schema.ast, value)
  return value
}
