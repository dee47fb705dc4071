/**
 * The errors service validations fail with. They are `Schema.TaggedError`s, so they cross an
 * HTTP boundary intact, and their messages are meant to be shown to a client.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"

/**
 * The name of the rule that failed, as RedwoodJS names its validation errors
 * (`minLength`, `lessThanNumericality`, ...), plus `uniqueness`.
 *
 * @since 0.1.0
 * @category models
 */
export const Rule = Schema.Literal(
  "absence",
  "acceptance",
  "email",
  "exclusion",
  "format",
  "inclusion",
  "minLength",
  "maxLength",
  "equalLength",
  "betweenLength",
  "typeNumericality",
  "integerNumericality",
  "lessThanNumericality",
  "lessThanOrEqualNumericality",
  "greaterThanNumericality",
  "greaterThanOrEqualNumericality",
  "equalNumericality",
  "otherThanNumericality",
  "evenNumericality",
  "oddNumericality",
  "positiveNumericality",
  "negativeNumericality",
  "presence",
  "custom",
  "uniqueness"
)

/**
 * @since 0.1.0
 * @category models
 */
export type Rule = typeof Rule.Type

/**
 * `@effect/platform`'s `HttpApiSchema` status annotation (a global symbol), so an `HttpApi`
 * that declares these errors answers 422 without this package depending on the platform.
 */
const HttpStatus: unique symbol = Symbol.for("@effect/platform/HttpApiSchema/AnnotationStatus") as never

/**
 * One failed validation: which field (the name given to `validate`, `""` when none was given),
 * which rule, and a message that is safe to show to a client.
 *
 * @since 0.1.0
 * @category errors
 */
export class ServiceValidationError extends Schema.TaggedError<ServiceValidationError>(
  "@cachet/validate/ServiceValidationError"
)(
  "ServiceValidationError",
  {
    field: Schema.String,
    rule: Rule,
    message: Schema.String
  },
  { [HttpStatus]: 422, description: "A service validation failed" }
) {}

/**
 * Every failure reported by `validateAll`, in the order the validations were given.
 *
 * @since 0.1.0
 * @category errors
 */
export class ServiceValidationErrors extends Schema.TaggedError<ServiceValidationErrors>(
  "@cachet/validate/ServiceValidationErrors"
)(
  "ServiceValidationErrors",
  { errors: Schema.NonEmptyArray(ServiceValidationError) },
  { [HttpStatus]: 422, description: "One or more service validations failed" }
) {
  /**
   * The messages of every failure, joined with `"; "`.
   *
   * @since 0.1.0
   */
  override get message(): string {
    return this.errors.map((error) => error.message).join("; ")
  }
}

/**
 * The plain shape of one failure, as an HTTP app returns it: `{ field, rule, message }`.
 *
 * @since 0.1.0
 * @category models
 */
export const ValidationIssue = Schema.Struct({
  field: Schema.String,
  rule: Rule,
  message: Schema.String
})

/**
 * @since 0.1.0
 * @category models
 */
export type ValidationIssue = typeof ValidationIssue.Type

/**
 * Tells whether a value is a `ServiceValidationError`.
 *
 * @since 0.1.0
 * @category guards
 */
export const isServiceValidationError = (u: unknown): u is ServiceValidationError => u instanceof ServiceValidationError

/**
 * Tells whether a value is a `ServiceValidationErrors`.
 *
 * @since 0.1.0
 * @category guards
 */
export const isServiceValidationErrors = (u: unknown): u is ServiceValidationErrors =>
  u instanceof ServiceValidationErrors

/**
 * The plain `{ field, rule, message }` list of a validation failure (one entry for a single
 * error), e.g. for a `422 { errors: [...] }` response body.
 *
 * @since 0.1.0
 * @category conversions
 */
export const issues = (
  error: ServiceValidationError | ServiceValidationErrors
): ReadonlyArray<ValidationIssue> =>
  (error._tag === "ServiceValidationErrors" ? error.errors : [error]).map(
    ({ field, message, rule }) => ({ field, rule, message })
  )
