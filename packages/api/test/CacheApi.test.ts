import { AdminClient, CacheAdmin, CacheApi } from "@cachet/api"
import { Cache, MemoryStore } from "@cachet/core"
import { FetchHttpClient, HttpApiBuilder, HttpClient, HttpServer } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Option, Redacted } from "effect"

/**
 * The admin group served by `toWebHandler` over a given cache, and an `HttpClient` whose
 * `fetch` calls that handler (no socket).
 */
const serving = (token: Option.Option<Redacted.Redacted>) =>
  Layer.unwrapScoped(
    Effect.gen(function* () {
      const cache = yield* Cache.Cache
      const CacheGroupLive = HttpApiBuilder.group(CacheApi.AdminApi, "cache", (handlers) =>
        Effect.map(CacheAdmin.handlers, (admin) =>
          handlers
            .handle("stats", admin.stats)
            .handle("entries", admin.entries)
            .handle("entry", admin.entry)
            .handle("deleteEntry", admin.deleteEntry)
            .handle("invalidate", admin.invalidate)
            .handle("clear", admin.clear)))
      const { dispose, handler } = HttpApiBuilder.toWebHandler(
        HttpApiBuilder.api(CacheApi.AdminApi).pipe(
          Layer.provide(CacheGroupLive),
          Layer.provide(CacheAdmin.layerAuth(token)),
          Layer.provide(Layer.succeed(Cache.Cache, cache)),
          Layer.merge(HttpServer.layerContext)
        )
      )
      yield* Effect.addFinalizer(() => Effect.promise(dispose))
      const fetch: typeof globalThis.fetch = (input, init) => handler(new Request(input, init))
      return FetchHttpClient.layer.pipe(Layer.provide(Layer.succeed(FetchHttpClient.Fetch, fetch)))
    })
  ).pipe(Layer.provideMerge(Cache.layer({ namespace: "api-test" }).pipe(Layer.provide(MemoryStore.layer()))))

const client = (token?: string) => AdminClient.make({ baseUrl: "http://cachet.test", token })

describe("CacheApi (served by CacheAdmin, called by AdminClient)", () => {
  it.scoped("stats, entries, inspect, delete, invalidate and clear", () =>
    Effect.gen(function* () {
      const cache = yield* Cache.Cache
      const admin = yield* client("secret")
      yield* cache.set("user:1", { name: "Ada" }, { tags: ["users/1/profile"] })
      yield* cache.set("user:2", { name: "Alan" }, { tags: ["users/2/profile"] })
      yield* cache.getOrFetch("user:1", Effect.succeed({ name: "never" }))

      const stats = yield* admin.cache.stats()
      expect(stats).toMatchObject({ namespace: "api-test:1:", hits: 1, writes: 2, hitRatio: 1 })

      const listed = yield* admin.cache.entries({ urlParams: { prefix: "user:" } })
      expect([...listed.keys].sort()).toEqual(["user:1", "user:2"])
      expect((yield* admin.cache.entries({ urlParams: { limit: 1 } })).keys).toHaveLength(1)

      const info = yield* admin.cache.entry({ path: { key: "user:1" } })
      expect(info).toMatchObject({ key: "user:1", tags: ["users/1/profile"], state: "fresh", failed: false })
      expect(JSON.parse(info.value)).toEqual({ name: "Ada" })
      const missing = yield* Effect.flip(admin.cache.entry({ path: { key: "nope" } }))
      expect(missing._tag).toBe("EntryNotFound")

      expect(yield* admin.cache.invalidate({ payload: { tags: ["users/1"] } })).toMatchObject({ tags: ["users/1"], soft: false })
      expect((yield* admin.cache.entry({ path: { key: "user:1" } })).state).toBe("invalidated")
      expect((yield* admin.cache.invalidate({ payload: { tags: ["users/2"], soft: true } })).soft).toBe(true)
      expect((yield* admin.cache.entry({ path: { key: "user:2" } })).state).not.toBe("fresh")

      expect(yield* admin.cache.deleteEntry({ path: { key: "user:2" } })).toMatchObject({ deleted: true })
      expect(yield* admin.cache.deleteEntry({ path: { key: "user:2" } })).toMatchObject({ deleted: false })
      expect((yield* admin.cache.clear()).cleared).toBe(1)
      expect((yield* admin.cache.entries({ urlParams: {} })).keys).toEqual([])
    }).pipe(Effect.provide(serving(Option.some(Redacted.make("secret"))))))

  it.scoped("401 without the token or with a wrong one", () =>
    Effect.gen(function* () {
      for (const token of [undefined, "wrong"]) {
        const error = yield* Effect.flip((yield* client(token)).cache.stats())
        expect(error._tag).toBe("Unauthorized")
      }
      const raw = yield* HttpClient.get("http://cachet.test/cache/stats")
      expect(raw.status).toBe(401)
    }).pipe(Effect.provide(serving(Option.some(Redacted.make("secret"))))))

  it.scoped("403 for everyone when no token is configured", () =>
    Effect.gen(function* () {
      for (const token of [undefined, "anything"]) {
        const error = yield* Effect.flip((yield* client(token)).cache.clear())
        expect(error._tag).toBe("AdminDisabled")
      }
    }).pipe(Effect.provide(serving(Option.none()))))

  it("tokens compare in constant time and exactly", () => {
    const expected = Redacted.make("secret")
    expect(CacheAdmin.tokenMatches(expected, Redacted.make("secret"))).toBe(true)
    expect(CacheAdmin.tokenMatches(expected, Redacted.make("secret "))).toBe(false)
    expect(CacheAdmin.tokenMatches(expected, Redacted.make(""))).toBe(false)
  })
})
