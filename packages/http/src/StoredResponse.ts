/**
 * An encoded HTTP response as the cache keeps it: status, body bytes, content type, strong
 * `ETag`, when it was produced, how long it is fresh (and in grace), and the headers the route
 * chose to keep. A hit writes these bytes as they are: nothing is decoded or re-encoded.
 *
 * @since 0.1.0
 */
import { HttpServerResponse } from "@effect/platform"
import { Chunk, Effect, Either, Encoding, Option, ParseResult, Schema, Stream } from "effect"

import * as ETag from "./ETag.js"

/**
 * A stored response.
 *
 * @since 0.1.0
 * @category models
 */
export interface StoredResponse {
  readonly status: number
  readonly body: Uint8Array
  /** The body's media type (`""` when it has none). */
  readonly contentType: string
  /** A strong entity tag of `body` (`ETag.strong`). */
  readonly etag: string
  /** When it was produced, in milliseconds since the epoch. */
  readonly producedAt: number
  /** How long it is fresh, in milliseconds (its `max-age`). */
  readonly ttlMillis: number
  /** How long past its ttl it may be served while refreshed, in milliseconds. */
  readonly graceMillis: number
  /** The response headers kept with it (lower-case names; never `set-cookie`). */
  readonly headers: { readonly [name: string]: string }
}

/**
 * A stored response as it crosses a store boundary: JSON, with the body as text when it is
 * UTF-8 (JSON, HTML, ... stay readable in the store, the admin API and the CLI) and in base64
 * otherwise.
 *
 * @since 0.1.0
 * @category models
 */
export interface Encoded {
  readonly status: number
  readonly body: string
  /** Present (true) when `body` is base64. */
  readonly base64?: boolean | undefined
  readonly contentType: string
  readonly etag: string
  readonly producedAt: number
  readonly ttlMillis: number
  readonly graceMillis: number
  readonly headers: { readonly [name: string]: string }
}

const fields = {
  status: Schema.Number,
  contentType: Schema.String,
  etag: Schema.String,
  producedAt: Schema.Number,
  ttlMillis: Schema.Number,
  graceMillis: Schema.Number,
  headers: Schema.Record({ key: Schema.String, value: Schema.String })
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true })
const encoder = new TextEncoder()

/** The body as text when that round-trips byte for byte, else `undefined`. */
const asText = (body: Uint8Array): string | undefined => {
  try {
    return utf8.decode(body)
  } catch {
    return undefined
  }
}

/**
 * How a stored response crosses a store boundary (see {@link Encoded}).
 *
 * @since 0.1.0
 * @category schemas
 */
export const StoredResponse: Schema.Schema<StoredResponse, Encoded> = Schema.transformOrFail(
  Schema.Struct({ ...fields, body: Schema.String, base64: Schema.optional(Schema.Boolean) }),
  Schema.Struct({ ...fields, body: Schema.Uint8ArrayFromSelf }),
  {
    strict: true,
    decode: ({ base64, body, ...rest }, _, ast) => {
      if (base64 !== true) return ParseResult.succeed({ ...rest, body: encoder.encode(body) })
      return Either.match(Encoding.decodeBase64(body), {
        onLeft: (error) => ParseResult.fail(new ParseResult.Type(ast, body, error.message)),
        onRight: (bytes) => ParseResult.succeed({ ...rest, body: bytes })
      })
    },
    encode: ({ body, ...rest }) => {
      const text = asText(body)
      return ParseResult.succeed(
        text === undefined ? { ...rest, body: Encoding.encodeBase64(body), base64: true } : { ...rest, body: text }
      )
    }
  }
)

/**
 * The statuses cacheable by default (RFC 9110 §15.1 "heuristically cacheable", minus those a
 * read-through cache has no use for): 200, 203, 301, 404, 410.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultStatuses: ReadonlyArray<number> = [200, 203, 301, 404, 410]

/**
 * Response headers kept by default: those that describe the body or the redirect.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultKeep: ReadonlyArray<string> = ["location", "content-language", "content-encoding", "link"]

/**
 * Builds a stored response, computing its `ETag`. `set-cookie` is dropped from `headers`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: {
  readonly status: number
  readonly body: Uint8Array
  readonly contentType: string
  readonly producedAt: number
  readonly ttlMillis: number
  readonly graceMillis: number
  readonly headers?: { readonly [name: string]: string } | undefined
}): StoredResponse => {
  const headers: Record<string, string> = {}
  if (options.headers !== undefined) {
    for (const name in options.headers) {
      const lower = name.toLowerCase()
      if (lower !== "set-cookie") headers[lower] = options.headers[name]!
    }
  }
  return {
    status: options.status,
    body: options.body,
    contentType: options.contentType,
    etag: ETag.strong(options.body),
    producedAt: options.producedAt,
    ttlMillis: options.ttlMillis,
    graceMillis: options.graceMillis,
    headers
  }
}

/**
 * The bytes of a response's body: `Uint8Array` and text bodies as they are, streams collected;
 * `None` for bodies that cannot be replayed (form data, Node streams).
 *
 * @since 0.1.0
 * @category capture
 */
export const bodyBytes = (
  response: HttpServerResponse.HttpServerResponse
): Effect.Effect<Option.Option<Uint8Array>> => {
  const body = response.body
  switch (body._tag) {
    case "Empty":
      return Effect.succeed(Option.some(new Uint8Array(0)))
    case "Uint8Array":
      return Effect.succeed(Option.some(body.body))
    case "Raw":
      if (typeof body.body === "string") return Effect.succeed(Option.some(encoder.encode(body.body)))
      if (body.body instanceof Uint8Array) return Effect.succeed(Option.some(body.body))
      return Effect.succeed(Option.none())
    case "Stream":
      return Stream.runCollect(body.stream).pipe(
        Effect.map((chunks) => Option.some(concat(Chunk.toReadonlyArray(chunks)))),
        Effect.orElseSucceed(() => Option.none<Uint8Array>())
      )
    case "FormData":
      return Effect.succeed(Option.none())
  }
}

const concat = (chunks: ReadonlyArray<Uint8Array>): Uint8Array => {
  if (chunks.length === 1) return chunks[0]!
  let size = 0
  for (const chunk of chunks) size += chunk.length
  const out = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    out.set(chunk, offset)
    offset += chunk.length
  }
  return out
}

/**
 * Captures a response for storage, keeping the named headers (never `set-cookie`, nor the
 * response's cookies). `None` when its body cannot be replayed.
 *
 * @since 0.1.0
 * @category capture
 */
export const fromResponse = (
  response: HttpServerResponse.HttpServerResponse,
  options: {
    readonly keep: ReadonlyArray<string>
    readonly producedAt: number
    readonly ttlMillis: number
    readonly graceMillis: number
  }
): Effect.Effect<Option.Option<StoredResponse>> =>
  Effect.map(
    bodyBytes(response),
    Option.map((body) => {
      const headers: Record<string, string> = {}
      for (const name of options.keep) {
        const value = response.headers[name]
        if (value !== undefined) headers[name] = value
      }
      return make({
        status: response.status,
        body,
        contentType: response.body.contentType ?? response.headers["content-type"] ?? "",
        producedAt: options.producedAt,
        ttlMillis: options.ttlMillis,
        graceMillis: options.graceMillis,
        headers
      })
    })
  )

/**
 * The response a stored one is written as, with extra headers (a body without a content type
 * and without bytes is written as no body).
 *
 * @since 0.1.0
 * @category conversions
 */
export const toResponse = (
  stored: StoredResponse,
  headers: { readonly [name: string]: string }
): HttpServerResponse.HttpServerResponse =>
  stored.contentType === "" && stored.body.length === 0
    ? HttpServerResponse.empty({ status: stored.status, headers })
    : HttpServerResponse.uint8Array(stored.body, { status: stored.status, contentType: stored.contentType, headers })
