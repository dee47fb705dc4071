/**
 * Emails are stored lower-cased, so the unique index compares them case-insensitively: lower-cases the ones
 * written before, except where that would collide with an existing address.
 */
import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`
    UPDATE users SET email = lower(trim(email))
    WHERE email <> lower(trim(email))
      AND NOT EXISTS (SELECT 1 FROM users AS other WHERE other.email = lower(trim(users.email)))`
})
