/**
 * Users: reads (a user, their posts), validated writes, and the narrowest invalidation after each
 * write. The reads return domain values; which are cached is the HTTP layer's (`CachedEndpoints`).
 *
 * @since 0.1.0
 */
import { Validate } from "@cachet/validate"
import * as Uniqueness from "@cachet/validate/Uniqueness"
import { SqlClient } from "@effect/sql"
import { SqlError } from "@effect/sql/SqlError"
import { DateTime, Effect, Option } from "effect"

import { BlogCache, invalidate, tags } from "./BlogCache.js"
import { canonicalize, UserId } from "./Domain/Ids.js"
import type { PostSummary } from "./Domain/Post.js"
import * as Text from "./Domain/Text.js"
import type { CreateUser, UpdateUser, User } from "./Domain/User.js"
import { UserNotFound } from "./Domain/User.js"
import { toValidationFailed } from "./Domain/Validation.js"
import { PostsRepo } from "./Posts/Repo.js"
import { UsersRepo } from "./Users/Repo.js"

/**
 * The current time as stored in the database.
 *
 * @since 0.1.0
 * @category utils
 */
export const nowIso: Effect.Effect<string> = Effect.map(DateTime.now, DateTime.formatIso)

/**
 * The rules of a user's name.
 *
 * @since 0.1.0
 * @category validations
 */
export const validateName = (name: unknown) =>
  Validate.validate(name, "name", {
    presence: true,
    length: { min: 2, max: 255 },
    exclusion: { in: ["Admin", "Owner"], caseSensitive: false }
  })

/**
 * The rules of an email: present, well formed, and not taken by another user (`self`).
 *
 * @since 0.1.0
 * @category validations
 */
export const validateEmail = (email: unknown, self?: UserId) =>
  Validate.validate(email, "email", { presence: true, length: { max: 255 }, email: true }).pipe(
    Effect.zipRight(
      Uniqueness.validateUniqueness("users", { email: email as string, ...selfOf(self) }, () => Effect.void)
    )
  )

/**
 * A user payload as it is validated and stored: names trimmed (NFC), emails trimmed and
 * lower-cased.
 *
 * @since 0.1.0
 * @category normalization
 */
export const normalize = <A extends CreateUser | UpdateUser>(input: A): A =>
  Text.fields(input, { name: Text.text, email: Text.email })

const selfOf = (self: UserId | undefined) => (self === undefined ? {} : { $self: { id: Number(self) } })

/**
 * @since 0.1.0
 * @category services
 */
export class Users extends Effect.Service<Users>()("Blog/Users", {
  effect: Effect.gen(function*() {
    const repo = yield* UsersRepo
    const posts = yield* PostsRepo
    const blog = yield* BlogCache
    const sql = yield* SqlClient.SqlClient

    const withId = <A, E, R>(id: string, f: (id: UserId) => Effect.Effect<A, E, R>) =>
      // On every cached read: no closures built for the match.
      Option.isSome(canonicalize(id)) ? f(UserId.make(id)) : Effect.fail(new UserNotFound({ id }))

    const existing = (id: UserId) =>
      Effect.flatMap(
        repo.findById(id),
        Option.match({
          onNone: () => Effect.fail(new UserNotFound({ id })),
          onSome: Effect.succeed
        })
      )

    /** A unique-index violation was mapped to a validation error; any other database error is a defect. */
    const orDieSql = <A, E, R>(effect: Effect.Effect<A, E | SqlError | Uniqueness.InvalidUniquenessCheck, R>) =>
      Effect.catchIf(
        effect,
        (error): error is SqlError | Uniqueness.InvalidUniquenessCheck =>
          error instanceof SqlError || error instanceof Uniqueness.InvalidUniquenessCheck,
        Effect.die
      ) as Effect.Effect<A, Exclude<E, SqlError | Uniqueness.InvalidUniquenessCheck>, R>

    return {
      /** A user. */
      get: (id: string): Effect.Effect<User, UserNotFound> => withId(id, existing),
      /** A user's posts, newest first. */
      posts: (id: string): Effect.Effect<ReadonlyArray<PostSummary>, UserNotFound> =>
        withId(id, (id) => Effect.zipRight(existing(id), posts.findByUser(id))),

      create: (raw: CreateUser) =>
        Effect.gen(function*() {
          const input = normalize(raw)
          yield* Validate.validateAll([validateName(input.name), validateEmail(input.email)])
          const now = yield* nowIso
          const fields = { name: input.name!, email: input.email! }
          const user = yield* Uniqueness.validateUniqueness("users", { email: fields.email }, () =>
            repo.insert({ ...fields, now }))
          // Nothing shows a user before they exist, except a cached 404 for their id.
          yield* invalidate(tags.User(user.id))
          return user
        }).pipe(
          toValidationFailed,
          orDieSql,
          Effect.provideService(BlogCache, blog),
          Effect.provideService(SqlClient.SqlClient, sql),
          Effect.withSpan("Users.create")
        ),

      update: (id: string, raw: UpdateUser) =>
        withId(id, (id) =>
          Effect.gen(function*() {
            const input = normalize(raw)
            const current = yield* existing(id)
            yield* Validate.validateAll([
              ...(input.name !== undefined ? [validateName(input.name)] : []),
              ...(input.email !== undefined ? [validateEmail(input.email, id)] : [])
            ])
            const fields = {
              ...(input.name != null ? { name: input.name } : {}),
              ...(input.email != null ? { email: input.email } : {})
            }
            if (Object.keys(fields).length === 0) return current
            const now = yield* nowIso
            const updated = yield* Uniqueness.validateUniqueness(
              "users",
              { email: fields.email ?? current.email, $self: { id: Number(id) } },
              () => repo.update(id, fields, now)
            )
            if (Option.isNone(updated)) return yield* new UserNotFound({ id })
            // Their profile and the posts that show their name; not their lists.
            yield* invalidate(tags.User(id).$fields)
            return updated.value
          })).pipe(
            toValidationFailed,
            orDieSql,
            Effect.provideService(BlogCache, blog),
            Effect.provideService(SqlClient.SqlClient, sql),
            Effect.withSpan("Users.update")
          ),

      remove: (id: string) =>
        withId(id, (id) =>
          Effect.gen(function*() {
            const { authored, commented } = yield* sql.withTransaction(Effect.gen(function*() {
              yield* existing(id)
              const authored = yield* repo.authoredPosts(id)
              const commented = yield* repo.commentedPosts(id)
              yield* repo.delete(id)
              return { authored, commented }
            })).pipe(Effect.catchTag("SqlError", Effect.die))
            // Everything under the user (profile, lists), their posts and those posts' comments
            // (wherever listed), and the comment lists of other users' posts they had commented on.
            yield* invalidate([
              tags.User(id),
              ...authored.map((postId) => tags.Post(postId)),
              ...commented.map(({ postId }) => tags.Post(postId).comments)
            ])
          })).pipe(
            Effect.provideService(BlogCache, blog),
            Effect.withSpan("Users.remove")
          )
    } as const
  }),
  dependencies: [UsersRepo.Default, PostsRepo.Default]
}) {}
