import { Rules } from "@cachet/validate"
import type { ServiceValidationError } from "@cachet/validate"

import * as Errors from "./errors.js"

/** RedwoodJS reads values as `String(value).length`, `0` as an unset length bound, `NaN` as a number. */
type Rule = ServiceValidationError.Rule

const redwoodSemantics: Rules.Semantics = {
  lengthOf: (value) => String(value).length,
  isBound: (bound): bound is number => typeof bound === "number" && bound !== 0,
  nanIsNumber: true,
  isOdd: (value) => value % 2 === 1
}

const check = Rules.make(redwoodSemantics)

const errorClasses: { readonly [R in Exclude<Rule, "uniqueness">]: Errors.RuleErrorClass } = {
  absence: Errors.AbsenceValidationError,
  acceptance: Errors.AcceptanceValidationError,
  email: Errors.EmailValidationError,
  exclusion: Errors.ExclusionValidationError,
  format: Errors.FormatValidationError,
  inclusion: Errors.InclusionValidationError,
  minLength: Errors.MinLengthValidationError,
  maxLength: Errors.MaxLengthValidationError,
  equalLength: Errors.EqualLengthValidationError,
  betweenLength: Errors.BetweenLengthValidationError,
  typeNumericality: Errors.TypeNumericalityValidationError,
  integerNumericality: Errors.IntegerNumericalityValidationError,
  lessThanNumericality: Errors.LessThanNumericalityValidationError,
  lessThanOrEqualNumericality: Errors.LessThanOrEqualNumericalityValidationError,
  greaterThanNumericality: Errors.GreaterThanNumericalityValidationError,
  greaterThanOrEqualNumericality: Errors.GreaterThanOrEqualNumericalityValidationError,
  equalNumericality: Errors.EqualNumericalityValidationError,
  otherThanNumericality: Errors.OtherThanNumericalityValidationError,
  evenNumericality: Errors.EvenNumericalityValidationError,
  oddNumericality: Errors.OddNumericalityValidationError,
  positiveNumericality: Errors.PositiveNumericalityValidationError,
  negativeNumericality: Errors.NegativeNumericalityValidationError,
  presence: Errors.PresenceValidationError,
  custom: Errors.CustomValidationError
}

/** The option a broken rule's message interpolates, besides `name`. */
const substituted: Partial<Record<Rule, string>> = {
  minLength: "min",
  maxLength: "max",
  equalLength: "equal",
  lessThanNumericality: "lessThan",
  lessThanOrEqualNumericality: "lessThanOrEqual",
  greaterThanNumericality: "greaterThan",
  greaterThanOrEqualNumericality: "greaterThanOrEqual",
  equalNumericality: "equal",
  otherThanNumericality: "otherThan"
}

const isObject = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null

/** A rule's own message: only an options object carries one. */
const messageOf = (options: unknown): string | undefined =>
  isObject(options) && typeof options.message === "string" ? options.message : undefined

/** What a thrown value says: its `message`, else itself (a thrown string). */
export const thrownMessage = (thrown: unknown): string => {
  const message = isObject(thrown) ? thrown.message : undefined
  return String(message || thrown)
}

const fail = (rule: Exclude<Rule, "uniqueness">, name: string, options: unknown, subs: Record<string, unknown>) => {
  throw new errorClasses[rule](name, messageOf(options), subs)
}

/** Runs one rule of a recipe, RedwoodJS's way, throwing its error. */
const runRule = (key: string, value: unknown, name: string, options: unknown): void => {
  if (key === "custom") {
    const custom = options as { readonly with: () => unknown; readonly message?: string }
    try {
      custom.with()
    } catch (thrown) {
      throw new Errors.CustomValidationError(name, custom.message || thrownMessage(thrown), {})
    }
    return
  }
  if (!Rules.isName(key)) throw new TypeError(`Unknown validation "${key}"`)
  let engineOptions = options
  if (key === "format") {
    const pattern = options instanceof RegExp ? options : (options as { readonly pattern?: unknown }).pattern
    if (pattern == null) throw new Errors.FormatValidationError(name, "No pattern for format validation")
  } else if (key === "acceptance" && isObject(options)) {
    // an options object accepts only its `in` list (none: nothing is accepted)
    engineOptions = { ...options, in: options.in || [] }
  }
  const broken = check(key, value, engineOptions)
  if (broken === undefined || broken.rule === "uniqueness") return
  const option = substituted[broken.rule]
  const subs: Record<string, unknown> = broken.extra !== undefined
    ? { ...broken.extra }
    : option !== undefined && isObject(options)
    ? { [option]: options[option] }
    : {}
  fail(broken.rule, name, options, subs)
}

/** `validate(value, name, recipe)` / `validate(value, recipe)`. */
export const validate = (value: unknown, labelOrRecipe: unknown, recipe?: unknown): void => {
  const [name, rules] = typeof labelOrRecipe === "object" && labelOrRecipe !== null
    ? ["", labelOrRecipe]
    : [labelOrRecipe as string, recipe]
  for (const [key, options] of Object.entries(rules as Record<string, unknown>)) {
    if (options === undefined) continue
    runRule(key, value, name, options)
  }
}
