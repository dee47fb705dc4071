/**
 * Values cross a store boundary as text: encoded by their Schema, then written as JSON, so
 * `Date`, `BigInt`, `Option`, branded and class types survive the round trip.
 *
 * @since 0.1.0
 */
import { Data, Either, ParseResult, Schema } from "effect"

import * as BoundedMemo from "./BoundedMemo.js"
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
      : this.cause instanceof Error
      ? this.cause.message
      : String(this.cause)
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
 * A JSON value: what a value read without a Schema is, once it has crossed the store.
 *
 * @since 0.1.0
 * @category models
 */
export type Json = null | boolean | number | string | ReadonlyArray<Json> | { readonly [key: string]: Json }

/**
 * `A` as it reads back from its JSON form: `never` wherever JSON would change it (a `Date`, a
 * `bigint`, a `Map`, a function or a method, `undefined`), so `[A] extends [JsonSafe<A>]` holds
 * exactly when a JSON round trip keeps `A`'s type. A class whose instances have fields only
 * passes (TypeScript cannot tell it from a plain object) but reads back without its prototype.
 *
 * @since 0.1.0
 * @category models
 */
export type JsonSafe<A> = A extends string | number | boolean | null ? A
  : A extends ReadonlyArray<infer X> ? ReadonlyArray<JsonSafe<X>>
  : A extends Function | Date | bigint | symbol | undefined | ReadonlyMap<unknown, unknown> | ReadonlySet<unknown> ?
    never
  : A extends object ? { readonly [K in keyof A]: JsonSafe<A[K]> }
  : never

/**
 * Accepts an effect whose value is JSON-safe (or `unknown`); otherwise names the problem in the
 * type error. What `Cache.getOrFetch` asks of a fetch called without a Schema.
 *
 * @since 0.1.0
 * @category models
 */
export type JsonOnly<A> = unknown extends A ? unknown
  : [A] extends [JsonSafe<A>] ? unknown
  : { readonly "cachet: without a schema the value must be JSON (give getOrFetch a schema)": JsonSafe<A> }

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
    const text = hasSpecialNumbers(encoded.right)
      ? EXTENDED + JSON.stringify(toExtended(encoded.right))
      : JSON.stringify(encoded.right)
    return text === undefined
      ? Either.left(new CodecError({ reason: "Encode", cause: "value has no JSON form" }))
      : Either.right(text)
  } catch (cause) {
    return Either.left(new CodecError({ reason: "Encode", cause }))
  }
}

/**
 * JSON has no `Infinity`, `NaN` or `-0`. Encoded values holding them are written in an extended
 * form: `~` then JSON where such a number is `{"~n":"Infinity"}` and every object key that
 * starts with `~` gets one more `~`, so no user data can be mistaken for a marker. Plain JSON
 * never starts with `~`.
 */
const EXTENDED = "~"
const NUMBER_MARK = "~n"

const isSpecialNumber = (n: number): boolean => !Number.isFinite(n) || Object.is(n, -0)

const hasSpecialNumbers = (value: unknown): boolean => {
  if (typeof value === "number") return isSpecialNumber(value)
  if (typeof value !== "object" || value === null) return false
  if (Array.isArray(value)) return value.some(hasSpecialNumbers)
  for (const key in value) if (hasSpecialNumbers((value as Record<string, unknown>)[key])) return true
  return false
}

const toExtended = (value: unknown): unknown => {
  if (typeof value === "number") {
    return isSpecialNumber(value)
      ? { [NUMBER_MARK]: Object.is(value, -0) ? "-0" : String(value) }
      : value
  }
  if (typeof value !== "object" || value === null) return value
  if (Array.isArray(value)) return value.map(toExtended)
  const out: Record<string, unknown> = {}
  for (const [key, inner] of Object.entries(value)) out[key.startsWith("~") ? `~${key}` : key] = toExtended(inner)
  return out
}

const fromExtended = (value: unknown): unknown => {
  if (typeof value !== "object" || value === null) return value
  if (Array.isArray(value)) return value.map(fromExtended)
  const keys = Object.keys(value)
  const record = value as Record<string, unknown>
  if (keys.length === 1 && keys[0] === NUMBER_MARK && typeof record[NUMBER_MARK] === "string") {
    return record[NUMBER_MARK] === "-0" ? -0 : Number(record[NUMBER_MARK])
  }
  const out: Record<string, unknown> = {}
  for (const key of keys) out[key.startsWith("~~") ? key.slice(1) : key] = fromExtended(record[key])
  return out
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
    parsed = text.startsWith(EXTENDED) ? fromExtended(JSON.parse(text.slice(EXTENDED.length))) : JSON.parse(text)
  } catch (cause) {
    return Either.left(new CodecError({ reason: "Decode", cause }))
  }
  const decoded = Schema.decodeUnknownEither(schema)(parsed)
  return Either.isLeft(decoded)
    ? Either.left(new CodecError({ reason: "Decode", cause: decoded.left }))
    : Either.right(decoded.right)
}

const digests = BoundedMemo.makeWeak<object, string>(1_000)

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
