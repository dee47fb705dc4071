/**
 * Type tests of `HttpCache`'s options: the value a cached read stores is the `schema`'s, a
 * handler's failure and requirements pass through, and a response needs the `Cache` and the
 * request. Checked by `tsc` (vitest's typecheck mode), never run.
 *
 * Left out on purpose: the error type when a `failure` is declared — such failures are answered
 * (and cached) as responses, yet the result still carries them: an over-approximation, not pinned.
 */
import type { Cache } from "@cachet/core"
import { HttpCache } from "@cachet/http"
import type { HttpApp, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Context, Effect, Schema } from "effect"
import type { Exit } from "effect"
import { describe, expectTypeOf, it } from "vitest"

const Item = Schema.Struct({ id: Schema.Number, name: Schema.String })
type Item = typeof Item.Type
class NotFound extends Schema.TaggedError<NotFound>()("NotFound", { id: Schema.Number }) {}
class Db extends Context.Tag("Db")<Db, { readonly item: (id: number) => Effect.Effect<Item, NotFound> }>() {}
class Session extends Context.Tag("Session")<Session, { readonly userId: string }>() {}

const lookup: Effect.Effect<Item, NotFound, Db> = Effect.flatMap(Db, (db) => db.item(1))
const perUser = Effect.map(Session, (session) => session.userId)

type Needs = Cache.Cache | HttpServerRequest.HttpServerRequest

describe("HttpCache.reader: the value", () => {
  it("types `tags` by the lookup's outcome and `failure` by its error", () => {
    HttpCache.reader({
      key: (id: number) => ["item", id],
      schema: Item,
      ttl: "1 minute",
      failure: { schema: NotFound, status: 404 },
      tags: (_id, exit) => {
        expectTypeOf(exit).toEqualTypeOf<Exit.Exit<Item, NotFound>>()
        return ["items"]
      }
    })
  })

  it("the lookup must produce the schema's type, and a ttl is required", () => {
    const read = HttpCache.reader({ key: (id: number) => ["item", id], schema: Item, ttl: "1 minute" })
    // @ts-expect-error the lookup returns a string, the schema says an item
    read(1, Effect.succeed("item"))
    // @ts-expect-error `ttl` is required
    HttpCache.reader({ key: (id: number) => ["item", id], schema: Item })
    const NeedsDb = Item as unknown as Schema.Schema<Item, typeof Item.Encoded, Db>
    // @ts-expect-error the schema must need nothing
    HttpCache.reader({ key: (id: number) => ["item", id], schema: NeedsDb, ttl: "1 minute" })
  })
})

describe("HttpCache.reader", () => {
  it("takes the input its options name, and the lookup's failure must be the declared one", () => {
    const read = HttpCache.reader({
      key: (id: number) => ["item", id],
      schema: Item,
      ttl: "1 minute",
      failure: { schema: NotFound, status: 404 },
      tags: (id, exit) => {
        expectTypeOf(id).toEqualTypeOf<number>()
        expectTypeOf(exit).toEqualTypeOf<Exit.Exit<Item, NotFound>>()
        return [`items/${id}`]
      }
    })
    expectTypeOf<Effect.Effect.Context<ReturnType<typeof read<NotFound, Db>>>>().toEqualTypeOf<Db | Needs>()
    // @ts-expect-error the input is a number
    read("1", lookup)
    // @ts-expect-error the lookup may fail only with the declared failure
    read(1, Effect.fail("boom"))
  })
})

describe("HttpCache.reader without a declared failure", () => {
  it("passes the lookup's failure and requirements through", () => {
    const read = HttpCache.reader({
      key: (id: number) => ["item", id],
      schema: Item,
      ttl: "1 minute",
      context: perUser
    })
    expectTypeOf(read(1, lookup)).toEqualTypeOf<
      Effect.Effect<HttpServerResponse.HttpServerResponse, NotFound, Db | Session | Needs>
    >()
  })
})

describe("HttpCache.middleware", () => {
  it("keeps the app's failure and requirements, and adds the Cache and the context key's", () => {
    const app = Effect.flatMap(Db, () => Effect.fail(new NotFound({ id: 1 }))) as HttpApp.Default<NotFound, Db>
    const cached = HttpCache.middleware({ ttl: "1 minute", context: perUser })(app)
    expectTypeOf(cached).toEqualTypeOf<HttpApp.Default<NotFound, Db | Session | Cache.Cache>>()
    // @ts-expect-error the context key must not fail
    HttpCache.middleware({ ttl: "1 minute", context: Effect.fail("no user") })
  })
})
