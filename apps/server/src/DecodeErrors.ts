/**
 * The 400 a request gets when its path, query or body does not have the expected shape: a
 * short, stable body that names each failing field and rule, and never echoes the input
 * (`HttpApiDecodeError` carries Schema's own text, which quotes the whole offending value).
 *
 * @since 0.1.0
 */
import { type HttpApiError, HttpServerResponse } from "@effect/platform"

/**
 * At most this many field errors are listed.
 *
 * @since 0.1.0
 * @category constants
 */
export const maxErrors = 10

/**
 * A message is cut to this many characters.
 *
 * @since 0.1.0
 * @category constants
 */
export const maxMessageLength = 120

/**
 * One failing field: its path (`name`, `tags.0`; empty for the whole body), the rule it broke
 * (`type`, `missing`, `unexpected`, `forbidden`, `refinement`, `transformation`, ...) and a
 * short message.
 *
 * @since 0.1.0
 * @category models
 */
export interface FieldError {
  readonly field: string
  readonly rule: string
  readonly message: string
}

const rules: Record<string, string> = {
  Type: "type",
  Missing: "missing",
  Unexpected: "unexpected",
  Forbidden: "forbidden",
  Pointer: "type",
  Refinement: "refinement",
  Transformation: "transformation",
  Composite: "type"
}

/** Schema's text without the quoted input (`Expected string, actual {...}` -> `Expected string`), cut short. */
const shorten = (message: string): string => {
  const actual = message.indexOf(", actual ")
  const text = actual === -1 ? message : message.slice(0, actual)
  return text.length > maxMessageLength ? `${text.slice(0, maxMessageLength - 1)}…` : text
}

/**
 * The field errors of a decode failure, at most `maxErrors`, without echoed values.
 *
 * @since 0.1.0
 * @category utils
 */
export const fieldErrors = (error: HttpApiError.HttpApiDecodeError): ReadonlyArray<FieldError> =>
  error.issues.slice(0, maxErrors).map((issue) => ({
    field: issue.path.map(String).join(".").slice(0, maxMessageLength),
    rule: rules[issue._tag] ?? "type",
    message: shorten(issue.message)
  }))

/**
 * The 400 response of a decode failure: `{ error: "BadRequest", message, errors: [{ field, rule, message }] }`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const badRequest = (error: HttpApiError.HttpApiDecodeError): HttpServerResponse.HttpServerResponse =>
  HttpServerResponse.unsafeJson(
    {
      error: "BadRequest",
      message: "the request does not have the expected shape",
      errors: fieldErrors(error)
    },
    { status: 400 }
  )
