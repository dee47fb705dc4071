import { Cause, Effect, Exit, Option, Predicate } from "effect"

import { type Rule, ServiceValidationError } from "../ServiceValidationError.js"
import type {
  AbsenceOptions,
  AcceptanceOptions,
  CustomOptions,
  FormatOptions,
  LengthOptions,
  ListOptions,
  NumericalityOptions,
  PresenceOptions,
  Recipe
} from "../Validate.js"

/** @internal */
export const emailPattern = /^[^@\s]+@[^.\s]+\.[^\s]+$/

/** @internal */
export const defaultMessages: { readonly [R in Rule]: string } = {
  absence: "${name} is not absent",
  acceptance: "${name} must be accepted",
  email: "${name} must be formatted like an email address",
  exclusion: "${name} is reserved",
  format: "${name} is not formatted correctly",
  inclusion: "${name} is not valid",
  minLength: "${name} must have at least ${min} characters",
  maxLength: "${name} must have no more than ${max} characters",
  equalLength: "${name} must have exactly ${equal} characters",
  betweenLength: "${name} must be between ${min} and ${max} characters",
  typeNumericality: "${name} must be a number",
  integerNumericality: "${name} must be an integer",
  lessThanNumericality: "${name} must be less than ${lessThan}",
  lessThanOrEqualNumericality: "${name} must be less than or equal to ${lessThanOrEqual}",
  greaterThanNumericality: "${name} must be greater than ${greaterThan}",
  greaterThanOrEqualNumericality: "${name} must be greater than or equal to ${greaterThanOrEqual}",
  equalNumericality: "${name} must equal ${equal}",
  otherThanNumericality: "${name} must not equal ${otherThan}",
  evenNumericality: "${name} must be even",
  oddNumericality: "${name} must be odd",
  positiveNumericality: "${name} must be positive",
  negativeNumericality: "${name} must be negative",
  presence: "${name} must be present",
  custom: "${name} is not valid",
  uniqueness: "${name} must be unique"
}

// ---------------------------------------------------------------------------------------------
// labels and messages
// ---------------------------------------------------------------------------------------------

const smallWords = new Set([
  "a",
  "an",
  "and",
  "as",
  "at",
  "but",
  "by",
  "for",
  "if",
  "in",
  "nor",
  "of",
  "on",
  "or",
  "per",
  "so",
  "than",
  "the",
  "to",
  "up",
  "via",
  "vs",
  "with",
  "yet"
])

/**
 * The label a field name stands for in default messages. A name with whitespace is already a
 * label and is kept as given (`"Email Address"`, `"US Phone Number"`); an identifier is split
 * and title-cased like RedwoodJS does (`"termsOfPurchase"` and `"terms_of_purchase"` both read
 * `"Terms of Purchase"`), except that acronyms stay upper case (`"PIN"`).
 *
 * @internal
 */
export const label = (name: string): string => {
  if (name === "" || /\s/.test(name)) return name
  const words = name
    .replace(/([\p{Ll}\p{N}])(\p{Lu})/gu, "$1 $2")
    .replace(/(\p{Lu}+)(\p{Lu}\p{Ll})/gu, "$1 $2")
    .split(/[\s_-]+/)
    .filter((word) => word !== "")
  if (words.length === 0) return name
  return words
    .map((word, i) => {
      if (word.length > 1 && word === word.toUpperCase() && word !== word.toLowerCase()) return word
      const lower = word.toLowerCase()
      if (i > 0 && smallWords.has(lower)) return lower
      return lower.charAt(0).toUpperCase() + lower.slice(1)
    })
    .join(" ")
}

const display = (value: unknown): string | undefined => {
  switch (typeof value) {
    case "string":
    case "number":
    case "bigint":
    case "boolean":
      return String(value)
  }
  if (value instanceof RegExp) return String(value)
  if (Array.isArray(value)) return value.map((item) => String(item)).join(", ")
  return undefined
}

/**
 * The values a message may interpolate: `name` (as a label) and every plain option of the rule.
 *
 * @internal
 */
export const substitutions = (
  name: string,
  options: unknown,
  extra: Readonly<Record<string, unknown>> = {}
): Record<string, string> => {
  const out: Record<string, string> = {}
  if (Predicate.isRecord(options) && !(options instanceof RegExp)) {
    for (const [key, value] of Object.entries(options)) {
      if (key === "message" || key === "with") continue
      const shown = display(value)
      if (shown !== undefined) out[key] = shown
    }
  }
  for (const [key, value] of Object.entries(extra)) {
    const shown = display(value)
    if (shown !== undefined) out[key] = shown
  }
  out.name = label(name)
  return out
}

/**
 * Replaces `${key}` with its substitution in one pass, so substituted text is never
 * interpolated again; unknown keys stay as written.
 *
 * @internal
 */
export const interpolate = (template: string, subs: Readonly<Record<string, string>>): string =>
  template.replace(
    /\$\{([A-Za-z_$][\w$]*)\}/g,
    (whole, key: string) => Object.prototype.hasOwnProperty.call(subs, key) ? subs[key]! : whole
  )

const customMessage = (options: unknown): string | undefined =>
  Predicate.isRecord(options) && typeof options.message === "string" ? options.message : undefined

/** @internal */
export const failure = (
  rule: Rule,
  field: string,
  options: unknown,
  extra: Readonly<Record<string, unknown>> = {}
): ServiceValidationError =>
  new ServiceValidationError({
    field,
    rule,
    message: interpolate(customMessage(options) ?? defaultMessages[rule], substitutions(field, options, extra))
  })

/**
 * The message carried by something thrown or failed: a string, or the `message` of an
 * Error-like value; `undefined` when there is none.
 *
 * @internal
 */
export const messageOf = (u: unknown): string | undefined => {
  if (typeof u === "string") return u === "" ? undefined : u
  if (Predicate.hasProperty(u, "message") && typeof u.message === "string" && u.message !== "") {
    return u.message
  }
  return undefined
}

// ---------------------------------------------------------------------------------------------
// the synchronous rules: each returns the failing rule (and extra substitutions) or nothing
// ---------------------------------------------------------------------------------------------

/** @internal */
export interface Broken {
  readonly rule: Rule
  readonly extra?: Readonly<Record<string, unknown>>
}

const broken = (rule: Rule, extra?: Readonly<Record<string, unknown>>): Option.Option<Broken> =>
  Option.some(extra === undefined ? { rule } : { rule, extra })

const ok: Option.Option<Broken> = Option.none()

const objectOr = <O extends object>(options: unknown): Partial<O> =>
  (Predicate.isRecord(options) && !(options instanceof RegExp) && !Array.isArray(options) ? options : {}) as Partial<O>

/** Unicode code points of a string (an emoji outside the BMP is one, not two UTF-16 units). @internal */
export const codePoints = (text: string): number => {
  let count = text.length
  for (let i = 0; i < text.length - 1; i++) {
    const code = text.charCodeAt(i)
    if (code >= 0xd800 && code <= 0xdbff) {
      const next = text.charCodeAt(i + 1)
      if (next >= 0xdc00 && next <= 0xdfff) {
        count--
        i++
      }
    }
  }
  return count
}

/**
 * Code points for strings, element count for arrays, 0 for null/undefined, else the code points of `String(value)`.
 * @internal
 */
export const lengthOf = (value: unknown): number => {
  if (typeof value === "string") return codePoints(value)
  if (Array.isArray(value)) return value.length
  if (value === null || value === undefined) return 0
  return codePoints(String(value))
}

const listOf = (options: ReadonlyArray<unknown> | ListOptions): [ReadonlyArray<unknown>, boolean] =>
  Array.isArray(options)
    ? [options, true]
    : [(options as ListOptions).in ?? [], (options as ListOptions).caseSensitive ?? true]

const fold = (value: unknown, caseSensitive: boolean): unknown =>
  !caseSensitive && typeof value === "string" ? value.toLowerCase() : value

/** Whether `value` is in the list (SameValueZero), comparing strings case-insensitively if asked. @internal */
export const listIncludes = (list: ReadonlyArray<unknown>, value: unknown, caseSensitive: boolean): boolean => {
  const needle = fold(value, caseSensitive)
  return list.some((item) => {
    const candidate = fold(item, caseSensitive)
    return candidate === needle || (Number.isNaN(candidate) && Number.isNaN(needle))
  })
}

/** A copy without the stateful `g` / `y` flags, so `test` never depends on `lastIndex`. */
const stateless = (pattern: RegExp): RegExp =>
  pattern.global || pattern.sticky ? new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, "")) : pattern

/**
 * How the rules read values where front ends legitimately differ. Cachet's own semantics
 * (`cachetSemantics`) count code points, treat `NaN` as not a number and negative odd numbers as
 * odd; a drop-in front end (RedwoodJS's) passes its own.
 *
 * @internal
 */
export interface Semantics {
  /** The length the `length` rule compares. */
  readonly lengthOf: (value: unknown) => number
  /** Whether a `length` bound is set (Cachet: not `null`/`undefined`; RedwoodJS: truthy, so 0 is unset). */
  readonly isBound: (bound: number | null | undefined) => bound is number
  /**
   * Whether `NaN` counts as a number for `numericality`. When it does, a comparison involving
   * `NaN` breaks no bound (IEEE: it neither holds nor is violated).
   */
  readonly nanIsNumber: boolean
  /** Whether a number is odd. */
  readonly isOdd: (value: number) => boolean
}

/** @internal */
export const cachetSemantics: Semantics = {
  lengthOf,
  isBound: (bound): bound is number => bound != null,
  nanIsNumber: false,
  isOdd: (value) => Math.abs(value % 2) === 1
}

/** @internal */
export const makeChecks = (semantics: Semantics) => {
  const { isBound, isOdd, lengthOf, nanIsNumber } = semantics
  // `holds`: the bound is met; `violated`: it is broken. They differ only when NaN is compared.
  const breaks = (holds: boolean, violated: boolean) => (nanIsNumber ? violated : !holds)
  return {
    absence: (value: unknown, options: boolean | AbsenceOptions) => {
      const { allowEmptyString = false } = objectOr<AbsenceOptions>(options)
      if (value === "") return allowEmptyString ? ok : broken("absence")
      return value === null || value === undefined ? ok : broken("absence")
    },
    acceptance: (value: unknown, options: boolean | AcceptanceOptions) => {
      const accepted = objectOr<AcceptanceOptions>(options).in ?? [true]
      return accepted.includes(value) ? ok : broken("acceptance")
    },
    email: (value: unknown) => (emailPattern.test(String(value)) ? ok : broken("email")),
    exclusion: (value: unknown, options: ReadonlyArray<unknown> | ListOptions) => {
      const [list, caseSensitive] = listOf(options)
      return listIncludes(list, value, caseSensitive) ? broken("exclusion") : ok
    },
    inclusion: (value: unknown, options: ReadonlyArray<unknown> | ListOptions) => {
      const [list, caseSensitive] = listOf(options)
      return listIncludes(list, value, caseSensitive) ? ok : broken("inclusion")
    },
    format: (value: unknown, options: RegExp | FormatOptions) => {
      const pattern = options instanceof RegExp ? options : objectOr<FormatOptions>(options).pattern
      if (!(pattern instanceof RegExp)) return Option.none<Broken>() // reported by `validateRecipe`
      return stateless(pattern).test(String(value)) ? ok : broken("format")
    },
    length: (value: unknown, options: LengthOptions) => {
      const { between, equal, max, min } = objectOr<LengthOptions>(options)
      const length = lengthOf(value)
      if (isBound(min) && length < min) return broken("minLength")
      if (isBound(max) && length > max) return broken("maxLength")
      if (isBound(equal) && length !== equal) return broken("equalLength")
      if (between != null && (length < between[0] || length > between[1])) {
        return broken("betweenLength", { min: between[0], max: between[1] })
      }
      return ok
    },
    numericality: (value: unknown, options: boolean | NumericalityOptions) => {
      if (typeof value !== "number" || (!nanIsNumber && Number.isNaN(value))) return broken("typeNumericality")
      const o = objectOr<NumericalityOptions>(options)
      if (o.integer && !Number.isInteger(value)) return broken("integerNumericality")
      if (o.lessThan != null && breaks(value < o.lessThan, value >= o.lessThan)) {
        return broken("lessThanNumericality")
      }
      if (o.lessThanOrEqual != null && breaks(value <= o.lessThanOrEqual, value > o.lessThanOrEqual)) {
        return broken("lessThanOrEqualNumericality")
      }
      if (o.greaterThan != null && breaks(value > o.greaterThan, value <= o.greaterThan)) {
        return broken("greaterThanNumericality")
      }
      if (o.greaterThanOrEqual != null && breaks(value >= o.greaterThanOrEqual, value < o.greaterThanOrEqual)) {
        return broken("greaterThanOrEqualNumericality")
      }
      if (o.equal != null && value !== o.equal) return broken("equalNumericality")
      if (o.otherThan != null && value === o.otherThan) return broken("otherThanNumericality")
      if (o.even && value % 2 !== 0) return broken("evenNumericality")
      if (o.odd && !isOdd(value)) return broken("oddNumericality")
      if (o.positive && breaks(value > 0, value <= 0)) return broken("positiveNumericality")
      if (o.negative && breaks(value < 0, value >= 0)) return broken("negativeNumericality")
      return ok
    },
    presence: (value: unknown, options: boolean | PresenceOptions) => {
      const { allowEmptyString = true, allowNull = false, allowUndefined = false } = objectOr<PresenceOptions>(
        options
      )
      return (value === null && !allowNull) ||
          (value === undefined && !allowUndefined) ||
          (value === "" && !allowEmptyString)
        ? broken("presence")
        : ok
    }
  } as const
}

const checks = makeChecks(cachetSemantics)

/** @internal */
export type SyncRule = keyof typeof checks

/** @internal */
export const isSyncRule = (key: string): key is SyncRule => Object.prototype.hasOwnProperty.call(checks, key)

// ---------------------------------------------------------------------------------------------
// custom checks and the recipe runner
// ---------------------------------------------------------------------------------------------

const isThenable = (u: unknown): u is PromiseLike<unknown> =>
  Predicate.hasProperty(u, "then") && Predicate.isFunction(u.then)

/**
 * Runs a user check: a function that throws (or returns a rejecting promise, or an Effect that
 * fails), or an Effect that fails. Expected failures are turned into `onFailure(cause)`;
 * defects of an Effect stay defects.
 *
 * @internal
 */
export const runCheck = <R>(
  check: ((value: unknown) => unknown) | Effect.Effect<unknown, unknown, R>,
  value: unknown
): Effect.Effect<void, { readonly thrown: unknown }, R> => {
  const fromEffect = (effect: Effect.Effect<unknown, unknown, R>) =>
    Effect.asVoid(Effect.mapError(effect, (thrown) => ({ thrown })))
  if (Effect.isEffect(check)) return fromEffect(check)
  return Effect.suspend(() => {
    let result: unknown
    try {
      result = check(value)
    } catch (thrown) {
      return Effect.fail({ thrown })
    }
    if (Effect.isEffect(result)) return fromEffect(result as Effect.Effect<unknown, unknown, R>)
    if (isThenable(result)) {
      const promise = result
      return Effect.tryPromise({ try: () => Promise.resolve(promise), catch: (thrown) => ({ thrown }) }).pipe(
        Effect.asVoid
      )
    }
    return Effect.void
  })
}

const runCustom = <R>(value: unknown, field: string, options: CustomOptions<R>) =>
  runCheck(options.with, value).pipe(
    Effect.mapError(({ thrown }) => {
      const message = customMessage(options)
      return message !== undefined
        ? failure("custom", field, options)
        : new ServiceValidationError({
          field,
          rule: "custom",
          message: messageOf(thrown) ?? interpolate(defaultMessages.custom, substitutions(field, options))
        })
    })
  )

/**
 * Runs the rules of a recipe in the order they are written and fails with the first broken
 * one. `undefined` and `false` options switch a rule off.
 *
 * @internal
 */
export const validateRecipe = <R>(
  value: unknown,
  field: string,
  recipe: Recipe<R>
): Effect.Effect<void, ServiceValidationError, R> =>
  Effect.suspend(() => {
    const steps: Array<Effect.Effect<void, ServiceValidationError, R>> = []
    for (const [key, options] of Object.entries(recipe) as Array<[string, unknown]>) {
      if (options === undefined || options === false) continue
      if (key === "custom") {
        const custom = options as CustomOptions<R>
        if (!Predicate.hasProperty(custom, "with")) {
          return Effect.dieMessage("@cachet/validate: the custom rule needs a `with` check")
        }
        steps.push(runCustom(value, field, custom))
        continue
      }
      if (!isSyncRule(key)) return Effect.dieMessage(`@cachet/validate: unknown validation rule "${key}"`)
      if (
        key === "format" && !(options instanceof RegExp) &&
        !(objectOr<FormatOptions>(options).pattern instanceof RegExp)
      ) {
        return Effect.dieMessage("@cachet/validate: no pattern for format validation")
      }
      const check = checks[key] as (value: unknown, options: unknown) => Option.Option<Broken>
      steps.push(
        Effect.suspend(() => {
          const result = check(value, options)
          return Option.isSome(result)
            ? Effect.fail(failure(result.value.rule, field, options, result.value.extra))
            : Effect.void
        })
      )
    }
    return Effect.forEach(steps, (step) => step, { discard: true })
  })

/**
 * Runs a recipe synchronously (for Schema filters): the first failure, or `undefined`. A check
 * that cannot finish synchronously, or dies, is reported as a failure of the custom rule.
 *
 * @internal
 */
export const validateRecipeSync = (
  value: unknown,
  field: string,
  recipe: Recipe<never>
): ServiceValidationError | undefined => {
  const exit = Effect.runSyncExit(validateRecipe(value, field, recipe))
  if (Exit.isSuccess(exit)) return undefined
  const failed = Cause.failureOption(exit.cause)
  if (Option.isSome(failed)) return failed.value
  return new ServiceValidationError({
    field,
    rule: "custom",
    message: interpolate(defaultMessages.custom, substitutions(field, recipe.custom))
  })
}
