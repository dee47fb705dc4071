/**
 * What every request goes through: strict paths (404 for `;` spellings, 405 with `Allow` for
 * a known path under another method), JSON-only bodies (415 otherwise) nested at most
 * `JsonBody.maxDepth` deep (400), a 1 MB body limit (413), malformed JSON as 400, decode
 * failures as a short 400 (`DecodeErrors`), unknown routes as a JSON 404, unexpected failures
 * as a 500 with an opaque id (the cause is logged under that id, never sent). (The log line of
 * every request is `Serve`'s.)
 *
 * @since 0.1.0
 */
import { randomUUID } from "node:crypto"

import { HttpServe } from "@cachet/http"
import {
  HttpApiBuilder,
  HttpApiError,
  HttpIncomingMessage,
  HttpServerError,
  HttpServerRequest,
  HttpServerResponse
} from "@effect/platform"
import { NodeHttpServerRequest } from "@effect/platform-node"
import { Cause, Effect, Option } from "effect"

import { Api } from "./Api.js"
import * as DecodeErrors from "./DecodeErrors.js"
import * as JsonBody from "./JsonBody.js"

/**
 * The largest request body accepted.
 *
 * @since 0.1.0
 * @category constants
 */
export const maxBodyBytes = 1024 * 1024

const problem = (status: number, error: string, message: string, extra: Record<string, string> = {}) =>
  HttpServerResponse.unsafeJson({ error, message, ...extra }, { status })

const tooLarge = () => problem(413, "PayloadTooLarge", `request bodies are limited to ${maxBodyBytes} bytes`)

const notFound = (request: HttpServerRequest.HttpServerRequest) =>
  problem(404, "NotFound", `no route for ${request.method} ${request.url.split("?")[0]!.slice(0, 200)}`)

const unsupportedMediaType = () =>
  problem(415, "UnsupportedMediaType", "request bodies must be JSON (Content-Type: application/json)")

const tooDeep = () =>
  problem(400, "BadRequest", `JSON bodies may nest arrays and objects at most ${JsonBody.maxDepth} deep`)

const allowedMethods = HttpServe.methodsOf(Api, ["/docs", "/openapi.json"])

const isMaxBytes = (error: HttpServerError.RequestError): boolean =>
  error.cause instanceof Error && error.cause.message === "maxBytes exceeded"

const fromCause = (cause: Cause.Cause<never>): Effect.Effect<HttpServerResponse.HttpServerResponse> => {
  if (Cause.isInterruptedOnly(cause)) return Effect.failCause(cause)
  const failure = Cause.failureOption(cause)
  if (Option.isSome(failure)) {
    const error: unknown = failure.value
    if (HttpServerError.isServerError(error) && error._tag === "RouteNotFound") {
      const allowed = allowedMethods(error.request.url.split("?")[0]!)
      // A path whose routes include this method was refused for another reason (e.g. an over-long parameter).
      return Effect.succeed(
        allowed.length > 0 && !allowed.includes(error.request.method)
          ? HttpServe.methodNotAllowed(error.request.method, allowed)
          : notFound(error.request)
      )
    }
    if (error instanceof HttpApiError.HttpApiDecodeError) return Effect.succeed(DecodeErrors.badRequest(error))
    // The API's own errors: HttpApiBuilder encodes them with their status.
    return Effect.failCause(cause)
  }
  const defect = Cause.dieOption(cause)
  if (Option.isSome(defect) && HttpServerError.isServerError(defect.value) && defect.value._tag === "RequestError") {
    if (isMaxBytes(defect.value)) return Effect.succeed(tooLarge())
    if (defect.value.reason === "Decode") {
      return Effect.succeed(problem(400, "BadRequest", "the request body is not valid JSON"))
    }
  }
  const id = randomUUID()
  return Effect.as(
    Effect.logError("unexpected failure").pipe(Effect.annotateLogs({ errorId: id, cause: Cause.pretty(cause) })),
    problem(500, "InternalServerError", "something went wrong; quote this id when reporting it", { id })
  )
}

/**
 * Reads a body of unknown length (chunked) up to the limit, without destroying the socket
 * when it is too long (so the client still gets its 413): the bytes, or none when too long.
 */
const readBounded = (request: HttpServerRequest.HttpServerRequest): Effect.Effect<Option.Option<Uint8Array>> =>
  Effect.async<Option.Option<Uint8Array>>((resume) => {
    const source = NodeHttpServerRequest.toIncomingMessage(request)
    const chunks: Array<Buffer> = []
    let size = 0
    const cleanup = () => {
      source.off("data", onData)
      source.off("end", onEnd)
      source.off("error", onEnd)
    }
    const onData = (chunk: Buffer) => {
      size += chunk.length
      if (size <= maxBodyBytes) return void chunks.push(chunk)
      cleanup()
      source.pause()
      resume(Effect.succeed(Option.none()))
    }
    const onEnd = () => {
      cleanup()
      resume(Effect.succeed(Option.some(Buffer.concat(chunks))))
    }
    source.on("data", onData)
    source.once("end", onEnd)
    source.once("error", onEnd)
    return Effect.sync(cleanup)
  })

const hasBodyOfUnknownLength = (request: HttpServerRequest.HttpServerRequest): boolean =>
  request.headers["content-length"] === undefined && request.headers["transfer-encoding"] !== undefined &&
  request.method !== "GET" && request.method !== "HEAD"

const hasBody = (request: HttpServerRequest.HttpServerRequest): boolean =>
  hasBodyOfUnknownLength(request) || Number(request.headers["content-length"] ?? "0") > 0

/** The body as text (read once; the decoder reuses it), or the response that refuses it. */
const readText = (
  request: HttpServerRequest.HttpServerRequest
): Effect.Effect<HttpServerResponse.HttpServerResponse | string> =>
  request.text.pipe(
    HttpIncomingMessage.withMaxBodySize(Option.some(maxBodyBytes)),
    Effect.catchAll((error) =>
      Effect.succeed(isMaxBytes(error) ? tooLarge() : problem(400, "BadRequest", "the request body could not be read"))
    )
  )

/**
 * The API-level middleware: strict paths, JSON-only bodies of bounded size and depth, and the
 * error responses.
 *
 * @since 0.1.0
 * @category middleware
 */
export const GuardLive = HttpApiBuilder.middleware((app) =>
  Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    if (HttpServe.isAmbiguous(request.url)) return notFound(request)
    const length = Number(request.headers["content-length"] ?? "0")
    if (Number.isFinite(length) && length > maxBodyBytes) return tooLarge()
    let handled = app
    if (hasBody(request) && !JsonBody.isJsonMediaType(request.headers["content-type"])) return unsupportedMediaType()
    if (hasBodyOfUnknownLength(request)) {
      const body = yield* readBounded(request)
      if (Option.isNone(body)) return HttpServerResponse.setHeader(tooLarge(), "connection", "close")
      if (JsonBody.nestsDeeperThan(Buffer.from(body.value).toString("utf8"))) return tooDeep()
      const buffered = HttpServerRequest.fromWeb(
        new Request(new URL(request.url, "http://localhost"), {
          method: request.method,
          headers: Object.entries(request.headers).filter(([name]) => name !== "transfer-encoding"),
          body: body.value
        })
      )
      handled = Effect.provideService(app, HttpServerRequest.HttpServerRequest, buffered)
    } else if (hasBody(request)) {
      const text = yield* readText(request)
      if (typeof text !== "string") return text
      if (JsonBody.nestsDeeperThan(text)) return tooDeep()
    }
    return yield* handled.pipe(
      HttpIncomingMessage.withMaxBodySize(Option.some(maxBodyBytes)),
      Effect.catchAllCause(fromCause)
    )
  })
)
