/**
 * Posts in SQLite.
 *
 * @since 0.1.0
 */
import { SqlClient, SqlSchema } from "@effect/sql"
import { Effect, Option, Schema } from "effect"

import type { PostId, UserId } from "../Domain/Ids.js"
import { Post, PostSummary } from "../Domain/Post.js"

/**
 * @since 0.1.0
 * @category services
 */
export class PostsRepo extends Effect.Service<PostsRepo>()("Blog/PostsRepo", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const summary = sql.literal("CAST(id AS TEXT) AS id, CAST(userId AS TEXT) AS userId, title, createdAt, updatedAt")
    const full = sql.literal(
      "CAST(id AS TEXT) AS id, CAST(userId AS TEXT) AS userId, title, body, createdAt, updatedAt"
    )

    const findById = SqlSchema.findOne({
      Request: Schema.String,
      Result: Post,
      execute: (id) => sql`SELECT ${full} FROM posts WHERE posts.id = ${Number(id)}`
    })

    const findByUser = SqlSchema.findAll({
      Request: Schema.String,
      Result: PostSummary,
      execute: (userId) =>
        sql`SELECT ${summary} FROM posts WHERE posts.userId = ${Number(userId)} ORDER BY posts.id DESC`
    })

    const page = SqlSchema.findAll({
      Request: Schema.Struct({ limit: Schema.Number, cursor: Schema.NullOr(Schema.String) }),
      Result: PostSummary,
      execute: ({ cursor, limit }) =>
        cursor === null
          ? sql`SELECT ${summary} FROM posts ORDER BY posts.id DESC LIMIT ${limit}`
          : sql`SELECT ${summary} FROM posts WHERE posts.id < ${Number(cursor)} ORDER BY posts.id DESC LIMIT ${limit}`
    })

    const insert = SqlSchema.single({
      Request: Schema.Struct({ userId: Schema.String, title: Schema.String, body: Schema.String, now: Schema.String }),
      Result: Post,
      execute: ({ body, now, title, userId }) =>
        sql`INSERT INTO posts ${
          sql.insert({ userId: Number(userId), title, body, createdAt: now, updatedAt: now })
        } RETURNING ${full}`
    })

    const update = (id: PostId, fields: { readonly title?: string; readonly body?: string }, now: string) =>
      SqlSchema.findOne({
        Request: Schema.Void,
        Result: Post,
        execute: () =>
          sql`UPDATE posts SET ${sql.update({ ...fields, updatedAt: now })} WHERE posts.id = ${
            Number(id)
          } RETURNING ${full}`
      })(undefined)

    const findByIds = SqlSchema.findAll({
      Request: Schema.Array(Schema.String),
      Result: Post,
      execute: (ids) => sql`SELECT ${full} FROM posts WHERE posts.id IN ${sql.in(ids.map(Number))}`
    })

    const findByUsers = SqlSchema.findAll({
      Request: Schema.Array(Schema.String),
      Result: Post,
      execute: (userIds) =>
        sql`SELECT ${full} FROM posts WHERE posts.userId IN ${sql.in(userIds.map(Number))} ORDER BY posts.id DESC`
    })

    return {
      findById: (id: PostId): Effect.Effect<Option.Option<Post>> => Effect.orDie(findById(id)),
      /** The posts with these ids, in one query (any order; unknown ids are absent). */
      findByIds: (ids: ReadonlyArray<string>): Effect.Effect<ReadonlyArray<Post>> =>
        ids.length === 0 ? Effect.succeed([]) : Effect.orDie(findByIds(ids)),
      /** The posts of these users, newest first, in one query. */
      findByUsers: (userIds: ReadonlyArray<string>): Effect.Effect<ReadonlyArray<Post>> =>
        userIds.length === 0 ? Effect.succeed([]) : Effect.orDie(findByUsers(userIds)),
      findByUser: (userId: UserId): Effect.Effect<ReadonlyArray<PostSummary>> => Effect.orDie(findByUser(userId)),
      /** Newest first, at most `limit`, older than `cursor` when given. */
      page: (
        request: { readonly limit: number; readonly cursor: string | null }
      ): Effect.Effect<ReadonlyArray<PostSummary>> => Effect.orDie(page(request)),
      insert: (
        fields: { readonly userId: UserId; readonly title: string; readonly body: string; readonly now: string }
      ): Effect.Effect<Post> => Effect.orDie(insert(fields)),
      update: (
        id: PostId,
        fields: { readonly title?: string; readonly body?: string },
        now: string
      ): Effect.Effect<Option.Option<Post>> => Effect.orDie(update(id, fields, now))
    } as const
  })
}) {}
