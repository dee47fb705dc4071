import type { SqlClient } from "@effect/sql/SqlClient"
import { Cause, Effect, Exit, ManagedRuntime, Runtime } from "effect"

import { UniquenessValidationError } from "./errors.js"

/** The part of a Prisma client `validateUniqueness` uses. */
export interface PrismaLike {
  readonly $transaction: (run: (tx: unknown) => Promise<unknown>) => Promise<unknown>
}

interface Delegate {
  readonly findFirst: (args: { readonly where: unknown }) => unknown
}

/** What the callback of the `@effect/sql` path is given: the client, and a way to run in the transaction. */
export interface SqlTransaction {
  /** The `@effect/sql` client (its statements are Effects). */
  readonly sql: SqlClient
  /** Runs an Effect inside the uniqueness check's transaction. */
  readonly run: <A, E>(effect: Effect.Effect<A, E, SqlClient>) => Promise<A>
}

/** An `@effect/sql` client for plain async code: a runtime that provides it. */
export type SqlRuntime =
  | ManagedRuntime.ManagedRuntime<SqlClient, unknown>
  | Runtime.Runtime<SqlClient>

export interface Options {
  readonly message?: string | undefined
  readonly db?: PrismaLike | undefined
  readonly sql?: SqlRuntime | undefined
}

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null

let defaultClient: Promise<PrismaLike | undefined> | undefined

/** `new PrismaClient()` from `@prisma/client` when it is installed (made once), else undefined. */
const prismaDefault = (): Promise<PrismaLike | undefined> => {
  if (defaultClient === undefined) {
    const specifier = "@prisma/client"
    defaultClient = import(/* @vite-ignore */ specifier).then(
      (module: { readonly PrismaClient?: new() => PrismaLike }) =>
        module.PrismaClient === undefined ? undefined : new module.PrismaClient(),
      () => undefined
    )
  }
  return defaultClient
}

/** Field names as RedwoodJS lists them in its default message: `"name, email"`. */
const fieldNames = (fields: Readonly<Record<string, unknown>>): string => Object.keys(fields).join(", ")

const viaPrisma = async (
  db: PrismaLike,
  model: string,
  fields: Readonly<Record<string, unknown>>,
  options: Options,
  callback: (tx: never) => unknown
): Promise<unknown> => {
  const { $scope, $self, ...rest } = fields
  const where = {
    AND: [rest, ...(isRecord($scope) ? [$scope] : [])],
    NOT: isRecord($self) ? [$self] : []
  }
  return db.$transaction(async (tx: unknown) => {
    const delegate = (tx as Record<string, Delegate>)[model]!
    if (await delegate.findFirst({ where })) throw new UniquenessValidationError(fieldNames(fields), options.message)
    return callback(tx as never)
  })
}

const viaSql = async (
  runtime: SqlRuntime,
  model: string,
  fields: Readonly<Record<string, unknown>>,
  options: Options,
  callback: (tx: SqlTransaction) => unknown
): Promise<unknown> => {
  const Uniqueness = await import("@cachet/validate/Uniqueness")
  const program = Uniqueness.validateUniqueness(
    model,
    fields as Parameters<typeof Uniqueness.validateUniqueness>[1],
    (sql) =>
      Effect.flatMap(Effect.runtime<SqlClient>(), (inTransaction) =>
        Effect.tryPromise({
          try: async () =>
            callback({
              sql,
              run: (effect) => Runtime.runPromise(inTransaction)(effect)
            }),
          catch: (thrown) => thrown
        }))
  )
  const exit = ManagedRuntime.isManagedRuntime(runtime)
    ? await runtime.runPromiseExit(program)
    : await Runtime.runPromiseExit(runtime as Runtime.Runtime<SqlClient>)(program)
  if (Exit.isSuccess(exit)) return exit.value
  const error = Cause.squash(exit.cause)
  if (isRecord(error) && error._tag === "ServiceValidationError" && error.rule === "uniqueness") {
    throw new UniquenessValidationError(fieldNames(fields), options.message)
  }
  throw error
}

/** `validateUniqueness(model, fields, [options], callback)`. */
export const validateUniqueness = async (
  model: string,
  fields: Readonly<Record<string, unknown>>,
  optionsOrCallback: Options | ((tx: never) => unknown),
  maybeCallback?: (tx: never) => unknown
): Promise<unknown> => {
  const [options, callback] = typeof optionsOrCallback === "function"
    ? [{} as Options, optionsOrCallback]
    : [optionsOrCallback, maybeCallback!]
  if (options.db !== undefined) return viaPrisma(options.db, model, fields, options, callback)
  if (options.sql !== undefined) {
    return viaSql(options.sql, model, fields, options, callback as (tx: SqlTransaction) => unknown)
  }
  const db = await prismaDefault()
  if (db === undefined) {
    throw new TypeError(
      "validateUniqueness needs a database: pass { db } (a Prisma client) or { sql } (an @effect/sql runtime), " +
        "or install @prisma/client"
    )
  }
  return viaPrisma(db, model, fields, options, callback)
}
