import * as ChildProcess from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"

import { Validate } from "@cachet/validate"
import * as Uniqueness from "@cachet/validate/Uniqueness"
import { SqlClient, SqlError, Statement } from "@effect/sql"
import { SqliteClient } from "@effect/sql-sqlite-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, FastCheck as fc, Layer, Schedule, String as Str } from "effect"

const here = Path.dirname(fileURLToPath(import.meta.url))
const tsx = Path.resolve(here, "../../../node_modules/.bin/tsx")
const worker = Path.join(here, "fixtures/uniquenessWorker.ts")

const tempFile = () => Path.join(Fs.mkdtempSync(Path.join(Os.tmpdir(), "cachet-validate-")), "db.sqlite")

/** A fresh SQLite file per test, removed afterwards. */
const database = (options: { readonly transformQueryNames?: (s: string) => string } = {}) =>
  Layer.unwrapScoped(
    Effect.gen(function*() {
      const filename = yield* Effect.acquireRelease(
        Effect.sync(tempFile),
        (file) => Effect.sync(() => Fs.rmSync(Path.dirname(file), { recursive: true, force: true }))
      )
      return SqliteClient.layer({ filename, ...options })
    })
  )

const schema = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`CREATE TABLE user (id INTEGER PRIMARY KEY, email TEXT, username TEXT, tenant INTEGER)`
  yield* sql`CREATE TABLE post (id INTEGER PRIMARY KEY, title TEXT, user_id INTEGER)`
  yield* sql`CREATE TABLE person (id INTEGER PRIMARY KEY, first_name TEXT, last_name TEXT)`
  return sql
})

const count = (table: string) =>
  Effect.flatMap(
    SqlClient.SqlClient,
    (sql) => Effect.map(sql<{ n: number }>`SELECT COUNT(*) AS n FROM ${sql(table)}`, (rows) => Number(rows[0]!.n))
  )

const createUser = (input: { readonly email: string | null; readonly username?: string; readonly tenant?: number }) =>
  Uniqueness.validateUniqueness("user", { email: input.email }, (sql) =>
    Effect.map(
      sql<{ id: number }>`INSERT INTO user ${sql.insert({ tenant: 1, username: null, ...input })} RETURNING id`,
      (rows) => rows[0]!.id
    ))

const issue = (error: Validate.ServiceValidationError) => ({
  field: error.field,
  rule: error.rule,
  message: error.message
})

/** Records every statement sent to the database while `effect` runs. */
const recording = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const sent: Array<string> = []
    const exit = yield* Effect.exit(
      effect.pipe(
        Statement.withTransformer((statement) =>
          Effect.sync(() => {
            sent.push(statement.compile()[0])
            return statement
          })
        )
      )
    )
    return { exit, sent }
  })

describe("validateUniqueness on SQLite", () => {
  it.scoped("rejects a duplicate without running the callback, returns the callback's result otherwise", () =>
    Effect.gen(function*() {
      yield* schema
      const id = yield* createUser({ email: "rob@example.com" })
      expect(id).toBe(1)
      let ran = false
      const error = yield* Effect.flip(
        Uniqueness.validateUniqueness("user", { email: "rob@example.com" }, () =>
          Effect.sync(() => {
            ran = true
          }))
      )
      expect(error).toBeInstanceOf(Validate.ServiceValidationError)
      expect(issue(error as Validate.ServiceValidationError)).toEqual({
        field: "email",
        rule: "uniqueness",
        message: "Email must be unique"
      })
      expect(ran).toBe(false)
      expect(yield* count("user")).toBe(1)
      expect(yield* createUser({ email: "tom@example.com" })).toBe(2)
    }).pipe(Effect.provide(database())))

  it.scoped("uses options.message (RedwoodJS: 'Your email is already in use')", () =>
    Effect.gen(function*() {
      yield* schema
      yield* createUser({ email: "a@b.co" })
      const error = yield* Effect.flip(
        Uniqueness.validateUniqueness("user", { email: "a@b.co" }, { message: "Your email is already in use" }, (sql) =>
          sql`INSERT INTO user (email) VALUES ('a@b.co')`)
      )
      expect(error.message).toBe("Your email is already in use")
      const templated = yield* Effect.flip(
        Uniqueness.validateUniqueness("user", { email: "a@b.co" }, { message: "${name} is taken" }, () =>
          Effect.void)
      )
      expect(templated.message).toBe("Email is taken")
    }).pipe(Effect.provide(database())))

  it.scoped("$self excludes the record being updated", () =>
    Effect.gen(function*() {
      yield* schema
      const rob = yield* createUser({ email: "rob@example.com" })
      const tom = yield* createUser({ email: "tom@example.com" })
      const updateUser = (id: number, email: string) =>
        Uniqueness.validateUniqueness("user", { email, $self: { id } }, (sql) =>
          sql`UPDATE user SET email = ${email} WHERE id = ${id}`)
      yield* updateUser(rob, "rob@example.com")
      const error = yield* Effect.flip(updateUser(tom, "rob@example.com"))
      expect(error.message).toBe("Email must be unique")
      yield* updateUser(tom, "thomas@example.com")
      const sql = yield* SqlClient.SqlClient
      expect(yield* sql`SELECT id, email FROM user ORDER BY id`).toEqual([
        { id: 1, email: "rob@example.com" },
        { id: 2, email: "thomas@example.com" }
      ])
    }).pipe(Effect.provide(database())))

  it.scoped("$scope narrows the check (one title per user)", () =>
    Effect.gen(function*() {
      const sql = yield* schema
      const createPost = (userId: number, title: string) =>
        Uniqueness.validateUniqueness("post", { title, $scope: { user_id: userId } }, () =>
          sql`INSERT INTO post ${sql.insert({ title, user_id: userId })}`)
      yield* createPost(1, "Hello")
      yield* createPost(2, "Hello")
      const error = yield* Effect.flip(createPost(1, "Hello"))
      expect(issue(error as Validate.ServiceValidationError)).toEqual({
        field: "title",
        rule: "uniqueness",
        message: "Title must be unique"
      })
      expect(yield* count("post")).toBe(2)
      // $scope and $self together
      const rename = (id: number, userId: number, title: string) =>
        Uniqueness.validateUniqueness("post", { title, $scope: { user_id: userId }, $self: { id } }, () =>
          sql`UPDATE post SET title = ${title} WHERE id = ${id}`)
      yield* rename(1, 1, "Hello")
      yield* createPost(1, "Other")
      expect((yield* Effect.flip(rename(3, 1, "Hello"))).message).toBe("Title must be unique")
    }).pipe(Effect.provide(database())))

  it.scoped("several columns are unique together; NULLs never collide, as in a unique index", () =>
    Effect.gen(function*() {
      const sql = yield* schema
      const createPerson = (first: string | null, last: string) =>
        Uniqueness.validateUniqueness(
          "person",
          { first_name: first, last_name: last },
          () => sql`INSERT INTO person ${sql.insert({ first_name: first, last_name: last })}`
        )
      yield* createPerson("Ada", "Lovelace")
      yield* createPerson("Ada", "Byron")
      const error = yield* Effect.flip(createPerson("Ada", "Lovelace"))
      expect(issue(error as Validate.ServiceValidationError)).toEqual({
        field: "first_name, last_name",
        rule: "uniqueness",
        message: "First Name, Last Name must be unique"
      })
      yield* createPerson(null, "Lovelace")
      yield* createPerson(null, "Lovelace")
      expect(yield* count("person")).toBe(4)
    }).pipe(Effect.provide(database())))

  it.scoped("check and callback share one transaction: a failing callback leaves nothing behind", () =>
    Effect.gen(function*() {
      const sql = yield* schema
      const error = yield* Effect.flip(
        Uniqueness.validateUniqueness("user", { email: "x@y.z" }, () =>
          Effect.gen(function*() {
            yield* sql`INSERT INTO user (email) VALUES ('x@y.z')`
            return yield* Effect.fail("callback failed" as const)
          }))
      )
      expect(error).toBe("callback failed")
      expect(yield* count("user")).toBe(0)
      const { sent } = yield* recording(createUser({ email: "x@y.z" }))
      expect(sent[0]).toMatch(/^UPDATE "user" SET "email" = "email" WHERE 0 = 1$/)
      expect(sent[1]).toMatch(/^SELECT CASE WHEN EXISTS \(SELECT 1 FROM "user" WHERE "email" = \?\)/)
      expect(sent[2]).toMatch(/^INSERT INTO user/)
    }).pipe(Effect.provide(database())))

  it.scoped("a unique-index violation raised by the callback is reported as the same error", () =>
    Effect.gen(function*() {
      const sql = yield* schema
      yield* sql`CREATE UNIQUE INDEX user_email ON user (email)`
      yield* sql`CREATE UNIQUE INDEX user_username ON user (username)`
      yield* createUser({ email: "rob@example.com", username: "rob", tenant: 1 })
      // the check is scoped to tenant 2, the index is not: the INSERT hits the index
      const sameColumn = yield* Effect.flip(
        Uniqueness.validateUniqueness(
          "user",
          { email: "rob@example.com", $scope: { tenant: 2 } },
          { message: "Taken" },
          () =>
            Effect.gen(function*() {
              yield* sql`INSERT INTO user (email, tenant) VALUES ('other@example.com', 2)`
              yield* sql`INSERT INTO user (email, tenant) VALUES ('rob@example.com', 2)`
            })
        )
      )
      expect(issue(sameColumn as Validate.ServiceValidationError)).toEqual({
        field: "email",
        rule: "uniqueness",
        message: "Taken"
      })
      expect(yield* count("user")).toBe(1) // the first INSERT was rolled back too
      const otherColumn = yield* Effect.flip(
        Uniqueness.validateUniqueness(
          "user",
          { email: "new@example.com" },
          () => sql`INSERT INTO user (email, username) VALUES ('new@example.com', 'rob')`
        )
      )
      expect(issue(otherColumn as Validate.ServiceValidationError)).toEqual({
        field: "username",
        rule: "uniqueness",
        message: "Username must be unique"
      })
      const syntax = yield* Effect.flip(
        Uniqueness.validateUniqueness("user", { email: "new@example.com" }, () => sql`INSERT INTO nowhere VALUES (1)`)
      )
      expect(syntax).toBeInstanceOf(SqlError.SqlError)
    }).pipe(Effect.provide(database())))

  it.scoped("maps violations through the client's name transform", () =>
    Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      yield* sql`CREATE TABLE account (id INTEGER PRIMARY KEY, login_name TEXT UNIQUE, tenant_id INTEGER)`
      yield* sql`INSERT INTO account ${sql.insert({ loginName: "rob", tenantId: 1 })}`
      const error = yield* Effect.flip(
        Uniqueness.validateUniqueness("account", { loginName: "rob", $scope: { tenantId: 2 } }, () =>
          sql`INSERT INTO account ${sql.insert({ loginName: "rob", tenantId: 2 })}`)
      )
      expect(issue(error as Validate.ServiceValidationError)).toEqual({
        field: "loginName",
        rule: "uniqueness",
        message: "Login Name must be unique"
      })
      const direct = yield* Effect.flip(Uniqueness.validateUniqueness("account", { loginName: "rob" }, () =>
        Effect.void))
      expect(direct.message).toBe("Login Name must be unique")
    }).pipe(Effect.provide(database({ transformQueryNames: Str.camelToSnake }))))

  it.scoped("SQL keywords as names are quoted, not rejected", () =>
    Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      yield* sql`CREATE TABLE "order" ("group" TEXT, "select" INTEGER)`
      const place = (group: string) =>
        Uniqueness.validateUniqueness("order", { group, $scope: { select: 1 } }, () =>
          sql`INSERT INTO "order" ("group", "select") VALUES (${group}, 1)`)
      yield* place("a")
      expect((yield* Effect.flip(place("a"))).message).toBe("Group must be unique")
    }).pipe(Effect.provide(database())))
})

describe("hostile identifiers", () => {
  const hostileTables = [
    `user"; DROP TABLE user; --`,
    "user; DELETE FROM user",
    `"user"`,
    "user--",
    "user WHERE 1=1",
    "main.user.email",
    "",
    "1user",
    "us`er",
    "user]"
  ]
  const hostileColumns = [`email" = "email" OR 1=1 --`, "email; DROP TABLE user", "$where", "a b", "", "e.mail", "é"]

  it.scoped("are rejected before anything reaches the database", () =>
    Effect.gen(function*() {
      yield* schema
      yield* createUser({ email: "rob@example.com" })
      let ran = 0
      const callback = () =>
        Effect.sync(() => {
          ran++
        })
      for (const table of hostileTables) {
        const { exit, sent } = yield* recording(Uniqueness.validateUniqueness(table, { email: "x" }, callback))
        expect(sent).toEqual([])
        expect(exit).toStrictEqual(
          Exit.fail(new Uniqueness.InvalidUniquenessCheck({ reason: "InvalidTable", identifier: table }))
        )
      }
      for (const column of hostileColumns) {
        for (
          const fields of [{ [column]: "x" }, { email: "x", $scope: { [column]: 1 } }, {
            email: "x",
            $self: { [column]: 1 }
          }]
        ) {
          const { exit, sent } = yield* recording(Uniqueness.validateUniqueness("user", fields, callback))
          expect(sent).toEqual([])
          expect(exit).toStrictEqual(
            Exit.fail(new Uniqueness.InvalidUniquenessCheck({ reason: "InvalidColumn", identifier: column }))
          )
        }
      }
      const objectValue = yield* Effect.flip(
        Uniqueness.validateUniqueness(
          "user",
          { email: { $ne: "" } } as unknown as Uniqueness.UniquenessFields,
          callback
        )
      )
      expect(objectValue).toEqual(
        new Uniqueness.InvalidUniquenessCheck({ reason: "InvalidValue", identifier: "email" })
      )
      const none = yield* Effect.flip(Uniqueness.validateUniqueness("user", { $scope: { tenant: 1 } }, callback))
      expect(none).toEqual(new Uniqueness.InvalidUniquenessCheck({ reason: "NoColumns", identifier: "user" }))
      expect(none.message).toContain("needs at least one column")
      expect(ran).toBe(0)
      expect(yield* count("user")).toBe(1)
      const sql = yield* SqlClient.SqlClient
      expect(yield* sql`SELECT email FROM user`).toEqual([{ email: "rob@example.com" }])
    }).pipe(Effect.provide(database())))

  it.scoped.prop(
    "any name is either a plain identifier or rejected with nothing sent",
    [fc.string({ maxLength: 12 }), fc.boolean()],
    ([name, asTable]) =>
      Effect.gen(function*() {
        yield* schema
        const plain = asTable ? /^[A-Za-z_]\w*(\.[A-Za-z_]\w*)?$/.test(name) : /^[A-Za-z_]\w*$/.test(name)
        const { exit, sent } = yield* recording(
          asTable
            ? Uniqueness.validateUniqueness(name, { email: "x" }, () => Effect.void)
            : Uniqueness.validateUniqueness("user", { [name]: "x" }, () => Effect.void)
        )
        if (!plain) {
          expect(sent).toEqual([])
          expect(Exit.isFailure(exit)).toBe(true)
        } else {
          // plain names reach SQLite quoted: an unknown table or column is an SqlError, nothing else
          expect(sent.length).toBeGreaterThan(0)
        }
        expect(yield* count("user")).toBe(0)
      }).pipe(Effect.provide(database())),
    { fastCheck: { numRuns: 40 } }
  )
})

describe("concurrent writers", () => {
  it.live("in one process: many fibers inserting one value leave exactly one row", () =>
    Effect.gen(function*() {
      const sql = yield* schema
      const attempt = Uniqueness.validateUniqueness("user", { email: "race@example.com" }, () =>
        Effect.gen(function*() {
          yield* Effect.sleep("5 millis") // every fiber would pass the check before any writes
          yield* sql`INSERT INTO user (email) VALUES ('race@example.com')`
        }))
      const results = yield* Effect.all(Array.from({ length: 20 }, () => Effect.either(attempt)), {
        concurrency: "unbounded"
      })
      expect(results.filter((r) => r._tag === "Right")).toHaveLength(1)
      for (const r of results) if (r._tag === "Left") expect(r.left).toMatchObject({ rule: "uniqueness" })
      expect(yield* count("user")).toBe(1)
    }).pipe(Effect.provide(database()), Effect.scoped))

  it.live("control: the same check and write without validateUniqueness do race", () =>
    Effect.gen(function*() {
      const sql = yield* schema
      const naive = Effect.gen(function*() {
        const found = yield* sql`SELECT 1 FROM user WHERE email = 'race@example.com'`
        if (found.length > 0) return
        yield* Effect.sleep("5 millis")
        yield* sql`INSERT INTO user (email) VALUES ('race@example.com')`
      })
      yield* Effect.all(Array.from({ length: 20 }, () => naive), { concurrency: "unbounded" })
      expect(yield* count("user")).toBeGreaterThan(1)
    }).pipe(Effect.provide(database()), Effect.scoped))

  /** Runs `n` writer processes against one SQLite file, all starting at the same instant. */
  const race = (mode: "validate" | "deferred", n: number) =>
    Effect.gen(function*() {
      const file = tempFile()
      yield* Effect.addFinalizer(() =>
        Effect.sync(() => Fs.rmSync(Path.dirname(file), { recursive: true, force: true }))
      )
      yield* Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        yield* sql`CREATE TABLE user (id INTEGER PRIMARY KEY, email TEXT, pid INTEGER)`
      }).pipe(Effect.provide(SqliteClient.layer({ filename: file })), Effect.scoped)
      const processes = Effect.all(
        Array.from({ length: n }, () =>
          Effect.async<string, Error>((resume) => {
            ChildProcess.execFile(
              tsx,
              [worker, file, "race@example.com", mode],
              { timeout: 80_000 },
              (error, stdout, stderr) => {
                if (error !== null) resume(Effect.fail(new Error(`${error.message}\n${stderr}`)))
                else resume(Effect.succeed(stdout))
              }
            )
          })),
        { concurrency: "unbounded" }
      )
      // start every writer at once, after all of them have opened the database
      const allReady = Effect.sync(() => Fs.readdirSync(Path.dirname(file)).filter((f) => f.includes(".ready-")).length)
        .pipe(
          Effect.repeat({ until: (ready) => ready >= n, schedule: Schedule.spaced("20 millis") })
        )
      const [outputs] = yield* Effect.all(
        [processes, allReady.pipe(Effect.andThen(Effect.sync(() => Fs.writeFileSync(`${file}.go`, ""))))],
        { concurrency: "unbounded" }
      )
      const rows = yield* Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        return yield* sql<{ email: string }>`SELECT email FROM user`
      }).pipe(Effect.provide(SqliteClient.layer({ filename: file })), Effect.scoped)
      const outcomes = outputs.map((out) =>
        JSON.parse(out.trim().split("\n").at(-1)!) as { outcome: string; rule?: string; cause?: string }
      )
      return { rows, outcomes }
    })

  it.scopedLive(
    "across processes: exactly one row, every other writer gets the uniqueness error",
    () =>
      Effect.gen(function*() {
        const { outcomes, rows } = yield* race("validate", 5)
        expect(rows).toHaveLength(1)
        expect(outcomes.filter((o) => o.outcome === "inserted")).toHaveLength(1)
        expect(outcomes.filter((o) => o.outcome === "ServiceValidationError" && o.rule === "uniqueness")).toHaveLength(
          4
        )
      }),
    90_000
  )

  it.scopedLive(
    "control: a deferred transaction keeps one row only by failing writers with SQLITE_BUSY",
    () =>
      Effect.gen(function*() {
        const { outcomes, rows } = yield* race("deferred", 5)
        expect(rows).toHaveLength(1)
        expect(outcomes.filter((o) => o.outcome === "inserted")).toHaveLength(1)
        // the losers read before the winner committed and cannot upgrade to a writer
        expect(outcomes.some((o) => o.outcome === "SqlError" && (o.cause ?? "").startsWith("SQLITE_BUSY"))).toBe(true)
      }),
    90_000
  )
})
