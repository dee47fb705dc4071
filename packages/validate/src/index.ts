/**
 * Service validations as Effects: `validate` rules, `validateWith(Sync)`, `validateAll` and
 * Schema filters sharing the same messages. This entry never loads `@effect/sql`;
 * `validateUniqueness`, which needs it, is the `@cachet/validate/Uniqueness` entry point.
 *
 * @since 0.1.0
 */
export * as Validate from "./Validate.js"

/**
 * @since 0.1.0
 */
export * as ServiceValidationError from "./ServiceValidationError.js"

/**
 * @since 0.1.0
 */
export * as Rules from "./Rules.js"
