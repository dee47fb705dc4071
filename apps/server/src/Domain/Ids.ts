/**
 * Ids of the blog's records. They are strings on the wire (`"42"`) and integers in SQLite;
 * only canonical ones (`/^[1-9][0-9]{0,14}$/`, safe integers) can name a record, so anything else is a 404
 * without touching the database or the cache.
 *
 * @since 0.1.0
 */
import { Option, Schema } from "effect"

/**
 * @since 0.1.0
 * @category ids
 */
export const UserId = Schema.String.pipe(Schema.brand("UserId"))

/**
 * @since 0.1.0
 * @category ids
 */
export type UserId = typeof UserId.Type

/**
 * @since 0.1.0
 * @category ids
 */
export const PostId = Schema.String.pipe(Schema.brand("PostId"))

/**
 * @since 0.1.0
 * @category ids
 */
export type PostId = typeof PostId.Type

/**
 * @since 0.1.0
 * @category ids
 */
export const CommentId = Schema.String.pipe(Schema.brand("CommentId"))

/**
 * @since 0.1.0
 * @category ids
 */
export type CommentId = typeof CommentId.Type

const canonical = /^[1-9][0-9]{0,14}$/

/**
 * The id if it can name a record (a canonical positive integer), none otherwise.
 *
 * @since 0.1.0
 * @category utils
 */
export const canonicalize = <Id extends string>(id: Id): Option.Option<Id> =>
  canonical.test(id) ? Option.some(id) : Option.none()

/**
 * A page cursor: the id of the last post of the previous page.
 *
 * @since 0.1.0
 * @category ids
 */
export const Cursor = Schema.String.pipe(
  Schema.pattern(canonical, { message: () => "cursor must be a post id" })
)

/**
 * A query-string integer written in decimal digits only (`20`; not `0x10`, ` 5`, `1e2`, `5.0`).
 *
 * @since 0.1.0
 * @category models
 */
export const DecimalInt = Schema.compose(
  Schema.String.pipe(Schema.pattern(/^[0-9]{1,9}$/, { message: () => "must be written in decimal digits" })),
  Schema.NumberFromString
)
