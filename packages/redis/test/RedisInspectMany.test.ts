/**
 * `Cache.inspectMany` on real Redis (what the admin search reads entries with): one `MGET` for
 * the keys and one read of their tags' versions give what `inspect` gives key by key, states
 * after invalidations included.
 */
import { Cache } from "@cachet/core"
import { FaultyStore, Servers } from "@cachet/core/testing"
import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Layer, Logger, LogLevel, Option } from "effect"

import { RedisStore } from "../src/index.js"

const skip = Servers.skipReason("redis")

describe.skipIf(skip !== undefined)("Redis: inspectMany", () => {
  it.live(
    "1,000 entries in one call match inspect's answers, invalidated and missing ones included",
    () =>
      Effect.gen(function*() {
        const server = yield* Servers.redis
        const layer = Cache.layer({ namespace: "inspect-many" }).pipe(
          Layer.provide(RedisStore.layer({ url: server.url }))
        )
        const cache = Context.get(yield* Layer.build(layer), Cache.Cache)
        yield* cache.setMany(
          Array.from({ length: 1_000 }, (_, i) => ({ key: `post:${i}`, value: { id: i }, tags: [`posts/${i % 10}`] }))
        )
        yield* cache.invalidate("posts/3")
        yield* cache.expire("posts/4")
        const keys = [...Array.from({ length: 1_000 }, (_, i) => `post:${i}`), "post:missing"]
        const many = yield* cache.inspectMany(keys)
        expect(many).toHaveLength(1_001)
        const states = new Map<string, number>()
        for (const info of many) {
          const state = Option.match(info, { onNone: () => "none", onSome: (info) => info.state })
          states.set(state, (states.get(state) ?? 0) + 1)
        }
        expect(Object.fromEntries(states)).toEqual({ fresh: 800, invalidated: 100, stale: 100, none: 1 })
        expect(Option.map(many[13]!, (info) => [info.key, info.tags, info.state])).toEqual(
          Option.some(["post:13", ["posts/3"], "invalidated"])
        )
        const one = yield* Effect.forEach(["post:0", "post:13", "post:14", "post:missing"], (key) => cache.inspect(key))
        const picked = [many[0], many[13], many[14], many[1_000]].map((info) =>
          Option.map(info!, ({ ageMillis: _, ...rest }) => rest)
        )
        expect(picked).toEqual(one.map((info) => Option.map(info, ({ ageMillis: _, ...rest }) => rest)))
      }).pipe(Effect.scoped, Effect.provide(Logger.minimumLogLevel(LogLevel.Warning))),
    30_000
  )

  it.live(
    "inspectListing reads 2,500 entries in one listEntries call and agrees with keys + inspectMany",
    () =>
      Effect.gen(function*() {
        const server = yield* Servers.redis
        const layer = Cache.layer({ namespace: "inspect-listing" }).pipe(
          Layer.provideMerge(FaultyStore.layer(RedisStore.layer({ url: server.url })))
        )
        const context = yield* Layer.build(layer)
        const cache = Context.get(context, Cache.Cache)
        const faults = Context.get(context, FaultyStore.FaultControl)
        yield* cache.setMany(
          Array.from({ length: 2_500 }, (_, i) => ({ key: `post:${i}`, value: { id: i }, tags: [`posts/${i % 50}`] }))
        )
        yield* cache.invalidate("posts/7")
        faults.calls.clear()
        const listed = Option.getOrThrow(yield* cache.inspectListing({ limit: 5_000 }))
        const byTag = Option.getOrThrow(yield* cache.inspectListing({ prefix: "post:", limit: 5_000, tag: "posts/7" }))
        const few = Option.getOrThrow(yield* cache.inspectListing({ limit: 1_200 }))
        expect(faults.calls.get("listEntries")).toBe(3)
        expect(faults.calls.get("getMany") ?? 0).toBe(0)
        expect(faults.calls.get("keys") ?? 0).toBe(0)

        const keys = yield* cache.keys({ limit: 5_000 })
        const many = (yield* cache.inspectMany(keys)).flatMap((info) => Option.isSome(info) ? [info.value] : [])
        const comparable = (infos: ReadonlyArray<Cache.EntryInfo>) =>
          infos.map(({ ageMillis: _, ...rest }) => rest).sort((a, b) => (a.key < b.key ? -1 : 1))
        expect(listed.scanned).toBe(2_500)
        expect(comparable(listed.entries)).toEqual(comparable(many))
        expect(byTag.scanned).toBe(2_500)
        expect(comparable(byTag.entries)).toEqual(comparable(many.filter((info) => info.tags[0] === "posts/7")))
        expect(byTag.entries.map((info) => info.state)).toEqual(Array.from({ length: 50 }, () => "invalidated"))
        expect([few.scanned, few.entries.length]).toEqual([1_200, 1_200])
      }).pipe(Effect.scoped, Effect.provide(Logger.minimumLogLevel(LogLevel.Warning))),
    30_000
  )
})
