/**
 * `validateUniqueness` on `@effect/sql`: check that no row has the given values and run the
 * write in the same transaction, so two concurrent writers cannot both pass the check.
 *
 * Its own entry point, `import * as Uniqueness from "@cachet/validate/Uniqueness"`, so that
 * `@effect/sql` (an optional peer dependency) is loaded only by those who use it.
 *
 * @since 0.1.0
 */
import type { SqlClient } from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import type { Effect } from "effect"

import type { InvalidUniquenessCheck } from "./internal/invalidUniquenessCheck.js"
import * as internal from "./internal/uniqueness.js"
import type { ServiceValidationError } from "./ServiceValidationError.js"

/**
 * A value a column is compared with. `null` / `undefined` compare with `IS NULL`.
 *
 * @since 0.1.0
 * @category models
 */
export type ColumnValue = string | number | bigint | boolean | Date | Uint8Array | null | undefined

/**
 * Column names and the values they are compared with.
 *
 * @since 0.1.0
 * @category models
 */
export interface ColumnValues {
  readonly [column: string]: ColumnValue
}

/**
 * The columns that must be unique together, with their values; `$self` identifies the
 * record being updated (rows matching all of it are not counted) and `$scope` narrows the
 * check to rows matching all of it.
 *
 * @since 0.1.0
 * @category models
 */
export interface UniquenessFields {
  readonly $self?: ColumnValues | undefined
  readonly $scope?: ColumnValues | undefined
  readonly [column: string]: ColumnValue | ColumnValues
}

/**
 * Options of `validateUniqueness`: a `message` replacing `"${name} must be unique"`.
 *
 * @since 0.1.0
 * @category models
 */
export interface UniquenessOptions {
  readonly message?: string | undefined
}

export {
  /**
   * A uniqueness check that cannot be run as given (an identifier that is not a plain SQL
   * identifier, a value that is not a scalar, no column at all). Nothing is sent to the database.
   *
   * @since 0.1.0
   * @category errors
   */
  InvalidUniquenessCheck
} from "./internal/invalidUniquenessCheck.js"

/**
 * Checks, inside one transaction, that no row of `table` has the given column values (within
 * `$scope`, excluding `$self`), then runs `callback` in that transaction. A duplicate fails
 * with a `ServiceValidationError` (rule `uniqueness`, field the column names, message
 * `"Email must be unique"` or `options.message`); so does a unique-index violation raised by
 * the callback. On SQLite the transaction takes the write lock before checking, so concurrent
 * writers (fibers sharing a client, other processes) wait instead of racing. Identifiers are passed to
 * `@effect/sql` as identifiers and must be plain names (see `InvalidUniquenessCheck`).
 *
 * @since 0.1.0
 * @category validations
 */
export const validateUniqueness: {
  <A, E, R>(
    table: string,
    fields: UniquenessFields,
    callback: (sql: SqlClient) => Effect.Effect<A, E, R>
  ): Effect.Effect<A, E | ServiceValidationError | InvalidUniquenessCheck | SqlError, R | SqlClient>
  <A, E, R>(
    table: string,
    fields: UniquenessFields,
    options: UniquenessOptions,
    callback: (sql: SqlClient) => Effect.Effect<A, E, R>
  ): Effect.Effect<A, E | ServiceValidationError | InvalidUniquenessCheck | SqlError, R | SqlClient>
} = internal.validateUniqueness
