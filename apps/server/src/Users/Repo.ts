/**
 * Users in SQLite. Database failures are defects here: the HTTP layer answers them with an
 * opaque 500.
 *
 * @since 0.1.0
 */
import { SqlClient, SqlSchema } from "@effect/sql"
import type { SqlError } from "@effect/sql/SqlError"
import { Effect, Option, Schema } from "effect"

import type { UserId } from "../Domain/Ids.js"
import { User } from "../Domain/User.js"

/**
 * @since 0.1.0
 * @category services
 */
export class UsersRepo extends Effect.Service<UsersRepo>()("Blog/UsersRepo", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const columns = sql.literal("CAST(id AS TEXT) AS id, name, email, createdAt, updatedAt")

    const findById = SqlSchema.findOne({
      Request: Schema.String,
      Result: User,
      execute: (id) => sql`SELECT ${columns} FROM users WHERE users.id = ${Number(id)}`
    })

    const insert = SqlSchema.single({
      Request: Schema.Struct({ name: Schema.String, email: Schema.String, now: Schema.String }),
      Result: User,
      execute: ({ email, name, now }) =>
        sql`INSERT INTO users ${sql.insert({ name, email, createdAt: now, updatedAt: now })} RETURNING ${columns}`
    })

    const update = (id: UserId, fields: { readonly name?: string; readonly email?: string }, now: string) =>
      SqlSchema.findOne({
        Request: Schema.Void,
        Result: User,
        execute: () =>
          sql`UPDATE users SET ${sql.update({ ...fields, updatedAt: now })} WHERE users.id = ${
            Number(id)
          } RETURNING ${columns}`
      })(undefined)

    /** Posts of other users this user commented on: their comment lists change when the user goes. */
    const commentedPosts = SqlSchema.findAll({
      Request: Schema.String,
      Result: Schema.Struct({ postId: Schema.String, userId: Schema.String }),
      execute: (id) =>
        sql`SELECT DISTINCT CAST(p.id AS TEXT) AS postId, CAST(p.userId AS TEXT) AS userId
            FROM comments c JOIN posts p ON p.id = c.postId
            WHERE c.authorId = ${Number(id)} AND p.userId <> ${Number(id)}`
    })

    const authoredPosts = SqlSchema.findAll({
      Request: Schema.String,
      Result: Schema.Struct({ postId: Schema.String }),
      execute: (id) => sql`SELECT CAST(id AS TEXT) AS postId FROM posts WHERE userId = ${Number(id)}`
    })

    const findByIds = SqlSchema.findAll({
      Request: Schema.Array(Schema.String),
      Result: User,
      execute: (ids) => sql`SELECT ${columns} FROM users WHERE users.id IN ${sql.in(ids.map(Number))}`
    })

    return {
      findById: (id: UserId): Effect.Effect<Option.Option<User>> => Effect.orDie(findById(id)),
      /** The users with these ids, in one query (any order; unknown ids are absent). */
      findByIds: (ids: ReadonlyArray<string>): Effect.Effect<ReadonlyArray<User>> =>
        ids.length === 0 ? Effect.succeed([]) : Effect.orDie(findByIds(ids)),
      exists: (id: string): Effect.Effect<boolean> => Effect.orDie(Effect.map(findById(id), Option.isSome)),
      /** Fails with `SqlError` only, so a unique-index violation can be reported as a validation failure. */
      insert: (
        fields: { readonly name: string; readonly email: string; readonly now: string }
      ): Effect.Effect<User, SqlError> =>
        insert(fields).pipe(Effect.catchIf((error) => error._tag !== "SqlError", Effect.die)) as Effect.Effect<
          User,
          SqlError
        >,
      /** Fails with `SqlError` only (see `insert`). */
      update: (
        id: UserId,
        fields: { readonly name?: string; readonly email?: string },
        now: string
      ): Effect.Effect<Option.Option<User>, SqlError> =>
        update(id, fields, now).pipe(Effect.catchIf((error) => error._tag !== "SqlError", Effect.die)) as Effect.Effect<
          Option.Option<User>,
          SqlError
        >,
      commentedPosts: (
        id: UserId
      ): Effect.Effect<ReadonlyArray<{ readonly postId: string; readonly userId: string }>> =>
        Effect.orDie(commentedPosts(id)),
      /** The ids of the posts a user wrote. */
      authoredPosts: (id: UserId): Effect.Effect<ReadonlyArray<string>> =>
        Effect.orDie(Effect.map(authoredPosts(id), (rows) => rows.map((row) => row.postId))),
      delete: (id: UserId): Effect.Effect<void> => Effect.orDie(sql`DELETE FROM users WHERE users.id = ${Number(id)}`)
    } as const
  })
}) {}
