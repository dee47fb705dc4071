/**
 * The @cachet/validate example (docs/packages/validate.md): a user service validated like RedwoodJS's, on SQLite.
 * Run: npx tsx --conditions=@cachet/source packages/validate/examples/users.ts
 */
import { Validate } from "@cachet/validate"
import * as Uniqueness from "@cachet/validate/Uniqueness"
import { SqlClient } from "@effect/sql"
import { SqliteClient } from "@effect/sql-sqlite-node"
import { Effect, Schema } from "effect"

// The same rules (and messages) for an HttpApi payload and for the service.
const name: Validate.Recipe = {
  presence: true,
  length: { min: 2, max: 255 },
  exclusion: { in: ["Admin", "Owner"], caseSensitive: false, message: "That name is reserved, sorry!" }
}
export const CreateUser = Schema.Struct({
  name: Schema.String.pipe(Validate.schema(name, "name")),
  email: Schema.String.pipe(Validate.schema({ email: true }, "email"))
})

export const createUser = (input: { readonly name: string; readonly email: string }) =>
  Effect.gen(function*() {
    // every failed field at once -> ServiceValidationErrors
    yield* Validate.validateAll([
      Validate.validate(input.name, "name", name),
      Validate.validate(input.email, "email", { presence: true, email: true })
    ])
    // check + insert in one transaction -> ServiceValidationError "Email must be unique"
    return yield* Uniqueness.validateUniqueness("users", { email: input.email }, (sql) =>
      sql`INSERT INTO users ${sql.insert(input)} RETURNING id`)
  })

export const updateUser = (id: number, input: { readonly email: string }) =>
  Uniqueness.validateUniqueness(
    "users",
    { email: input.email, $self: { id } },
    (sql) => sql`UPDATE users SET email = ${input.email} WHERE id = ${id}`
  )

const program = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT, email TEXT UNIQUE)`
  yield* createUser({ name: "Rob", email: "rob@example.com" })
  const outcomes = yield* Effect.forEach(
    [{ name: "A", email: "nope" }, { name: "admin", email: "x@y.z" }, { name: "Robert", email: "rob@example.com" }],
    (input) =>
      createUser(input).pipe(
        Effect.as({ status: 200 }),
        // what an HTTP app answers: 422 { errors: [{ field, rule, message }] }
        Effect.catchTags({
          ServiceValidationError: (e) => Effect.succeed({ status: 422, errors: Validate.issues(e) }),
          ServiceValidationErrors: (e) => Effect.succeed({ status: 422, errors: Validate.issues(e) })
        })
      )
  )
  yield* updateUser(1, { email: "rob@example.com" }) // $self: its own email is fine
  yield* Effect.log(JSON.stringify(outcomes, null, 2))
})

if (import.meta.url === `file://${process.argv[1]}`) {
  program.pipe(Effect.provide(SqliteClient.layer({ filename: ":memory:" })), Effect.runPromise)
}
