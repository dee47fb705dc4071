/**
 * Comments in SQLite.
 *
 * @since 0.1.0
 */
import { SqlClient, SqlSchema } from "@effect/sql"
import { Effect, Option, Schema } from "effect"

import { Comment } from "../Domain/Comment.js"
import type { CommentId, PostId, UserId } from "../Domain/Ids.js"

/**
 * A comment and the author of the post it is on (whose tag tree it lives in).
 *
 * @since 0.1.0
 * @category models
 */
export class CommentWithPostAuthor extends Schema.Class<CommentWithPostAuthor>("CommentWithPostAuthor")({
  comment: Comment,
  postUserId: Schema.String
}) {}

/**
 * @since 0.1.0
 * @category services
 */
export class CommentsRepo extends Effect.Service<CommentsRepo>()("Blog/CommentsRepo", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const columns = sql.literal(
      "CAST(id AS TEXT) AS id, CAST(postId AS TEXT) AS postId, CAST(authorId AS TEXT) AS authorId, body, " +
        "createdAt, updatedAt"
    )

    const findByPost = SqlSchema.findAll({
      Request: Schema.String,
      Result: Comment,
      execute: (postId) =>
        sql`SELECT ${columns} FROM comments WHERE comments.postId = ${Number(postId)} ORDER BY comments.id`
    })

    const findById = SqlSchema.findOne({
      Request: Schema.String,
      Result: Schema.Struct({ ...Comment.fields, postUserId: Schema.String }),
      execute: (id) =>
        sql`SELECT CAST(c.id AS TEXT) AS id, CAST(c.postId AS TEXT) AS postId, CAST(c.authorId AS TEXT) AS authorId,
                   c.body, c.createdAt, c.updatedAt, CAST(p.userId AS TEXT) AS postUserId
            FROM comments c JOIN posts p ON p.id = c.postId WHERE c.id = ${Number(id)}`
    })

    const insert = SqlSchema.single({
      Request: Schema.Struct({
        postId: Schema.String,
        authorId: Schema.String,
        body: Schema.String,
        now: Schema.String
      }),
      Result: Comment,
      execute: ({ authorId, body, now, postId }) =>
        sql`INSERT INTO comments ${
          sql.insert({ postId: Number(postId), authorId: Number(authorId), body, createdAt: now, updatedAt: now })
        } RETURNING ${columns}`
    })

    const findByPosts = SqlSchema.findAll({
      Request: Schema.Array(Schema.String),
      Result: Comment,
      execute: (postIds) =>
        sql`SELECT ${columns} FROM comments WHERE comments.postId IN ${
          sql.in(postIds.map(Number))
        } ORDER BY comments.id`
    })

    return {
      findByPost: (postId: PostId): Effect.Effect<ReadonlyArray<Comment>> => Effect.orDie(findByPost(postId)),
      /** The comments of these posts, oldest first, in one query. */
      findByPosts: (postIds: ReadonlyArray<string>): Effect.Effect<ReadonlyArray<Comment>> =>
        postIds.length === 0 ? Effect.succeed([]) : Effect.orDie(findByPosts(postIds)),
      findById: (id: CommentId): Effect.Effect<Option.Option<CommentWithPostAuthor>> =>
        Effect.orDie(findById(id)).pipe(
          Effect.map(Option.map(({ postUserId, ...comment }) =>
            new CommentWithPostAuthor({ comment: new Comment(comment), postUserId })
          ))
        ),
      insert: (
        fields: { readonly postId: PostId; readonly authorId: UserId; readonly body: string; readonly now: string }
      ): Effect.Effect<Comment> => Effect.orDie(insert(fields)),
      delete: (id: CommentId): Effect.Effect<void> =>
        Effect.orDie(sql`DELETE FROM comments WHERE comments.id = ${Number(id)}`)
    } as const
  })
}) {}
