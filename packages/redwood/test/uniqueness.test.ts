import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"

import { SqlClient } from "@effect/sql"
import { SqliteClient } from "@effect/sql-sqlite-node"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { Effect, ManagedRuntime } from "effect"

import { type PrismaLike, ServiceValidationError, UniquenessValidationError, validateUniqueness } from "../src/index.js"

interface Row {
  readonly id: number
  readonly email: string
  readonly tenant: number
}

/**
 * A tiny in-memory database with Prisma's shape (`$transaction`, `model.findFirst({ where })`),
 * enough to show what `validateUniqueness` asks of it.
 */
const prismaShaped = (rows: Array<Row>) => {
  const wheres: Array<unknown> = []
  const matches = (row: Row, filter: Record<string, unknown>) =>
    Object.entries(filter).every(([key, value]) => row[key as keyof Row] === value)
  const tx = {
    user: {
      findFirst: async (
        { where }: { where: { AND: Array<Record<string, unknown>>; NOT: Array<Record<string, unknown>> } }
      ) => {
        wheres.push(where)
        return rows.find((row) => where.AND.every((f) => matches(row, f)) && !where.NOT.some((f) => matches(row, f))) ??
          null
      },
      create: async (row: Row) => {
        rows.push(row)
        return row
      }
    }
  }
  let transactions = 0
  const db = {
    $transaction: async <A>(run: (t: typeof tx) => Promise<A>) => {
      transactions++
      return run(tx)
    }
  } satisfies PrismaLike
  return { db, tx, wheres, transactions: () => transactions }
}

type Transaction = ReturnType<typeof prismaShaped>["tx"]

describe("validateUniqueness with a Prisma client", () => {
  it("runs the check and the callback in one transaction; a match rejects without calling back", async () => {
    const { db, transactions } = prismaShaped([{ id: 1, email: "taken@example.com", tenant: 1 }])
    const created = await validateUniqueness(
      "user",
      { email: "new@example.com" },
      { db },
      (tx: Transaction) => tx.user.create({ id: 2, email: "new@example.com", tenant: 1 })
    )
    expect(created).toEqual({ id: 2, email: "new@example.com", tenant: 1 })
    expect(transactions()).toBe(1)

    let called = false
    const rejected = validateUniqueness("user", { email: "taken@example.com" }, { db }, () => {
      called = true
    })
    await expect(rejected).rejects.toBeInstanceOf(UniquenessValidationError)
    await expect(rejected).rejects.toBeInstanceOf(ServiceValidationError)
    await expect(rejected).rejects.toThrow("email must be unique")
    expect(called).toBe(false)
  })

  it("$scope narrows and $self excludes, as extra AND / NOT filters", async () => {
    const { db, wheres } = prismaShaped([{ id: 1, email: "a@example.com", tenant: 1 }])
    await expect(
      validateUniqueness("user", { email: "a@example.com", $scope: { tenant: 2 } }, { db }, () => "ok")
    ).resolves.toBe("ok")
    await expect(
      validateUniqueness("user", { email: "a@example.com", $self: { id: 1 } }, { db }, () => "ok")
    ).resolves.toBe("ok")
    expect(wheres).toEqual([
      { AND: [{ email: "a@example.com" }, { tenant: 2 }], NOT: [] },
      { AND: [{ email: "a@example.com" }], NOT: [{ id: 1 }] }
    ])
  })

  it("a message replaces the default; the default names every field as written", async () => {
    const { db } = prismaShaped([{ id: 1, email: "a@example.com", tenant: 1 }])
    await expect(validateUniqueness("user", { email: "a@example.com" }, { db, message: "Already in use" }, () => 0))
      .rejects.toThrow("Already in use")
    await expect(validateUniqueness("user", { tenant: 1, email: "a@example.com" }, { db }, () => 0))
      .rejects.toThrow("tenant, email must be unique")
  })

  it("without a client, and without @prisma/client installed, it says what it needs", async () => {
    await expect(validateUniqueness("user", { email: "a@example.com" }, () => 0)).rejects.toThrow(
      /pass \{ db \} \(a Prisma client\) or \{ sql \}/
    )
  })
})

describe("validateUniqueness on @effect/sql", () => {
  const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "cachet-redwood-"))
  const runtime = ManagedRuntime.make(SqliteClient.layer({ filename: Path.join(dir, "db.sqlite") }))

  beforeAll(() =>
    runtime.runPromise(
      Effect.flatMap(SqlClient.SqlClient, (sql) =>
        sql`CREATE TABLE user (id INTEGER PRIMARY KEY, email TEXT, tenant INTEGER)`)
    )
  )
  afterAll(async () => {
    await runtime.dispose()
    Fs.rmSync(dir, { recursive: true, force: true })
  })

  const insert = (email: string, tenant = 1) =>
    validateUniqueness(
      "user",
      { email, $scope: { tenant } },
      { sql: runtime },
      (tx) => tx.run(tx.sql<{ id: number }>`INSERT INTO user (email, tenant) VALUES (${email}, ${tenant}) RETURNING id`)
    )

  const count = () =>
    runtime.runPromise(Effect.flatMap(SqlClient.SqlClient, (sql) => sql<{ n: number }>`SELECT COUNT(*) AS n FROM user`))
      .then((rows) => Number(rows[0]!.n))

  it("writes inside the check's transaction, and a duplicate is RedwoodJS's UniquenessValidationError", async () => {
    await expect(insert("one@example.com")).resolves.toHaveLength(1)
    await expect(insert("one@example.com")).rejects.toThrow(new UniquenessValidationError("email, $scope", undefined))
    await expect(insert("one@example.com", 2)).resolves.toHaveLength(1)
    expect(await count()).toBe(2)
  })

  it("a callback that rejects rolls the write back", async () => {
    const before = await count()
    const failing = validateUniqueness("user", { email: "two@example.com" }, { sql: runtime }, async (tx) => {
      await tx.run(tx.sql`INSERT INTO user (email, tenant) VALUES (${"two@example.com"}, 1)`)
      throw new Error("changed my mind")
    })
    await expect(failing).rejects.toThrow("changed my mind")
    expect(await count()).toBe(before)
  })
})
