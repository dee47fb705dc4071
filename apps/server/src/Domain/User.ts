/**
 * Users.
 *
 * @since 0.1.0
 */
import { HttpApiSchema } from "@effect/platform"
import { Schema } from "effect"

import { UserId } from "./Ids.js"

/**
 * @since 0.1.0
 * @category models
 */
export class User extends Schema.Class<User>("User")({
  id: UserId,
  name: Schema.String,
  email: Schema.String,
  createdAt: Schema.DateTimeUtc,
  updatedAt: Schema.DateTimeUtc
}) {}

/**
 * What a post shows of its author.
 *
 * @since 0.1.0
 * @category models
 */
export class Author extends Schema.Class<Author>("Author")({
  id: UserId,
  name: Schema.String
}) {}

/**
 * A field of a write payload: absent, `null` or a string. Absent and `null` reach the
 * validations (so a missing name is a `presence` failure listed with the others); other types
 * are a 400 whose message never quotes the value (however large it is).
 *
 * @since 0.1.0
 * @category models
 */
export const Field = Schema.optionalWith(
  Schema.NullOr(Schema.String).annotations({
    message: () => ({ message: "must be a string or null", override: true })
  }),
  { exact: true }
)

/**
 * A write payload: a JSON object of `fields` (other types are a short 400).
 *
 * @since 0.1.0
 * @category constructors
 */
export const payload = <Fields extends Schema.Struct.Fields>(fields: Fields) =>
  Schema.Struct(fields).annotations({ message: () => "must be a JSON object" })

/**
 * @since 0.1.0
 * @category models
 */
export const CreateUser = payload({ name: Field, email: Field })

/**
 * @since 0.1.0
 * @category models
 */
export type CreateUser = typeof CreateUser.Type

/**
 * @since 0.1.0
 * @category models
 */
export const UpdateUser = payload({ name: Field, email: Field })

/**
 * @since 0.1.0
 * @category models
 */
export type UpdateUser = typeof UpdateUser.Type

/**
 * @since 0.1.0
 * @category errors
 */
export class UserNotFound extends Schema.TaggedError<UserNotFound>()(
  "UserNotFound",
  { id: Schema.String },
  HttpApiSchema.annotations({ status: 404 })
) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return `no user ${JSON.stringify(this.id)}`
  }
}
