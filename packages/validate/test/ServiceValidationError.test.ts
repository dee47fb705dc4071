/**
 * The errors cross an `HttpApi` boundary: 422 with `{ errors: [{ field, rule, message }] }`, and
 * payload filters built with `Validate.schema` report the service's words.
 */
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"

import { Validate } from "@cachet/validate"
import * as Uniqueness from "@cachet/validate/Uniqueness"
import { HttpApi, HttpApiBuilder, HttpApiEndpoint, HttpApiGroup, HttpServer } from "@effect/platform"
import { SqlClient } from "@effect/sql"
import { SqliteClient } from "@effect/sql-sqlite-node"
import { afterAll, describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Schema } from "effect"

const CreateUser = Schema.Struct({
  name: Schema.String.pipe(
    Validate.schema({ presence: true, length: { min: 2, max: 255 }, exclusion: ["Admin", "Owner"] }, "name")
  ),
  email: Schema.String,
  bio: Schema.optional(Schema.String)
})

const Api = HttpApi.make("api").add(
  HttpApiGroup.make("users").add(
    HttpApiEndpoint.post("create", "/users")
      .setPayload(CreateUser)
      .addSuccess(Schema.Struct({ id: Schema.Number }))
      .addError(Validate.ServiceValidationErrors)
      .addError(Validate.ServiceValidationError)
  )
)

const UsersLive = HttpApiBuilder.group(
  Api,
  "users",
  (handlers) =>
    handlers.handle("create", ({ payload }) =>
      Effect.gen(function*() {
        yield* Validate.validateAll([
          Validate.validate(payload.email, "email", { presence: true, email: true }),
          Validate.validate(payload.bio, "bio", { length: { max: 10 } })
        ])
        const id = yield* Uniqueness.validateUniqueness("users", { email: payload.email }, (sql) =>
          Effect.map(
            sql<{ id: number }>`INSERT INTO users ${
              sql.insert({ name: payload.name, email: payload.email })
            } RETURNING id`,
            (rows) => rows[0]!.id
          ))
        return { id }
      }).pipe(
        Effect.catchTags({ SqlError: Effect.die, InvalidUniquenessCheck: Effect.die })
      ))
)

const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "cachet-validate-http-"))
afterAll(() => Fs.rmSync(dir, { recursive: true, force: true }))

const Database = Layer.effectDiscard(
  Effect.flatMap(SqlClient.SqlClient, (sql) => sql`CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT, email TEXT)`)
).pipe(Layer.provideMerge(SqliteClient.layer({ filename: Path.join(dir, "http.sqlite") })))

const { dispose, handler } = HttpApiBuilder.toWebHandler(
  Layer.mergeAll(
    HttpApiBuilder.api(Api).pipe(Layer.provide(UsersLive), Layer.provide(Database)),
    HttpServer.layerContext
  )
)
afterAll(() => dispose())

const post = (body: unknown) =>
  Effect.promise(async () => {
    const response = await handler(
      new Request("http://localhost/users", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body)
      })
    )
    return { status: response.status, body: (await response.json()) as Record<string, unknown> }
  })

describe("over HttpApi", () => {
  it.live("every failed field at once: 422 { errors: [{ field, rule, message }] }", () =>
    Effect.gen(function*() {
      const response = yield* post({ name: "Rob", email: "not an email", bio: "far too long a bio" })
      expect(response.status).toBe(422)
      expect(response.body).toEqual({
        _tag: "ServiceValidationErrors",
        errors: [
          {
            _tag: "ServiceValidationError",
            field: "email",
            rule: "email",
            message: "Email must be formatted like an email address"
          },
          {
            _tag: "ServiceValidationError",
            field: "bio",
            rule: "maxLength",
            message: "Bio must have no more than 10 characters"
          }
        ]
      })
      const decoded = yield* Schema.decodeUnknown(Validate.ServiceValidationErrors)(response.body)
      expect(Validate.issues(decoded)).toEqual([
        { field: "email", rule: "email", message: "Email must be formatted like an email address" },
        { field: "bio", rule: "maxLength", message: "Bio must have no more than 10 characters" }
      ])
    }))

  it.live("uniqueness: 200 once, then 422 with the same error shape", () =>
    Effect.gen(function*() {
      const created = yield* post({ name: "Rob", email: "rob@example.com" })
      expect(created).toEqual({ status: 200, body: { id: 1 } })
      const again = yield* post({ name: "Robert", email: "rob@example.com" })
      expect(again).toEqual({
        status: 422,
        body: { _tag: "ServiceValidationError", field: "email", rule: "uniqueness", message: "Email must be unique" }
      })
    }))

  it.live("a payload filter rejects with the same words as the service", () =>
    Effect.gen(function*() {
      const response = yield* post({ name: "Admin", email: "admin@example.com" })
      expect(response.status).toBe(400)
      expect(JSON.stringify(response.body)).toContain("Name is reserved")
      const service = yield* Effect.flip(
        Validate.validate("Admin", "name", {
          presence: true,
          length: { min: 2, max: 255 },
          exclusion: ["Admin", "Owner"]
        })
      )
      expect(service.message).toBe("Name is reserved")
    }))
})
