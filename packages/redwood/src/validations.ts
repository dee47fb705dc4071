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
import { ServiceValidationError } from "./internal/errors.js"
import * as internal from "./internal/uniqueness.js"
import * as rules from "./internal/validate.js"

export * from "./internal/errors.js"

type WithMessage<T> = T & {
  /** Replaces the default message; may interpolate `${name}` and the rule's bound. */
  readonly message?: string | undefined
}
type Messaged<T> = T & { readonly message: string }

/** Options of `absence`. @since 0.1.0 @category models */
export type AbsenceOptions = WithMessage<{ readonly allowEmptyString?: boolean | undefined }>
/** Options of `acceptance`: with an object, only its `in` values are accepted. @since 0.1.0 @category models */
export type AcceptanceOptions = WithMessage<{ readonly in?: ReadonlyArray<unknown> | undefined }>
/** Options of `email`. @since 0.1.0 @category models */
export type EmailOptions = WithMessage<{}>
/** Options of `exclusion` / `inclusion`. @since 0.1.0 @category models */
export type ListOptions = WithMessage<{
  readonly in?: ReadonlyArray<unknown> | undefined
  readonly caseSensitive?: boolean | undefined
}>
/** Options of `format`. @since 0.1.0 @category models */
export type FormatOptions = WithMessage<{ readonly pattern?: RegExp | null | undefined }>
/** Options of `length` (on `String(value).length`; a bound of 0 is unset). @since 0.1.0 @category models */
export type LengthOptions = WithMessage<{
  readonly min?: number | undefined
  readonly max?: number | undefined
  readonly equal?: number | undefined
  readonly between?: ReadonlyArray<number> | undefined
}>
/** Options of `numericality`. @since 0.1.0 @category models */
export type NumericalityOptions = WithMessage<{
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
}>
/** Options of `presence` (`null`, `undefined` fail and `""` passes by default). @since 0.1.0 @category models */
export type PresenceOptions = WithMessage<{
  readonly allowNull?: boolean | undefined
  readonly allowUndefined?: boolean | undefined
  readonly allowEmptyString?: boolean | undefined
}>
/** Options of `custom`: `with` throws to fail. @since 0.1.0 @category models */
export type CustomOptions = WithMessage<{ readonly with: () => void }>

/**
 * The validations to run, in the order written; a rule set to `undefined` is skipped.
 *
 * @since 0.1.0
 * @category models
 */
export interface ValidationRecipe {
  readonly absence?: boolean | AbsenceOptions | undefined
  readonly acceptance?: boolean | AcceptanceOptions | undefined
  readonly email?: boolean | EmailOptions | undefined
  readonly exclusion?: ReadonlyArray<unknown> | ListOptions | undefined
  readonly format?: RegExp | FormatOptions | undefined
  readonly inclusion?: ReadonlyArray<unknown> | ListOptions | undefined
  readonly length?: LengthOptions | undefined
  readonly numericality?: boolean | NumericalityOptions | undefined
  readonly presence?: boolean | PresenceOptions | undefined
  readonly custom?: CustomOptions | undefined
}

/**
 * A recipe for the two-argument `validate`: without a name, every rule carries its `message`.
 *
 * @since 0.1.0
 * @category models
 */
export interface ValidationWithMessagesRecipe {
  readonly absence?: Messaged<AbsenceOptions> | undefined
  readonly acceptance?: Messaged<AcceptanceOptions> | undefined
  readonly email?: Messaged<EmailOptions> | undefined
  readonly exclusion?: Messaged<ListOptions> | undefined
  readonly format?: Messaged<FormatOptions> | undefined
  readonly inclusion?: Messaged<ListOptions> | undefined
  readonly length?: Messaged<LengthOptions> | undefined
  readonly numericality?: Messaged<NumericalityOptions> | undefined
  readonly presence?: Messaged<PresenceOptions> | undefined
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
