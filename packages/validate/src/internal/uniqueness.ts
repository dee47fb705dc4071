import { SqlClient } from "@effect/sql/SqlClient"
import { SqlError } from "@effect/sql/SqlError"
import type { Fragment } from "@effect/sql/Statement"
import { Effect, Predicate } from "effect"

import { ServiceValidationError } from "../ServiceValidationError.js"
import { type ColumnValue, type ColumnValues, type UniquenessFields, type UniquenessOptions } from "../Uniqueness.js"
import { InvalidUniquenessCheck } from "./invalidUniquenessCheck.js"
import { defaultMessages, interpolate, label } from "./rules.js"

const identifierPart = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/

/** A plain SQL name: letters, digits and `_`, not starting with a digit. @internal */
export const isColumnName = (name: string): boolean => identifierPart.test(name)

/** A plain table name, optionally qualified by one schema name (`main.user`). @internal */
export const isTableName = (name: string): boolean => {
  const parts = name.split(".")
  return parts.length <= 2 && parts.every((part) => identifierPart.test(part))
}

const isColumnValue = (u: unknown): u is ColumnValue =>
  u === null ||
  u === undefined ||
  typeof u === "string" ||
  typeof u === "number" ||
  typeof u === "bigint" ||
  typeof u === "boolean" ||
  u instanceof Date ||
  u instanceof Uint8Array

type Pairs = ReadonlyArray<readonly [column: string, value: ColumnValue]>

interface Plan {
  readonly table: string
  readonly columns: Pairs
  readonly scope: Pairs
  readonly self: Pairs
}

const pairsOf = (map: ColumnValues | undefined): Effect.Effect<Pairs, InvalidUniquenessCheck> => {
  if (map === undefined) return Effect.succeed([])
  const pairs: Array<readonly [string, ColumnValue]> = []
  for (const [column, value] of Object.entries(map)) {
    if (!isColumnName(column)) {
      return Effect.fail(new InvalidUniquenessCheck({ reason: "InvalidColumn", identifier: column }))
    }
    if (!isColumnValue(value)) {
      return Effect.fail(new InvalidUniquenessCheck({ reason: "InvalidValue", identifier: column }))
    }
    pairs.push([column, value])
  }
  return Effect.succeed(pairs)
}

const makePlan = (table: string, fields: UniquenessFields): Effect.Effect<Plan, InvalidUniquenessCheck> =>
  Effect.gen(function*() {
    if (!isTableName(table)) return yield* new InvalidUniquenessCheck({ reason: "InvalidTable", identifier: table })
    const { $scope, $self, ...rest } = fields
    if (!Predicate.isRecord($scope ?? {})) {
      return yield* new InvalidUniquenessCheck({ reason: "InvalidValue", identifier: "$scope" })
    }
    if (!Predicate.isRecord($self ?? {})) {
      return yield* new InvalidUniquenessCheck({ reason: "InvalidValue", identifier: "$self" })
    }
    const columns = yield* pairsOf(rest as ColumnValues)
    if (columns.length === 0) return yield* new InvalidUniquenessCheck({ reason: "NoColumns", identifier: table })
    return { table, columns, scope: yield* pairsOf($scope), self: yield* pairsOf($self) }
  })

const uniquenessError = (columns: ReadonlyArray<string>, message: string | undefined) =>
  new ServiceValidationError({
    field: columns.join(", "),
    rule: "uniqueness",
    message: interpolate(message ?? defaultMessages.uniqueness, { name: columns.map(label).join(", ") })
  })

/**
 * Whether an error raised by a database driver is a unique-index violation, and which columns
 * it names when the driver says (SQLite: `UNIQUE constraint failed: user.email`; PostgreSQL:
 * `Key (email)=(...) already exists`); `undefined` columns when it does not say.
 *
 * @internal
 */
export const uniqueViolation = (
  cause: unknown
): { readonly columns: ReadonlyArray<string> | undefined } | undefined => {
  if (!Predicate.isObject(cause)) return undefined
  const code = Predicate.hasProperty(cause, "code") ? cause.code : undefined
  const message = Predicate.hasProperty(cause, "message") && typeof cause.message === "string" ? cause.message : ""
  const sqlite = /UNIQUE constraint failed: (.+)$/.exec(message)
  if (sqlite !== null) {
    return { columns: sqlite[1]!.split(", ").map((column) => column.slice(column.lastIndexOf(".") + 1)) }
  }
  if (code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY") return { columns: undefined }
  if (code === "23505") {
    const detail = Predicate.hasProperty(cause, "detail") && typeof cause.detail === "string" ? cause.detail : ""
    const pg = /^Key \((.+?)\)=/.exec(detail)
    return { columns: pg === null ? undefined : pg[1]!.split(", ").map((column) => column.replace(/^"|"$/g, "")) }
  }
  if (code === "ER_DUP_ENTRY" || (Predicate.hasProperty(cause, "errno") && cause.errno === 1062)) {
    return { columns: undefined }
  }
  if (Predicate.hasProperty(cause, "number") && (cause.number === 2627 || cause.number === 2601)) {
    return { columns: undefined }
  }
  return undefined
}

/** The name a column has in the database, after the client's query-name transform. */
const databaseName = (sql: SqlClient, column: string): string =>
  sql`${sql(column)}`.compile()[0].replace(/^["`[]|["`\]]$/g, "")

/** @internal */
export const validateUniqueness = <A, E, R>(
  table: string,
  fields: UniquenessFields,
  optionsOrCallback: UniquenessOptions | ((sql: SqlClient) => Effect.Effect<A, E, R>),
  maybeCallback?: (sql: SqlClient) => Effect.Effect<A, E, R>
): Effect.Effect<A, E | ServiceValidationError | InvalidUniquenessCheck | SqlError, R | SqlClient> =>
  Effect.gen(function*() {
    const [options, callback] = typeof optionsOrCallback === "function"
      ? [{} as UniquenessOptions, optionsOrCallback]
      : [optionsOrCallback, maybeCallback]
    if (callback === undefined) return yield* Effect.dieMessage("@cachet/validate: validateUniqueness needs a callback")
    const plan = yield* makePlan(table, fields)
    const sql = yield* SqlClient
    const names = plan.columns.map(([column]) => column)
    const duplicate = uniquenessError(names, options.message)

    const compare = ([column, value]: readonly [string, ColumnValue]): Fragment =>
      value === null || value === undefined ? sql`${sql(column)} IS NULL` : sql`${sql(column)} = ${value}`

    // SQL's unique indexes never count NULLs as equal, so neither does the check.
    const checkable = plan.columns.every(([, value]) => value !== null && value !== undefined)
    const where = sql.and([
      ...plan.columns.map(compare),
      ...plan.scope.map(compare),
      ...(plan.self.length > 0 ? [sql`NOT (${sql.and(plan.self.map(compare))})`] : [])
    ])
    const firstColumn = sql(names[0]!)
    // SQLite's BEGIN is deferred: a first statement that writes takes the write lock now, so a
    // concurrent writer waits here (busy timeout) rather than failing later on a stale snapshot.
    const lock = sql.onDialectOrElse({
      sqlite: () => Effect.asVoid(sql`UPDATE ${sql(plan.table)} SET ${firstColumn} = ${firstColumn} WHERE 0 = 1`),
      orElse: () => Effect.void
    })
    const check =
      sql`SELECT CASE WHEN EXISTS (SELECT 1 FROM ${sql(plan.table)} WHERE ${where}) THEN 1 ELSE 0 END AS found`
        .values

    const databaseNames = new Set(names.map((column) => databaseName(sql, column).toLowerCase()))
    const fromViolation = (error: SqlError): ServiceValidationError | undefined => {
      const violation = uniqueViolation(error.cause)
      if (violation === undefined) return undefined
      if (violation.columns === undefined) return duplicate
      return violation.columns.some((column) => databaseNames.has(column.toLowerCase()))
        ? duplicate
        : uniquenessError(violation.columns, undefined)
    }

    return yield* sql.withTransaction(
      Effect.gen(function*() {
        yield* lock
        if (checkable) {
          const rows = yield* check
          if (Number(rows[0]?.[0] ?? 0) !== 0) {
            yield* Effect.logDebug("uniqueness check found a duplicate").pipe(
              Effect.annotateLogs({ table: plan.table, columns: names.join(", ") })
            )
            return yield* duplicate
          }
        }
        return yield* callback(sql)
      })
    ).pipe(
      Effect.catchIf(
        (error): boolean => error instanceof SqlError && fromViolation(error) !== undefined,
        (error) => Effect.fail(fromViolation(error as SqlError)!)
      )
    )
  })
