import { AdminClient, CacheAdmin, CacheApi } from "@cachet/api"
import * as CacheGraph from "@cachet/api/CacheGraph"
import { Cache, MemoryStore, Store, TagVersions } from "@cachet/core"
import { FaultyStore } from "@cachet/core/testing"
import { EntityGraph, Normalize } from "@cachet/normalize"
import {
  FetchHttpClient,
  HttpApi,
  HttpApiBuilder,
  HttpApiClient,
  HttpClient,
  HttpClientRequest,
  HttpServer
} from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Context, Effect, Fiber, Layer, Option, Redacted, Schema, Stream, TestClock } from "effect"

/**
 * The admin group served by `toWebHandler` over a given cache, and an `HttpClient` whose
 * `fetch` calls that handler (no socket).
 */
class TestApi extends HttpApi.make("cachet-admin").add(CacheApi.CacheApi).add(CacheGraph.CacheGraphApi) {}

const memoryCache: Layer.Layer<Cache.Cache> = Cache.layer({ namespace: "api-test" }).pipe(
  Layer.provide(MemoryStore.layer())
)

/** The memory store as a store that cannot list entries (what the browse falls back from). */
const withoutListing = <E, R>(
  base: Layer.Layer<Store.Store | TagVersions.TagVersions, E, R>
): Layer.Layer<Store.Store | TagVersions.TagVersions, E, R> =>
  Layer.effectContext(
    Effect.gen(function*() {
      const { listEntries: _, ...store } = yield* Store.Store
      return Context.make(Store.Store, store).pipe(
        Context.add(TagVersions.TagVersions, yield* TagVersions.TagVersions)
      )
    })
  ).pipe(Layer.provide(base))

const servingOver = <ROut>(
  base: Layer.Layer<ROut>,
  token: Option.Option<Redacted.Redacted>,
  graph?: EntityGraph.Service
) =>
  Layer.unwrapScoped(
    Effect.gen(function*() {
      const cache = yield* Cache.Cache
      const CacheGroupLive = HttpApiBuilder.group(TestApi, "cache", (handlers) =>
        Effect.map(CacheAdmin.handlers, (admin) =>
          handlers
            .handle("stats", admin.stats)
            .handle("entries", admin.entries)
            .handle("entry", admin.entry)
            .handle("deleteEntry", admin.deleteEntry)
            .handle("invalidate", admin.invalidate)
            .handle("clear", admin.clear)
            .handle("search", admin.search)
            .handle("tags", admin.tags)
            .handleRaw("events", admin.events)))
      const GraphGroupLive = HttpApiBuilder.group(TestApi, "cacheGraph", (handlers) =>
        Effect.map(CacheGraph.handlers, (graph) =>
          handlers.handle("graph", graph.graph).handle("graphEntity", graph.graphEntity)))
      const { dispose, handler } = HttpApiBuilder.toWebHandler(
        HttpApiBuilder.api(TestApi).pipe(
          Layer.provide(CacheGroupLive),
          Layer.provide(GraphGroupLive),
          Layer.provide(CacheAdmin.layerAuth(token)),
          Layer.provide(Layer.succeed(Cache.Cache, cache)),
          Layer.provide(graph === undefined ? Layer.empty : Layer.succeed(EntityGraph.EntityGraph, graph)),
          Layer.merge(HttpServer.layerContext)
        )
      )
      yield* Effect.addFinalizer(() =>
        Effect.promise(dispose)
      )
      const fetch: typeof globalThis.fetch = (input, init) =>
        handler(new Request(input, init))
      return FetchHttpClient.layer.pipe(Layer.provide(Layer.succeed(FetchHttpClient.Fetch, fetch)))
    })
  ).pipe(Layer.provideMerge(base))

const serving = (token: Option.Option<Redacted.Redacted>, graph?: EntityGraph.Service) =>
  servingOver(memoryCache, token, graph)

const client = (token?: string) => AdminClient.make({ baseUrl: "http://cachet.test", token })

/** A client of the admin group with the optional graph group. */
const graphClient = (token: string) =>
  HttpApiClient.make(TestApi, {
    baseUrl: "http://cachet.test",
    transformClient: HttpClient.mapRequest(HttpClientRequest.bearerToken(token))
  })

describe("CacheApi (served by CacheAdmin, called by AdminClient)", () => {
  it.scoped("stats, entries, inspect, delete, invalidate and clear", () =>
    Effect.gen(function*() {
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

      expect(yield* admin.cache.invalidate({ payload: { tags: ["users/1"] } })).toMatchObject({
        tags: ["users/1"],
        soft: false
      })
      expect((yield* admin.cache.entry({ path: { key: "user:1" } })).state).toBe("invalidated")
      expect((yield* admin.cache.invalidate({ payload: { tags: ["users/2"], soft: true } })).soft).toBe(true)
      expect((yield* admin.cache.entry({ path: { key: "user:2" } })).state).not.toBe("fresh")

      expect(yield* admin.cache.deleteEntry({ path: { key: "user:2" } })).toMatchObject({ deleted: true })
      expect(yield* admin.cache.deleteEntry({ path: { key: "user:2" } })).toMatchObject({ deleted: false })
      expect((yield* admin.cache.clear()).cleared).toBe(1)
      expect((yield* admin.cache.entries({ urlParams: {} })).keys).toEqual([])
    }).pipe(Effect.provide(serving(Option.some(Redacted.make("secret"))))))

  it.scoped("401 without the token or with a wrong one", () =>
    Effect.gen(function*() {
      for (const token of [undefined, "wrong"]) {
        const error = yield* Effect.flip((yield* client(token)).cache.stats())
        expect(error._tag).toBe("Unauthorized")
      }
      const raw = yield* HttpClient.get("http://cachet.test/cache/stats")
      expect(raw.status).toBe(401)
    }).pipe(Effect.provide(serving(Option.some(Redacted.make("secret"))))))

  it.scoped("403 for everyone when no token is configured", () =>
    Effect.gen(function*() {
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

  it.scoped("search by prefix and tag (descendants included), most recent first, paged", () =>
    Effect.gen(function*() {
      const cache = yield* Cache.Cache
      const admin = yield* client("secret")
      yield* cache.set("user:1", { name: "Ada" }, { tags: ["users/1/profile"] })
      yield* cache.set("user:2", { name: "Alan" }, { tags: ["users/2/profile"] })
      yield* cache.set("post:1", { title: "Hi" }, { tags: ["posts/1", "users/1"] })

      const byTag = yield* admin.cache.search({ urlParams: { tag: "users/1" } })
      expect(byTag.entries.map((entry) => entry.key).sort()).toEqual(["post:1", "user:1"])
      expect(byTag).toMatchObject({ total: 2, listing: { listable: true, truncated: false, scanned: 3 } })
      expect(byTag.entries[0]).toMatchObject({ state: "fresh", failed: false })

      const byPrefix = yield* admin.cache.search({ urlParams: { prefix: "user:", tag: "users" } })
      expect(byPrefix.entries.map((entry) => entry.key).sort()).toEqual(["user:1", "user:2"])
      const page = yield* admin.cache.search({ urlParams: { offset: 1, limit: 1 } })
      expect(page).toMatchObject({ total: 3, offset: 1 })
      expect(page.entries).toHaveLength(1)

      yield* admin.cache.invalidate({ payload: { tags: ["users/1"], soft: true } })
      const expired = yield* admin.cache.search({ urlParams: { tag: "users/1" } })
      expect(expired.entries.map((entry) => entry.state)).not.toContain("fresh")
    }).pipe(Effect.provide(serving(Option.some(Redacted.make("secret"))))))

  it.scoped("past 5,000 keys a listing through listEntries says it is truncated and counts 5,000", () =>
    Effect.gen(function*() {
      const cache = yield* Cache.Cache
      yield* cache.setMany(Array.from({ length: 5_010 }, (_, i) => ({ key: `k:${i}`, value: i })))
      const admin = yield* client("secret")
      const page = yield* admin.cache.search({ urlParams: { limit: 1 } })
      expect(page.listing).toMatchObject({ listable: true, scanned: 5_000, truncated: true })
      expect(page.total).toBeGreaterThanOrEqual(5_000)
      expect(page.total).toBeLessThanOrEqual(5_001)
      const small = yield* admin.cache.search({ urlParams: { prefix: "k:500" } })
      expect(small.listing).toMatchObject({ scanned: 11, truncated: false })
    }).pipe(Effect.provide(serving(Option.some(Redacted.make("secret"))))))

  it.scoped("with Store.listEntries, search reads keys and entries in one store call, not one key at a time", () =>
    Effect.gen(function*() {
      const cache = yield* Cache.Cache
      const faults = yield* FaultyStore.FaultControl
      const entries = Array.from({ length: 2_500 }, (_, i) => ({
        key: `post:${i}`,
        value: { id: i },
        tags: [`posts/${i % 50}`]
      }))
      yield* cache.setMany(entries)
      yield* cache.invalidate("posts/7")
      const admin = yield* graphClient("secret")
      faults.calls.clear()

      const byTag = yield* admin.cache.search({ urlParams: { tag: "posts/7", limit: 100 } })
      expect(byTag.total).toBe(50)
      expect(byTag.entries.map((entry) => entry.state)).toEqual(Array.from({ length: 50 }, () => "invalidated"))
      expect(byTag.listing).toMatchObject({ listable: true, scanned: 2_500, truncated: false })
      const byPrefix = yield* admin.cache.search({ urlParams: { prefix: "post:12", limit: 1000 } })
      // post:12 and post:120..129 and post:1200..1299
      expect(byPrefix.total).toBe(111)
      expect(byPrefix.entries.filter((entry) => entry.state === "fresh")).toHaveLength(109)
      expect(new Set(byPrefix.entries.map((entry) => entry.key)).size).toBe(111)

      expect(faults.calls.get("get") ?? 0).toBe(0)
      expect(faults.calls.get("getMany") ?? 0).toBe(0)
      expect(faults.calls.get("keys") ?? 0).toBe(0)
      // One listing per search; one read of the listed entries' tag versions each.
      expect(faults.calls.get("listEntries")).toBe(2)
      expect(faults.calls.get("versions")).toBe(2)
    }).pipe(
      Effect.provide(
        servingOver(
          Layer.provideMerge(Cache.layer({ namespace: "batched-test" }), FaultyStore.layer(MemoryStore.layer())),
          Option.some(Redacted.make("secret"))
        )
      )
    ))

  it.scoped("without Store.listEntries, search reads the entries in batches (a store read per 1,000 keys)", () =>
    Effect.gen(function*() {
      const cache = yield* Cache.Cache
      const faults = yield* FaultyStore.FaultControl
      const entries = Array.from({ length: 2_500 }, (_, i) => ({
        key: `post:${i}`,
        value: { id: i },
        tags: [`posts/${i % 50}`]
      }))
      yield* cache.setMany(entries)
      yield* cache.invalidate("posts/7")
      const admin = yield* graphClient("secret")
      faults.calls.clear()

      const byTag = yield* admin.cache.search({ urlParams: { tag: "posts/7", limit: 100 } })
      expect(byTag.total).toBe(50)
      expect(byTag.entries.map((entry) => entry.state)).toEqual(Array.from({ length: 50 }, () => "invalidated"))
      expect(byTag.listing).toMatchObject({ listable: true, scanned: 2_500, truncated: false })
      const byPrefix = yield* admin.cache.search({ urlParams: { prefix: "post:12", limit: 1000 } })
      // post:12 and post:120..129 and post:1200..1299
      expect(byPrefix.total).toBe(111)
      expect(byPrefix.entries.filter((entry) => entry.state === "fresh")).toHaveLength(109)
      expect(new Set(byPrefix.entries.map((entry) => entry.key)).size).toBe(111)

      expect(faults.calls.get("get") ?? 0).toBe(0)
      // 3 batches for the tag search, 1 for the prefix's 111 keys.
      expect(faults.calls.get("getMany")).toBe(4)
    }).pipe(
      Effect.provide(
        servingOver(
          Layer.provideMerge(
            Cache.layer({ namespace: "batched-test" }),
            FaultyStore.layer(withoutListing(MemoryStore.layer()))
          ),
          Option.some(Redacted.make("secret"))
        )
      )
    ))

  it.scoped("the tag tree counts the entries an invalidation of each path covers", () =>
    Effect.gen(function*() {
      const cache = yield* Cache.Cache
      const admin = yield* client("secret")
      yield* cache.set("user:1", 1, { tags: ["users/1/profile"] })
      yield* cache.set("user:2", 2, { tags: ["users/2/profile"] })
      yield* cache.set("post:1", 3, { tags: ["posts/1", "users/1"] })
      const tree = yield* admin.cache.tags()
      expect(tree.tags.map((node) => [node.tag, node.entries])).toEqual([
        ["posts", 1],
        ["posts/1", 1],
        ["users", 3],
        ["users/1", 2],
        ["users/1/profile", 1],
        ["users/2", 1],
        ["users/2/profile", 1]
      ])
    }).pipe(Effect.provide(serving(Option.some(Redacted.make("secret"))))))

  it.scoped("the event stream opens, then carries an invalidation as it happens", () =>
    Effect.gen(function*() {
      const cache = yield* Cache.Cache
      const response = yield* HttpClient.get("http://cachet.test/cache/events", {
        headers: { authorization: "Bearer secret" }
      })
      expect(response.headers["content-type"]).toContain("text/event-stream")
      const lines = response.stream.pipe(
        Stream.decodeText(),
        Stream.splitLines,
        Stream.filter((line) => line.startsWith("event: "))
      )
      const seen = yield* lines.pipe(
        Stream.tap((line) => line === "event: open" ? cache.invalidate(["users/9"]) : Effect.void),
        Stream.filter((line) => line !== "event: tick"),
        Stream.take(2),
        Stream.runCollect
      )
      expect(Chunk.toReadonlyArray(seen)).toEqual(["event: open", "event: invalidation"])
    }).pipe(Effect.provide(serving(Option.some(Redacted.make("secret"))))))

  it.scoped("without an EntityGraph the graph is reported unavailable", () =>
    Effect.gen(function*() {
      const admin = yield* graphClient("secret")
      expect(yield* admin.cacheGraph.graph()).toMatchObject({ available: false, roots: [], types: [] })
      expect((yield* Effect.flip(admin.cacheGraph.graphEntity({ path: { key: "User:1" } })))._tag).toBe(
        "EntityNotFound"
      )
    }).pipe(Effect.provide(serving(Option.some(Redacted.make("secret"))))))

  it.scoped("the graph: entities by type, one entity's records and links, the root queries reaching it", () =>
    Effect.gen(function*() {
      const Author = Normalize.entity(Schema.Struct({ id: Schema.String, name: Schema.String }), { typename: "Author" })
      const Post = Normalize.entity(Schema.Struct({ id: Schema.String, title: Schema.String, author: Author }), {
        typename: "Post"
      })
      const graph = yield* EntityGraph.make()
      const ada = { id: "a1", name: "Ada" }
      yield* graph.writeQuery("posts", { skip: 0 }, Schema.Array(Post), [{ id: "p1", title: "One", author: ada }])
      yield* graph.writeQuery("post", { id: "p2" }, Post, { id: "p2", title: "Two", author: ada })
      yield* Effect.gen(function*() {
        const admin = yield* graphClient("secret")
        const summary = yield* admin.cacheGraph.graph()
        expect(summary.available).toBe(true)
        expect([...summary.roots].sort()).toEqual(["post({\"id\":\"p2\"})", "posts({\"skip\":0})"])
        expect(summary.types.map((type) => [type.typename, type.keys])).toEqual([
          ["Author", ["Author:a1"]],
          ["Post", ["Post:p1", "Post:p2"]]
        ])
        const author = yield* admin.cacheGraph.graphEntity({ path: { key: "Author:a1" } })
        expect(author.reachedBy).toEqual(["post({\"id\":\"p2\"})", "posts({\"skip\":0})"])
        expect(author.fields.find((field) => field.fieldKey === "name")).toMatchObject({
          kind: "record",
          value: "\"Ada\""
        })
        const post = yield* admin.cacheGraph.graphEntity({ path: { key: "Post:p1" } })
        expect(post.fields.find((field) => field.fieldKey === "author")).toMatchObject({
          kind: "link",
          value: "\"Author:a1\""
        })
        expect(post.reachedBy).toEqual(["posts({\"skip\":0})"])
      }).pipe(Effect.provide(serving(Option.some(Redacted.make("secret")), graph)))
    }).pipe(Effect.provide(Cache.layer({ namespace: "graph-test" }).pipe(Layer.provide(MemoryStore.layer())))))

  it.scoped("a store that cannot list its keys is reported as such, not as an empty namespace", () =>
    Effect.gen(function*() {
      const cache = yield* Cache.Cache
      const faults = yield* FaultyStore.FaultControl
      yield* cache.set("user:1", 1, { tags: ["users/1"] })
      const admin = yield* graphClient("secret")
      expect((yield* admin.cache.search({ urlParams: {} })).listing).toMatchObject({ listable: true, scanned: 1 })
      faults.failing = true
      const page = yield* admin.cache.search({ urlParams: {} })
      expect(page.listing.listable).toBe(false)
      expect(page.listing.reason).toContain("failed to list")
      expect((yield* admin.cache.tags()).listing.listable).toBe(false)
    }).pipe(
      Effect.provide(
        servingOver(
          Layer.provideMerge(Cache.layer({ namespace: "faulty-test" }), FaultyStore.layer(MemoryStore.layer())),
          Option.some(Redacted.make("secret"))
        )
      )
    ))

  it.scoped("each second a tick carries the counters' deltas, and fetch failures get their own event", () =>
    Effect.gen(function*() {
      const cache = yield* Cache.Cache
      const events = yield* CacheAdmin.subscribeEvents(cache)
      const collected = yield* events.pipe(
        Stream.takeUntil((event) => event._tag === "fetchFailures"),
        Stream.runCollect,
        Effect.fork
      )
      yield* cache.set("a", 1)
      yield* cache.getOrFetch("a", Effect.succeed(0))
      yield* cache.getOrFetch("b", Effect.succeed(2))
      yield* Effect.flip(cache.getOrFetch("c", Effect.fail("boom")))
      yield* cache.expire(["users/1"])
      // The ticker has registered its sleep (a wait on the TestClock's state, not a counted yield).
      yield* Effect.repeat(TestClock.sleeps(), { until: (sleeps) => Chunk.size(sleeps) > 0 })
      yield* TestClock.adjust("1 second")
      const [expiry, tick, failures, ...rest] = Chunk.toReadonlyArray(yield* Fiber.join(collected)).filter((event) =>
        event._tag !== "tick" || event.hits + event.misses > 0
      )
      expect(expiry).toMatchObject({ _tag: "invalidation", tags: ["users/1"], mode: "soft" })
      expect(tick).toMatchObject({
        _tag: "tick",
        hits: 1,
        misses: 2,
        staleHits: 0,
        fetchFailures: 1,
        breaker: "closed",
        hitRatio: 1 / 3,
        totals: { hits: 1, misses: 2, fetchFailures: 1, writes: 2, expirations: 1 }
      })
      expect(failures).toMatchObject({ _tag: "fetchFailures", count: 1 })
      expect(rest).toEqual([])
    }).pipe(Effect.provide(memoryCache)))
})
