/**
 * The rule engine under `Validate.validate`, for front ends of other shapes (such as
 * `@cachet/redwood`, RedwoodJS's API): one synchronous check per rule, with the value-reading
 * semantics given as a parameter, and no messages — the front end writes its own.
 *
 * @since 0.1.0
 */
import { Option } from "effect"

import * as internal from "./internal/rules.js"
import type { Rule } from "./ServiceValidationError.js"

/**
 * How the rules read values where front ends legitimately differ: what `length` measures,
 * which `length` bounds count as set, whether `NaN` is a number, what is odd.
 *
 * @since 0.1.0
 * @category models
 */
export type Semantics = internal.Semantics

/**
 * Cachet's own semantics, those of `Validate.validate`: lengths in Unicode code points (arrays
 * by element count, `null`/`undefined` 0), every bound that is not `null`/`undefined` is set,
 * `NaN` is not a number, and `-3` is odd.
 *
 * @since 0.1.0
 * @category constants
 */
export const cachet: Semantics = internal.cachetSemantics

/**
 * The rules checked synchronously against a value (every rule but `custom`).
 *
 * @since 0.1.0
 * @category models
 */
export type Name = internal.SyncRule

/**
 * Whether a recipe key names a rule of this engine.
 *
 * @since 0.1.0
 * @category guards
 */
export const isName: (key: string) => key is Name = internal.isSyncRule

/**
 * A broken rule: the rule an error should name (`length` breaks as `minLength`, `maxLength`,
 * ...; `numericality` as `lessThanNumericality`, ...) and the values a message may interpolate
 * beyond the rule's own options (`between` gives `min` and `max`).
 *
 * @since 0.1.0
 * @category models
 */
export interface Broken {
  readonly rule: Rule
  readonly extra?: Readonly<Record<string, unknown>> | undefined
}

/**
 * A checker of one rule under the given semantics: the broken rule, or `undefined`. `format`
 * without a `pattern` RegExp breaks nothing here: a front end reports that usage error itself.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (semantics: Semantics): (name: Name, value: unknown, options: unknown) => Broken | undefined => {
  const checks = internal.makeChecks(semantics) as Readonly<
    Record<Name, (value: unknown, options: unknown) => Option.Option<internal.Broken>>
  >
  return (name, value, options) => Option.getOrUndefined(checks[name](value, options))
}

/**
 * Checks one rule with Cachet's own semantics.
 *
 * @example
 * ```ts
 * import { Rules } from "@cachet/validate"
 *
 * // { rule: "minLength" }
 * export const broken = Rules.check("length", "a", { min: 2 })
 * ```
 *
 * @since 0.1.0
 * @category checks
 */
export const check: (name: Name, value: unknown, options: unknown) => Broken | undefined = make(cachet)
