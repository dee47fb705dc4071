/**
 * Service validations as Effects: `validate` rules, `validateWith(Sync)`, `validateUniqueness`,
 * `validateAll` and Schema filters sharing the same messages.
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
export * as Uniqueness from "./Uniqueness.js"
