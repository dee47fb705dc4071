/**
 * The 422 every write answers when its input breaks rules: every failure at once, as
 * `{ errors: [{ field, rule, message }] }`.
 *
 * @since 0.1.0
 */
import { ServiceValidationError, Validate } from "@cachet/validate"
import { HttpApiSchema } from "@effect/platform"
import { Effect, Schema } from "effect"

/**
 * @since 0.1.0
 * @category errors
 */
export class ValidationFailed extends Schema.TaggedError<ValidationFailed>()(
  "ValidationFailed",
  { errors: Schema.NonEmptyArray(ServiceValidationError.ValidationIssue) },
  HttpApiSchema.annotations({ status: 422, description: "The input broke one or more rules" })
) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return this.errors.map((error) => error.message).join("; ")
  }
}

/**
 * Turns the validation errors of an effect into one `ValidationFailed`.
 *
 * @since 0.1.0
 * @category combinators
 */
export const toValidationFailed = <A, E, R>(
  effect: Effect.Effect<A, E, R>
): Effect.Effect<
  A,
  Exclude<E, Validate.ServiceValidationError | Validate.ServiceValidationErrors> | ValidationFailed,
  R
> =>
  Effect.catchIf(
    effect,
    (error): error is Extract<E, Validate.ServiceValidationError | Validate.ServiceValidationErrors> =>
      error instanceof Validate.ServiceValidationError || error instanceof Validate.ServiceValidationErrors,
    (error) => {
      const [first, ...rest] = Validate.issues(error)
      return Effect.fail(new ValidationFailed({ errors: [first!, ...rest] }))
    }
  ) as never
