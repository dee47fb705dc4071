/**
 * Type tests of `Cache.Service`: what `getOrFetch` and its siblings infer — the value type, the
 * error union (with and without a hard timeout), the requirements, and the shape each policy
 * gives the result. Checked by `tsc` (vitest's typecheck mode), never run.
 *
 * Left out on purpose, because today's type is not the truth (issue 21): a value without a
 * `schema` that is not JSON (a class instance, a `Date`: a hit returns its JSON), a `timeout`
 * whose type is widened to `Cache.Timeout` (its hard timeout then adds no `FetchTimeoutError`),
 * the `Exit` (and error) given to `ttl`/`tags`/`failures.when` with both `failures` and a hard
 * timeout (it may hold a `FetchTimeoutError`), `CacheOnly`'s requirements (the fetch's, though it
 * never runs), and `invalidate`/`expire`'s `StoreError` (they defer, they do not fail).
 */
import { Cache, Key, Policy } from "@cachet/core"
import type { Store, Tag, TagVersions } from "@cachet/core"
import { Context, Effect, Exit, Schema } from "effect"
import type { Layer, Option, Stream } from "effect"
import { describe, expectTypeOf, it } from "vitest"

class Db extends Context.Tag("Db")<Db, { readonly find: (id: number) => Effect.Effect<User, NotFound> }>() {}
class Session extends Context.Tag("Session")<Session, { readonly userId: string }>() {}
class NotFound extends Schema.TaggedError<NotFound>()("NotFound", { id: Schema.Number }) {}
class Gone extends Schema.TaggedError<Gone>()("Gone", { id: Schema.Number }) {}

const User = Schema.Struct({ id: Schema.Number, name: Schema.String })
type User = typeof User.Type

/** A fetch that needs `Db` and may fail with `NotFound`. */
const fetchUser: Effect.Effect<User, NotFound, Db> = Effect.flatMap(Db, (db) => db.find(1))
/** A context key part that needs `Session`. */
const perUser: Effect.Effect<Key.Part, never, Session> = Effect.map(Session, (session) => session.userId)

declare const cache: Cache.Service

describe("Cache.getOrFetch: the value", () => {
  it("is the schema's type, and the fetch must produce it", () => {
    const read = cache.getOrFetch("user:1", fetchUser, { schema: User })
    expectTypeOf(read).toEqualTypeOf<Effect.Effect<User, NotFound, Db>>()

    // A fetch of another type does not compile against the schema.
    // @ts-expect-error the fetch returns `id: string`, the schema says `id: number`
    cache.getOrFetch("user:1", Effect.succeed({ id: "1", name: "Ada" }), { schema: User })
  })

  it("is the schema's decoded type when it differs from its encoded one", () => {
    const Stamp = Schema.Struct({ at: Schema.DateFromString })
    const read = cache.getOrFetch("stamp", Effect.succeed({ at: new Date(0) }), { schema: Stamp })
    expectTypeOf<Effect.Effect.Success<typeof read>>().toEqualTypeOf<{ readonly at: Date }>()
  })

  it("is the fetch's type without a schema (for JSON values)", () => {
    const read = cache.getOrFetch("count", Effect.succeed({ count: 1, names: ["a"] }))
    expectTypeOf(read).toEqualTypeOf<Effect.Effect<{ count: number; names: Array<string> }, never, never>>()
  })

  it("types the callbacks by the value and the fetch's failure", () => {
    cache.getOrFetch("user:1", fetchUser, {
      schema: User,
      ttl: (exit) => {
        expectTypeOf(exit).toEqualTypeOf<Exit.Exit<User, NotFound>>()
        return Exit.isSuccess(exit) ? "1 hour" : "1 minute"
      },
      tags: (exit) => {
        expectTypeOf(exit).toEqualTypeOf<Exit.Exit<User, NotFound>>()
        return ["users"]
      },
      when: (value) => {
        expectTypeOf(value).toEqualTypeOf<User>()
        return value.name !== ""
      }
    })
  })
})

describe("Cache.getOrFetch: the error union", () => {
  it("is the fetch's own failure without a timeout", () => {
    const read = cache.getOrFetch("user:1", fetchUser, { schema: User })
    expectTypeOf<Effect.Effect.Error<typeof read>>().toEqualTypeOf<NotFound>()
  })

  it("adds FetchTimeoutError with a hard timeout", () => {
    const read = cache.getOrFetch("user:1", fetchUser, { schema: User, timeout: { hard: "2 seconds" } })
    expectTypeOf<Effect.Effect.Error<typeof read>>().toEqualTypeOf<NotFound | Cache.FetchTimeoutError>()

    const both = cache.getOrFetch("user:1", fetchUser, { timeout: { soft: "100 millis", hard: "2 seconds" } })
    expectTypeOf<Effect.Effect.Error<typeof both>>().toEqualTypeOf<NotFound | Cache.FetchTimeoutError>()
  })

  it("adds nothing with a soft timeout only", () => {
    const read = cache.getOrFetch("user:1", fetchUser, { schema: User, timeout: { soft: "100 millis" } })
    expectTypeOf<Effect.Effect.Error<typeof read>>().toEqualTypeOf<NotFound>()
  })

  it("is never for a fetch that cannot fail (store failures fail open)", () => {
    const read = cache.getOrFetch("count", Effect.succeed(1))
    expectTypeOf<Effect.Effect.Error<typeof read>>().toEqualTypeOf<never>()
  })

  it("keeps the failure's type when failures are cached, and their schema must match it", () => {
    const read = cache.getOrFetch("user:1", fetchUser, {
      schema: User,
      failures: {
        schema: NotFound,
        when: (error) => {
          expectTypeOf(error).toEqualTypeOf<NotFound>()
          return true
        }
      }
    })
    expectTypeOf<Effect.Effect.Error<typeof read>>().toEqualTypeOf<NotFound>()

    // @ts-expect-error the failure schema encodes `Gone`, the fetch fails with `NotFound`
    cache.getOrFetch("user:1", fetchUser, { schema: User, failures: { schema: Gone } })
  })
})

describe("Cache.getOrFetch: requirements", () => {
  it("are the fetch's", () => {
    const read = cache.getOrFetch("user:1", fetchUser, { schema: User })
    expectTypeOf<Effect.Effect.Context<typeof read>>().toEqualTypeOf<Db>()
  })

  it("add the context key's", () => {
    const read = cache.getOrFetch("user:1", fetchUser, { schema: User, context: perUser })
    expectTypeOf<Effect.Effect.Context<typeof read>>().toEqualTypeOf<Db | Session>()
  })

  it("must be provided before the read runs", () => {
    const read = cache.getOrFetch("user:1", fetchUser, { schema: User, context: perUser })
    // @ts-expect-error `Db` and `Session` are still required
    Effect.runPromise(read)
    // @ts-expect-error `Session` (the context key's) is still required
    Effect.runPromise(Effect.provideService(read, Db, { find: () => Effect.succeed({ id: 1, name: "Ada" }) }))
    Effect.runPromise(
      read.pipe(
        Effect.provideService(Db, { find: () => Effect.succeed({ id: 1, name: "Ada" }) }),
        Effect.provideService(Session, { userId: "u1" }),
        Effect.either
      )
    )
  })

  it("never come from the schema: a schema that needs a service does not compile", () => {
    const NeedsDb = User as unknown as Schema.Schema<User, typeof User.Encoded, Db>
    // @ts-expect-error the value's schema must need nothing (`R = never`)
    cache.getOrFetch("user:1", fetchUser, { schema: NeedsDb })
  })

  it("a context key that can fail does not compile", () => {
    const failing: Effect.Effect<Key.Part, NotFound> = Effect.fail(new NotFound({ id: 1 }))
    // @ts-expect-error the context key must not fail
    cache.getOrFetch("user:1", fetchUser, { context: failing })
  })
})

describe("Cache.getOrFetch: the policy shapes the result", () => {
  it("CacheOrNetwork (the default), NetworkOnly and NoCache: an Effect of the value", () => {
    expectTypeOf(cache.getOrFetch("user:1", fetchUser, { schema: User, policy: Policy.CacheOrNetwork }))
      .toEqualTypeOf<Effect.Effect<User, NotFound, Db>>()
    expectTypeOf(cache.getOrFetch("user:1", fetchUser, { schema: User, policy: "NetworkOnly" }))
      .toEqualTypeOf<Effect.Effect<User, NotFound, Db>>()
    expectTypeOf(cache.getOrFetch("user:1", fetchUser, { schema: User, policy: Policy.NoCache }))
      .toEqualTypeOf<Effect.Effect<User, NotFound, Db>>()
    expectTypeOf(cache.getOrFetch("user:1", fetchUser, { policy: "NoCache", timeout: { hard: "1 second" } }))
      .toEqualTypeOf<Effect.Effect<User, NotFound | Cache.FetchTimeoutError, Db>>()
  })

  it("CacheAndNetwork: a Stream of the cached value then the fresh one", () => {
    const read = cache.getOrFetch("user:1", fetchUser, { schema: User, policy: Policy.CacheAndNetwork })
    expectTypeOf(read).toEqualTypeOf<Stream.Stream<User, NotFound, Db>>()
    const timed = cache.getOrFetch("user:1", fetchUser, {
      policy: "CacheAndNetwork",
      timeout: { hard: "1 second" },
      context: perUser
    })
    expectTypeOf(timed).toEqualTypeOf<Stream.Stream<User, NotFound | Cache.FetchTimeoutError, Db | Session>>()
    // @ts-expect-error a Stream is not an Effect
    Effect.runPromise(read)
  })

  it("CacheOnly: an Option that never fails, whatever the fetch's failure or timeout", () => {
    const read = cache.getOrFetch("user:1", fetchUser, { schema: User, policy: Policy.CacheOnly })
    expectTypeOf<Effect.Effect.Success<typeof read>>().toEqualTypeOf<Option.Option<User>>()
    expectTypeOf<Effect.Effect.Error<typeof read>>().toEqualTypeOf<never>()
    const timed = cache.getOrFetch("user:1", fetchUser, { policy: "CacheOnly", timeout: { hard: "1 second" } })
    expectTypeOf<Effect.Effect.Error<typeof timed>>().toEqualTypeOf<never>()
  })

  it("only the five policies compile", () => {
    // @ts-expect-error not a policy
    cache.getOrFetch("user:1", fetchUser, { policy: "CacheFirst" })
  })
})

describe("Cache: the other reads and writes", () => {
  it("get and getMany: Options of the schema's type, never failing", () => {
    expectTypeOf(cache.get("user:1", { schema: User })).toEqualTypeOf<Effect.Effect<Option.Option<User>>>()
    expectTypeOf(cache.getMany(["user:1", ["user", 2]], { schema: User }))
      .toEqualTypeOf<Effect.Effect<ReadonlyArray<Option.Option<User>>>>()
    // Without a schema the caller names the type.
    expectTypeOf(cache.get<{ readonly n: number }>("n"))
      .toEqualTypeOf<Effect.Effect<Option.Option<{ readonly n: number }>>>()
  })

  it("set and setMany: the value must match the schema", () => {
    expectTypeOf(cache.set("user:1", { id: 1, name: "Ada" }, { schema: User })).toEqualTypeOf<Effect.Effect<void>>()
    // @ts-expect-error `name` is missing
    cache.set("user:1", { id: 1 }, { schema: User })
    // @ts-expect-error `id` is a number in the schema
    cache.setMany([{ key: "user:1", value: { id: "1", name: "Ada" } }], { schema: User })
  })

  it("getOrFetchMany: the values of the batched fetch, its failure and requirements", () => {
    const read = cache.getOrFetchMany(
      [1, 2, 3],
      (missing) => {
        expectTypeOf(missing).toEqualTypeOf<ReadonlyArray<number>>()
        return Effect.forEach(missing, (id) => Effect.flatMap(Db, (db) => db.find(id)))
      },
      {
        schema: User,
        key: (id) => {
          expectTypeOf(id).toEqualTypeOf<number>()
          return ["user", id]
        },
        tagsOf: (id, value) => {
          expectTypeOf(value).toEqualTypeOf<User>()
          return [`users/${id}`]
        }
      }
    )
    expectTypeOf(read).toEqualTypeOf<Effect.Effect<ReadonlyArray<User>, NotFound, Db>>()

    const names = (missing: ReadonlyArray<number>) => Effect.succeed(missing.map(String))
    // @ts-expect-error the batched fetch returns strings, the schema says users
    cache.getOrFetchMany([1], names, { schema: User, key: (id) => ["user", id] })
  })

  it("findMany: the fetch's value, both failures and both requirements", () => {
    const latest: Effect.Effect<Key.Part, Gone, Session> = Effect.as(Session, "v1")
    const read = cache.findMany("users", latest, fetchUser, { schema: User })
    expectTypeOf(read).toEqualTypeOf<Effect.Effect<User, NotFound | Gone, Db | Session>>()
  })

  it("invalidate and expire take tags, tag strings or lists of them", () => {
    expectTypeOf(cache.invalidate).parameter(0).toEqualTypeOf<Tag.Input>()
    expectTypeOf(cache.expire).parameter(0).toEqualTypeOf<Tag.Input>()
    // @ts-expect-error a number is not a tag
    cache.invalidate(1)
  })

  it("the layer needs a Store and TagVersions", () => {
    expectTypeOf(Cache.layer()).toEqualTypeOf<Layer.Layer<Cache.Cache, never, Store.Store | TagVersions.TagVersions>>()
  })
})
