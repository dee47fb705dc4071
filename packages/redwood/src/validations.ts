/**
 * RedwoodJS's Service Validations, exactly: `validate` (with or without a field name),
 * `validateWithSync`, `validateWith`, `validateUniqueness` and the error classes, with
 * RedwoodJS's default messages and field-name humanising. The rules are `@cachet/validate`'s
 * (its `Rules` engine, read with RedwoodJS's semantics); `validateUniqueness` runs on Prisma
 * (`{ db }`, or `new PrismaClient()` when `@prisma/client` is installed) or on `@effect/sql`
 * (`{ sql }`).
 *
 * @since 0.1.0
 */
import type { Validate } from "@cachet/validate"

import { ServiceValidationError } from "./internal/errors.js"
import * as internal from "./internal/uniqueness.js"
import * as rules from "./internal/validate.js"

export * from "./internal/errors.js"

type Messaged<T> = T & { readonly message: string }

/** Options of `absence`: `@cachet/validate`'s. @since 0.1.0 @category models */
export type AbsenceOptions = Validate.AbsenceOptions
/**
 * Options of `acceptance`: `@cachet/validate`'s type, but read RedwoodJS's way: an options object
 * accepts only its `in` values (none given: nothing is accepted, not `[true]`).
 *
 * @since 0.1.0
 * @category models
 */
export type AcceptanceOptions = Validate.AcceptanceOptions
/** Options of `email`: `@cachet/validate`'s. @since 0.1.0 @category models */
export type EmailOptions = Validate.EmailOptions
/**
 * Options of `exclusion` / `inclusion`. Unlike `@cachet/validate`'s, `in` may be left out, as
 * RedwoodJS allows (an empty list: nothing is excluded, nothing is included).
 *
 * @since 0.1.0
 * @category models
 */
export type ListOptions = Omit<Validate.ListOptions, "in"> & { readonly in?: ReadonlyArray<unknown> | undefined }
/**
 * Options of `format`. Unlike `@cachet/validate`'s, `pattern` may be left out or `null`, as
 * RedwoodJS types it; the rule then throws "No pattern for format validation".
 *
 * @since 0.1.0
 * @category models
 */
export type FormatOptions = Omit<Validate.FormatOptions, "pattern"> & { readonly pattern?: RegExp | null | undefined }
/**
 * Options of `length`, read RedwoodJS's way: on `String(value).length` (UTF-16 units, not code
 * points), a bound of 0 is unset. Unlike `@cachet/validate`'s, `between` is any array of numbers
 * (RedwoodJS's `Array<number>`), not a `[min, max]` pair.
 *
 * @since 0.1.0
 * @category models
 */
export type LengthOptions = Omit<Validate.LengthOptions, "between"> & {
  readonly between?: ReadonlyArray<number> | undefined
}
/** Options of `numericality`: `@cachet/validate`'s. @since 0.1.0 @category models */
export type NumericalityOptions = Validate.NumericalityOptions
/**
 * Options of `presence`: `@cachet/validate`'s (`null`, `undefined` fail and `""` passes by default).
 *
 * @since 0.1.0
 * @category models
 */
export type PresenceOptions = Validate.PresenceOptions
/**
 * Options of `custom`: `with` is called with no argument and throws to fail. Unlike
 * `@cachet/validate`'s, it gets no value and cannot be an Effect (RedwoodJS's validations are
 * synchronous and Effect-free).
 *
 * @since 0.1.0
 * @category models
 */
export type CustomOptions = Omit<Validate.CustomOptions, "with"> & { readonly with: () => void }

/** The rules whose options differ from `@cachet/validate`'s. */
type RedwoodRules = "exclusion" | "format" | "inclusion" | "length" | "custom"

/**
 * The validations to run, in the order written; a rule set to `undefined` is skipped.
 * `@cachet/validate`'s `Recipe`, with RedwoodJS's options where they differ.
 *
 * @since 0.1.0
 * @category models
 */
export interface ValidationRecipe extends Omit<Validate.Recipe, RedwoodRules> {
  readonly exclusion?: ReadonlyArray<unknown> | ListOptions | undefined
  readonly format?: RegExp | FormatOptions | undefined
  readonly inclusion?: ReadonlyArray<unknown> | ListOptions | undefined
  readonly length?: LengthOptions | undefined
  readonly custom?: CustomOptions | undefined
}

/**
 * A recipe for the two-argument `validate`: without a name, every rule carries its `message`.
 * `@cachet/validate`'s `RecipeWithMessages`, with RedwoodJS's options where they differ.
 *
 * @since 0.1.0
 * @category models
 */
export interface ValidationWithMessagesRecipe extends Omit<Validate.RecipeWithMessages, RedwoodRules> {
  readonly exclusion?: Messaged<ListOptions> | undefined
  readonly format?: Messaged<FormatOptions> | undefined
  readonly inclusion?: Messaged<ListOptions> | undefined
  readonly length?: Messaged<LengthOptions> | undefined
  readonly custom?: Messaged<CustomOptions> | undefined
}

/**
 * Validates a value, throwing the error of the first rule it breaks (synchronously). The name
 * is humanised in default messages (`"emailAddress"` reads `"Email Address"`).
 *
 * @example
 * ```ts
 * import { validate } from "@cachet/redwood"
 *
 * export const createUser = (input: { readonly email: string }) => {
 *   validate(input.email, "email", { presence: true, email: true })
 *   return input
 * }
 * ```
 *
 * @since 0.1.0
 * @category validations
 */
export const validate: {
  (value: unknown, name: string, recipe: ValidationRecipe): void
  (value: unknown, recipe: ValidationWithMessagesRecipe): void
} = rules.validate

/**
 * Runs a check that throws (an Error or a string) to fail; what it throws becomes a
 * `ServiceValidationError`, whose message a client may see.
 *
 * @since 0.1.0
 * @category validations
 */
export const validateWithSync = (check: () => void): void => {
  try {
    check()
  } catch (thrown) {
    throw new ServiceValidationError(rules.thrownMessage(thrown))
  }
}

/**
 * `validateWithSync` for an async check: called at once, its rejection becomes a
 * `ServiceValidationError`.
 *
 * @since 0.1.0
 * @category validations
 */
export const validateWith = async (check: () => unknown): Promise<void> => {
  try {
    await check()
  } catch (thrown) {
    throw new ServiceValidationError(rules.thrownMessage(thrown))
  }
}

/**
 * A Prisma client, as far as `validateUniqueness` uses it.
 *
 * @since 0.1.0
 * @category models
 */
export type PrismaLike = internal.PrismaLike

/**
 * What a callback on the `@effect/sql` path gets: the `sql` client and `run`, which runs a
 * statement in the check's transaction.
 *
 * @since 0.1.0
 * @category models
 */
export type SqlTransaction = internal.SqlTransaction

/**
 * An `@effect/sql` client for `validateUniqueness`: a (Managed)Runtime providing `SqlClient`.
 *
 * @since 0.1.0
 * @category models
 */
export type SqlRuntime = internal.SqlRuntime

/**
 * Options of `validateUniqueness`: a `message`, and the database — `db` (Prisma) or `sql`
 * (`@effect/sql`); neither: `new PrismaClient()` from `@prisma/client`.
 *
 * @since 0.1.0
 * @category models
 */
export interface UniquenessOptions<Db extends PrismaLike = PrismaLike> {
  readonly message?: string | undefined
  readonly db?: Db | undefined
  readonly sql?: SqlRuntime | undefined
}

/**
 * Checks in one transaction that no `model` record has `fields` (within `$scope`, not counting
 * `$self`), then runs `callback` in it; a record found rejects with a
 * `UniquenessValidationError`.
 *
 * @since 0.1.0
 * @category validations
 */
export const validateUniqueness: {
  <A>(
    model: string,
    fields: Readonly<Record<string, unknown>>,
    options: UniquenessOptions & { readonly sql: SqlRuntime },
    callback: (tx: SqlTransaction) => A | Promise<A>
  ): Promise<A>
  <A, Tx = unknown>(
    model: string,
    fields: Readonly<Record<string, unknown>>,
    options: UniquenessOptions<PrismaLike>,
    callback: (tx: Tx) => A | Promise<A>
  ): Promise<A>
  <A, Tx = unknown>(
    model: string,
    fields: Readonly<Record<string, unknown>>,
    callback: (tx: Tx) => A | Promise<A>
  ): Promise<A>
} = internal.validateUniqueness as never
