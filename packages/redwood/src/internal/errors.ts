import { display } from "./humanize.js"

/**
 * The base of the errors a RedwoodJS service may show to a client: an `Error` with GraphQL
 * `extensions` (`code` defaults to `"REDWOODJS_ERROR"`).
 *
 * @since 0.1.0
 * @category errors
 */
export class RedwoodError extends Error {
  /** The GraphQL error extensions. */
  readonly extensions: Record<string, unknown>
  constructor(message: string, extensions?: Record<string, unknown>) {
    super(message)
    this.name = "RedwoodError"
    this.extensions = { ...extensions, code: extensions?.code || "REDWOODJS_ERROR" }
  }
}

/**
 * A failed service validation; its message is safe to show to a client. `${key}` in the message
 * is replaced by each substitution, humanised and title-cased, and the extensions carry the
 * message under the field's name with code `BAD_USER_INPUT`, as RedwoodJS's forms expect.
 *
 * @since 0.1.0
 * @category errors
 */
export class ServiceValidationError extends RedwoodError {
  constructor(message: string, substitutions: Readonly<Record<string, unknown>> = {}) {
    let text = message
    let extensions: Record<string, unknown> = {}
    for (const [key, value] of Object.entries(substitutions)) {
      text = text.replaceAll(`\${${key}}`, display(value))
      extensions = { code: "BAD_USER_INPUT", properties: { messages: { [String(value)]: [text] } } }
    }
    super(text, extensions)
    this.name = "ServiceValidationError"
    Object.setPrototypeOf(this, new.target.prototype)
  }
}

/**
 * The class of a rule's error: `new (name, message?, substitutions?)`, the rule's default message
 * used when `message` is not given.
 *
 * @since 0.1.0
 * @category errors
 */
export interface RuleErrorClass {
  new(name: string, message?: string, substitutions?: Record<string, unknown>): ServiceValidationError
  readonly prototype: ServiceValidationError
}

const rule = (className: string, defaultMessage: string): RuleErrorClass => {
  const Class = class extends ServiceValidationError {
    constructor(name: string, message: string = defaultMessage, substitutions: Record<string, unknown> = {}) {
      super(message, Object.assign(substitutions, { name }))
      this.name = className
      Object.setPrototypeOf(this, new.target.prototype)
    }
  }
  Object.defineProperty(Class, "name", { value: className })
  return Class
}

/** `absence` failed: `"${name} is not absent"`. @since 0.1.0 @category errors */
export const AbsenceValidationError = rule("AbsenceValidationError", "${name} is not absent")
/** @since 0.1.0 @category errors */
export type AbsenceValidationError = InstanceType<typeof AbsenceValidationError>
/** `acceptance` failed: `"${name} must be accepted"`. @since 0.1.0 @category errors */
export const AcceptanceValidationError = rule("AcceptanceValidationError", "${name} must be accepted")
/** @since 0.1.0 @category errors */
export type AcceptanceValidationError = InstanceType<typeof AcceptanceValidationError>
/** `email` failed: `"${name} must be formatted like an email address"`. @since 0.1.0 @category errors */
export const EmailValidationError = rule("EmailValidationError", "${name} must be formatted like an email address")
/** @since 0.1.0 @category errors */
export type EmailValidationError = InstanceType<typeof EmailValidationError>
/** `exclusion` failed: `"${name} is reserved"`. @since 0.1.0 @category errors */
export const ExclusionValidationError = rule("ExclusionValidationError", "${name} is reserved")
/** @since 0.1.0 @category errors */
export type ExclusionValidationError = InstanceType<typeof ExclusionValidationError>
/** `format` failed: `"${name} is not formatted correctly"`. @since 0.1.0 @category errors */
export const FormatValidationError = rule("FormatValidationError", "${name} is not formatted correctly")
/** @since 0.1.0 @category errors */
export type FormatValidationError = InstanceType<typeof FormatValidationError>
/** `inclusion` failed: `"${name} is reserved"` (RedwoodJS's default, kept). @since 0.1.0 @category errors */
export const InclusionValidationError = rule("InclusionValidationError", "${name} is reserved")
/** @since 0.1.0 @category errors */
export type InclusionValidationError = InstanceType<typeof InclusionValidationError>
/** `length.min` failed: `"${name} must have at least ${min} characters"`. @since 0.1.0 @category errors */
export const MinLengthValidationError = rule("MinLengthValidationError", "${name} must have at least ${min} characters")
/** @since 0.1.0 @category errors */
export type MinLengthValidationError = InstanceType<typeof MinLengthValidationError>
/** `length.max` failed: `"${name} must have no more than ${max} characters"`. @since 0.1.0 @category errors */
export const MaxLengthValidationError = rule(
  "MaxLengthValidationError",
  "${name} must have no more than ${max} characters"
)
/** @since 0.1.0 @category errors */
export type MaxLengthValidationError = InstanceType<typeof MaxLengthValidationError>
/** `length.equal` failed: `"${name} must have exactly ${equal} characters"`. @since 0.1.0 @category errors */
export const EqualLengthValidationError = rule(
  "EqualLengthValidationError",
  "${name} must have exactly ${equal} characters"
)
/** @since 0.1.0 @category errors */
export type EqualLengthValidationError = InstanceType<typeof EqualLengthValidationError>
/** `length.between` failed: `"${name} must be between ${min} and ${max} characters"`. @since 0.1.0 @category errors */
export const BetweenLengthValidationError = rule(
  "BetweenLengthValidationError",
  "${name} must be between ${min} and ${max} characters"
)
/** @since 0.1.0 @category errors */
export type BetweenLengthValidationError = InstanceType<typeof BetweenLengthValidationError>
/** `presence` failed: `"${name} must be present"`. @since 0.1.0 @category errors */
export const PresenceValidationError = rule("PresenceValidationError", "${name} must be present")
/** @since 0.1.0 @category errors */
export type PresenceValidationError = InstanceType<typeof PresenceValidationError>
/** Not a number: `"${name} must by a number"` (RedwoodJS's wording, typo kept). @since 0.1.0 @category errors */
export const TypeNumericalityValidationError = rule("TypeNumericalityValidationError", "${name} must by a number")
/** @since 0.1.0 @category errors */
export type TypeNumericalityValidationError = InstanceType<typeof TypeNumericalityValidationError>
/** `numericality.integer` failed: `"${name} must be an integer"`. @since 0.1.0 @category errors */
export const IntegerNumericalityValidationError = rule(
  "IntegerNumericalityValidationError",
  "${name} must be an integer"
)
/** @since 0.1.0 @category errors */
export type IntegerNumericalityValidationError = InstanceType<typeof IntegerNumericalityValidationError>
/** `numericality.lessThan` failed. @since 0.1.0 @category errors */
export const LessThanNumericalityValidationError = rule(
  "LessThanNumericalityValidationError",
  "${name} must be less than ${lessThan}"
)
/** @since 0.1.0 @category errors */
export type LessThanNumericalityValidationError = InstanceType<typeof LessThanNumericalityValidationError>
/** `numericality.lessThanOrEqual` failed. @since 0.1.0 @category errors */
export const LessThanOrEqualNumericalityValidationError = rule(
  "LessThanOrEqualNumericalityValidationError",
  "${name} must be less than or equal to ${lessThanOrEqual}"
)
/** @since 0.1.0 @category errors */
export type LessThanOrEqualNumericalityValidationError = InstanceType<typeof LessThanOrEqualNumericalityValidationError>
/** `numericality.greaterThan` failed. @since 0.1.0 @category errors */
export const GreaterThanNumericalityValidationError = rule(
  "GreaterThanNumericalityValidationError",
  "${name} must be greater than ${greaterThan}"
)
/** @since 0.1.0 @category errors */
export type GreaterThanNumericalityValidationError = InstanceType<typeof GreaterThanNumericalityValidationError>
/** `numericality.greaterThanOrEqual` failed. @since 0.1.0 @category errors */
export const GreaterThanOrEqualNumericalityValidationError = rule(
  "GreaterThanOrEqualNumericalityValidationError",
  "${name} must be greater than or equal to ${greaterThanOrEqual}"
)
/** @since 0.1.0 @category errors */
export type GreaterThanOrEqualNumericalityValidationError = InstanceType<
  typeof GreaterThanOrEqualNumericalityValidationError
>
/** `numericality.equal` failed: `"${name} must equal ${equal}"`. @since 0.1.0 @category errors */
export const EqualNumericalityValidationError = rule("EqualNumericalityValidationError", "${name} must equal ${equal}")
/** @since 0.1.0 @category errors */
export type EqualNumericalityValidationError = InstanceType<typeof EqualNumericalityValidationError>
/** `numericality.otherThan` failed: `"${name} must not equal ${otherThan}"`. @since 0.1.0 @category errors */
export const OtherThanNumericalityValidationError = rule(
  "OtherThanNumericalityValidationError",
  "${name} must not equal ${otherThan}"
)
/** @since 0.1.0 @category errors */
export type OtherThanNumericalityValidationError = InstanceType<typeof OtherThanNumericalityValidationError>
/** `numericality.even` failed. @since 0.1.0 @category errors */
export const EvenNumericalityValidationError = rule("EvenNumericalityValidationError", "${name} must be even")
/** @since 0.1.0 @category errors */
export type EvenNumericalityValidationError = InstanceType<typeof EvenNumericalityValidationError>
/** `numericality.odd` failed. @since 0.1.0 @category errors */
export const OddNumericalityValidationError = rule("OddNumericalityValidationError", "${name} must be odd")
/** @since 0.1.0 @category errors */
export type OddNumericalityValidationError = InstanceType<typeof OddNumericalityValidationError>
/** `numericality.positive` failed. @since 0.1.0 @category errors */
export const PositiveNumericalityValidationError = rule(
  "PositiveNumericalityValidationError",
  "${name} must be positive"
)
/** @since 0.1.0 @category errors */
export type PositiveNumericalityValidationError = InstanceType<typeof PositiveNumericalityValidationError>
/** `numericality.negative` failed. @since 0.1.0 @category errors */
export const NegativeNumericalityValidationError = rule(
  "NegativeNumericalityValidationError",
  "${name} must be negative"
)
/** @since 0.1.0 @category errors */
export type NegativeNumericalityValidationError = InstanceType<typeof NegativeNumericalityValidationError>
/**
 * `custom` failed: the rule's `message`, else the check's error message (or the thrown string).
 *
 * @since 0.1.0
 * @category errors
 */
export const CustomValidationError = rule("CustomValidationError", "")
/** @since 0.1.0 @category errors */
export type CustomValidationError = InstanceType<typeof CustomValidationError>

/**
 * `validateUniqueness` found a record: `message`, else `"<fields> must be unique"` with the field
 * names as written (`"name, email must be unique"`).
 *
 * @since 0.1.0
 * @category errors
 */
export class UniquenessValidationError extends ServiceValidationError {
  constructor(name: string, message: string | undefined, substitutions: Record<string, unknown> = {}) {
    super(message ? message : `${name} must be unique`, Object.assign(substitutions, { name }))
    this.name = "UniquenessValidationError"
    Object.setPrototypeOf(this, new.target.prototype)
  }
}
