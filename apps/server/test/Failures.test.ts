/**
 * An unexpected failure (here: the database loses a table under the server) answers 500 with
 * an opaque id and nothing of the cause; the cause is logged under that id.
 */
import { SqlClient } from "@effect/sql"
import { SqliteClient } from "@effect/sql-sqlite-node"
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"

import { type Server, start, testEnv } from "./harness.js"

describe("unexpected failures", () => {
  let server: Server
  let env: Record<string, string>
  beforeAll(async () => {
    env = testEnv({
      CACHET_SEED_USERS: "3",
      CACHET_SEED_POSTS: "3",
      CACHET_SEED_COMMENTS: "3",
      CACHET_LOG_LEVEL: "None"
    })
    server = await start(env)
  })
  afterAll(() => server?.close())

  it("a 500 with an opaque id and no internals", async () => {
    await Effect.runPromise(
      Effect.flatMap(SqlClient.SqlClient, (sql) => sql`DROP TABLE comments`).pipe(
        Effect.provide(SqliteClient.layer({ filename: env.CACHET_DATABASE_PATH! }))
      )
    )
    const response = await server.get("/posts/1")
    expect(response.status).toBe(500)
    expect(response.json).toEqual({
      error: "InternalServerError",
      message: expect.any(String),
      id: expect.stringMatching(/^[0-9a-f-]{36}$/)
    })
    expect(response.text).not.toMatch(/comments|Sql|sqlite|stack|at /i)
    // The server keeps serving what does not need the lost table.
    expect((await server.get("/users/1")).status).toBe(200)
  })
})
