/**
 * Service validations as Effects, after RedwoodJS's: `validate` a value against a recipe of
 * rules, `validateWith` / `validateWithSync` for checks of your own, `validateAll` to report
 * every failure at once, and `schema` to run the same rules, with the same messages, as a
 * Schema filter. (`validateUniqueness`, on `@effect/sql`, is its own entry point:
 * `@cachet/validate/Uniqueness`.)
 *
 * @since 0.1.0
 */
import { Effect, Schema } from "effect"
import type { Concurrency } from "effect/Types"

import * as internal from "./internal/rules.js"
import {
  isServiceValidationError,
  isServiceValidationErrors,
  ServiceValidationError,
  ServiceValidationErrors
} from "./ServiceValidationError.js"

export {
  /**
   * One failed validation (`field`, `rule`, `message`), safe to show to a client.
   *
   * @since 0.1.0
   * @category errors
   */
  ServiceValidationError,
  /**
   * Every failure reported by `validateAll`.
   *
   * @since 0.1.0
   * @category errors
   */
  ServiceValidationErrors
} from "./ServiceValidationError.js"

export {
  /**
   * The plain `{ field, rule, message }` list of a validation failure.
   *
   * @since 0.1.0
   * @category conversions
   */
  issues,
  /**
   * The names of the rules a `ServiceValidationError` can report.
   *
   * @since 0.1.0
   * @category models
   */
  Rule,
  /**
   * The plain shape of one failure: `{ field, rule, message }`.
   *
   * @since 0.1.0
   * @category models
   */
  ValidationIssue
} from "./ServiceValidationError.js"

// ---------------------------------------------------------------------------------------------
// recipes
// ---------------------------------------------------------------------------------------------

/**
 * Every rule accepts a `message` that replaces its default one. Messages interpolate
 * `${name}` and the rule's options (`${min}`, `${otherThan}`, ...) from plain strings.
 *
 * @since 0.1.0
 * @category models
 */
export interface WithMessage {
  readonly message?: string | undefined
}

/**
 * Options of `absence`: the value must be `null` or `undefined` (or `""` if allowed).
 *
 * @since 0.1.0
 * @category models
 */
export interface AbsenceOptions extends WithMessage {
  /** Counts `""` as absent. Default `false`. */
  readonly allowEmptyString?: boolean | undefined
}

/**
 * Options of `acceptance`: the value must be one of `in` (default `[true]`).
 *
 * @since 0.1.0
 * @category models
 */
export interface AcceptanceOptions extends WithMessage {
  readonly in?: ReadonlyArray<unknown> | undefined
}

/**
 * Options of `email`: the value must match `/^[^@\s]+@[^.\s]+\.[^\s]+$/`.
 *
 * @since 0.1.0
 * @category models
 */
export interface EmailOptions extends WithMessage {}

/**
 * Options of `inclusion` / `exclusion`: the list, and whether strings compare case-sensitively
 * (default `true`).
 *
 * @since 0.1.0
 * @category models
 */
export interface ListOptions extends WithMessage {
  readonly in: ReadonlyArray<unknown>
  readonly caseSensitive?: boolean | undefined
}

/**
 * Options of `format`: the value (as a string) must match `pattern`.
 *
 * @since 0.1.0
 * @category models
 */
export interface FormatOptions extends WithMessage {
  readonly pattern: RegExp
}

/**
 * Options of `length`: bounds on the length of a string in Unicode code points (an emoji is
 * one character, not the two UTF-16 units `String.length` counts) or of an array; `null` /
 * `undefined` have length 0.
 *
 * @since 0.1.0
 * @category models
 */
export interface LengthOptions extends WithMessage {
  readonly min?: number | undefined
  readonly max?: number | undefined
  readonly equal?: number | undefined
  readonly between?: readonly [min: number, max: number] | undefined
}

/**
 * Options of `numericality`: the value must be a number (not `NaN`) meeting every option given.
 *
 * @since 0.1.0
 * @category models
 */
export interface NumericalityOptions extends WithMessage {
  readonly integer?: boolean | undefined
  readonly lessThan?: number | undefined
  readonly lessThanOrEqual?: number | undefined
  readonly greaterThan?: number | undefined
  readonly greaterThanOrEqual?: number | undefined
  readonly equal?: number | undefined
  readonly otherThan?: number | undefined
  readonly even?: boolean | undefined
  readonly odd?: boolean | undefined
  readonly positive?: boolean | undefined
  readonly negative?: boolean | undefined
}

/**
 * Options of `presence`: by default `null` and `undefined` fail and `""` passes.
 *
 * @since 0.1.0
 * @category models
 */
export interface PresenceOptions extends WithMessage {
  /** Default `false`. */
  readonly allowNull?: boolean | undefined
  /** Default `false`. */
  readonly allowUndefined?: boolean | undefined
  /** Default `true`. */
  readonly allowEmptyString?: boolean | undefined
}

/**
 * A check of your own: a function of the value that throws (or returns a rejecting promise),
 * or an Effect that fails. Its error's message becomes the failure's message unless `message`
 * is given.
 *
 * @since 0.1.0
 * @category models
 */
export interface CustomOptions<R = never> extends WithMessage {
  readonly with: ((value: unknown) => unknown) | Effect.Effect<unknown, unknown, R>
}

/**
 * The rules to check a value against, run in the order they are written; the short forms
 * (`email: true`, `exclusion: ["Admin"]`, `format: /re/`) use default messages. `undefined` or
 * `false` switch a rule off.
 *
 * @since 0.1.0
 * @category models
 */
export interface Recipe<R = never> {
  readonly absence?: boolean | AbsenceOptions | undefined
  readonly acceptance?: boolean | AcceptanceOptions | undefined
  readonly email?: boolean | EmailOptions | undefined
  readonly exclusion?: ReadonlyArray<unknown> | ListOptions | undefined
  readonly format?: RegExp | FormatOptions | undefined
  readonly inclusion?: ReadonlyArray<unknown> | ListOptions | undefined
  readonly length?: LengthOptions | undefined
  readonly numericality?: boolean | NumericalityOptions | undefined
  readonly presence?: boolean | PresenceOptions | undefined
  readonly custom?: CustomOptions<R> | undefined
}

type Messaged<O> = O & { readonly message: string }

/**
 * A recipe for the two-argument `validate`: with no name to put in default messages, every
 * rule must carry its own `message`.
 *
 * @since 0.1.0
 * @category models
 */
export interface RecipeWithMessages<R = never> {
  readonly absence?: Messaged<AbsenceOptions> | undefined
  readonly acceptance?: Messaged<AcceptanceOptions> | undefined
  readonly email?: Messaged<EmailOptions> | undefined
  readonly exclusion?: Messaged<ListOptions> | undefined
  readonly format?: Messaged<FormatOptions> | undefined
  readonly inclusion?: Messaged<ListOptions> | undefined
  readonly length?: Messaged<LengthOptions> | undefined
  readonly numericality?: Messaged<NumericalityOptions> | undefined
  readonly presence?: Messaged<PresenceOptions> | undefined
  readonly custom?: Messaged<CustomOptions<R>> | undefined
}

/**
 * The lax email pattern of the `email` rule.
 *
 * @since 0.1.0
 * @category constants
 */
export const emailPattern: RegExp = internal.emailPattern

/**
 * The default message of each rule, before interpolation.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultMessages = internal.defaultMessages

/**
 * The label a field name stands for in default messages: names with whitespace are kept,
 * identifiers are title-cased (`"firstName"` reads `"First Name"`, `"PIN"` stays).
 *
 * @since 0.1.0
 * @category utils
 */
export const label: (name: string) => string = internal.label

// ---------------------------------------------------------------------------------------------
// validations
// ---------------------------------------------------------------------------------------------

/**
 * Checks a value against a recipe and fails with the first broken rule. With a name
 * (`validate(input.email, "Email Address", { email: true })`) default messages use it and the
 * failure's `field` is that name; without one every rule must carry its own `message` and
 * `field` is `""`.
 *
 * @example
 * ```ts
 * import { Validate } from "@cachet/validate"
 * import { Effect } from "effect"
 *
 * const createUser = (input: { readonly name: string; readonly email: string }) =>
 *   Effect.gen(function*() {
 *     // Fails with a ServiceValidationError naming the field,
 *     // e.g. "Email Address must be formatted like an email address".
 *     yield* Validate.validate(input.email, "Email Address", { presence: true, email: true })
 *     yield* Validate.validate(input.name, "name", { length: { min: 2, max: 255 } })
 *     return input
 *   })
 *
 * export const result = await Effect.runPromise(Effect.either(createUser({ name: "Rob", email: "not an email" })))
 * ```
 *
 * @since 0.1.0
 * @category validations
 */
export const validate: {
  <R = never>(value: unknown, recipe: RecipeWithMessages<R>): Effect.Effect<void, ServiceValidationError, R>
  <R = never>(value: unknown, name: string, recipe: Recipe<R>): Effect.Effect<void, ServiceValidationError, R>
} = <R>(
  value: unknown,
  nameOrRecipe: string | RecipeWithMessages<R>,
  recipe?: Recipe<R>
): Effect.Effect<void, ServiceValidationError, R> =>
  typeof nameOrRecipe === "string"
    ? internal.validateRecipe(value, nameOrRecipe, recipe ?? {})
    : internal.validateRecipe(value, "", nameOrRecipe)

/**
 * Options of `validateWith` / `validateWithSync`: the `field` to report (default `""`) and a
 * `message` that replaces the thrown one.
 *
 * @since 0.1.0
 * @category models
 */
export interface WithOptions {
  readonly field?: string | undefined
  readonly message?: string | undefined
}

const fromThrown = (options: WithOptions | undefined) => ({ thrown }: { readonly thrown: unknown }) =>
  new ServiceValidationError({
    field: options?.field ?? "",
    rule: "custom",
    message: options?.message ?? internal.messageOf(thrown) ?? "Validation failed"
  })

/**
 * Runs a synchronous check: if it throws a string or an Error, fails with a
 * `ServiceValidationError` carrying that message.
 *
 * @since 0.1.0
 * @category validations
 */
export const validateWithSync = (
  check: () => unknown,
  options?: WithOptions
): Effect.Effect<void, ServiceValidationError> =>
  Effect.suspend(() => {
    try {
      check()
      return Effect.void
    } catch (thrown) {
      return Effect.fail(fromThrown(options)({ thrown }))
    }
  })

/**
 * Runs a check that is an Effect, or an async function: a failure of the Effect (defects stay
 * defects), a rejection, or a thrown string or Error becomes a `ServiceValidationError` with
 * that message.
 *
 * @since 0.1.0
 * @category validations
 */
export const validateWith = <R = never>(
  check: Effect.Effect<unknown, unknown, R> | (() => unknown),
  options?: WithOptions
): Effect.Effect<void, ServiceValidationError, R> =>
  internal.runCheck(check, undefined).pipe(Effect.mapError(fromThrown(options)))

type ValidationFailure = ServiceValidationError | ServiceValidationErrors

/**
 * Runs every validation (in order, or with the given concurrency) and, if any failed, fails
 * once with `ServiceValidationErrors` listing every failure. Errors other than validation
 * errors (say a `SqlError` from `validateUniqueness`) stop it at once and pass through.
 *
 * @since 0.1.0
 * @category validations
 */
export const validateAll = <const V extends Effect.Effect<unknown, unknown, unknown>>(
  validations: Iterable<V>,
  options?: { readonly concurrency?: Concurrency | undefined }
): Effect.Effect<
  void,
  ServiceValidationErrors | Exclude<Effect.Effect.Error<V>, ValidationFailure>,
  Effect.Effect.Context<V>
> =>
  Effect.forEach(
    validations as Iterable<Effect.Effect<unknown, Effect.Effect.Error<V>, Effect.Effect.Context<V>>>,
    (validation) =>
      Effect.matchEffect(validation, {
        onFailure: (
          error
        ): Effect.Effect<ReadonlyArray<ServiceValidationError>, Exclude<Effect.Effect.Error<V>, ValidationFailure>> => {
          if (isServiceValidationError(error)) return Effect.succeed([error])
          if (isServiceValidationErrors(error)) return Effect.succeed(error.errors)
          return Effect.fail(error as Exclude<Effect.Effect.Error<V>, ValidationFailure>)
        },
        onSuccess: () => Effect.succeed([])
      }),
    { concurrency: options?.concurrency }
  ).pipe(
    Effect.flatMap((results) => {
      const [first, ...rest] = results.flat()
      return first === undefined ? Effect.void : Effect.fail(new ServiceValidationErrors({ errors: [first, ...rest] }))
    })
  )

// ---------------------------------------------------------------------------------------------
// Schema
// ---------------------------------------------------------------------------------------------

/**
 * The same rules and messages as a Schema filter, for `HttpApi` payloads and forms:
 * `Schema.String.pipe(Validate.schema({ presence: true, length: { min: 2 } }, "Name"))`.
 * Custom checks must be synchronous here.
 *
 * @since 0.1.0
 * @category schemas
 */
export const schema: {
  (recipe: RecipeWithMessages): <S extends Schema.Schema.Any>(self: S) => Schema.filter<S>
  (recipe: Recipe, name: string): <S extends Schema.Schema.Any>(self: S) => Schema.filter<S>
} = (recipe: Recipe, name?: string) => <S extends Schema.Schema.Any>(self: S): Schema.filter<S> =>
  self.pipe(
    Schema.filter<S>((value) => internal.validateRecipeSync(value, name ?? "", recipe)?.message)
  )
