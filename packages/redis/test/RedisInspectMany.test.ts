/**
 * `Cache.inspectMany` on real Redis (what the admin search reads entries with): one `MGET` for
 * the keys and one read of their tags' versions give what `inspect` gives key by key, states
 * after invalidations included.
 */
import { Cache } from "@cachet/core"
import { Servers } from "@cachet/core/testing"
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
})
