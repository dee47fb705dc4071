/**
 * Grace backoff on real Redis: with the origin down, an entry in grace is refreshed once; the
 * reads that follow within `graceBackoff` are served the stale value from Redis without calling
 * the origin, counted as stale-if-error, and the failure is logged once.
 */
import { Cache } from "@cachet/core"
import { Servers } from "@cachet/core/testing"
import { describe, expect, it } from "@effect/vitest"
import { Context, Data, Effect, Layer, Logger, LogLevel, Queue, Ref } from "effect"

import { RedisStore } from "../src/index.js"

const skip = Servers.skipReason("redis")

class OriginDown extends Data.TaggedError("OriginDown")<{}> {}

describe.skipIf(skip !== undefined)("Redis: grace backoff", () => {
  it.live("20 stale reads with the origin down call it once, and warn once", () =>
    Effect.gen(function*() {
      const server = yield* Servers.redis
      const warnings = yield* Queue.unbounded<string>()
      const logger = Logger.make(({ logLevel, message }) => {
        if (logLevel._tag !== "Warning") return
        Queue.unsafeOffer(warnings, Array.isArray(message) ? message.join(" ") : String(message))
      })
      const layer = Cache.layer({ namespace: "grace-backoff", grace: "1 hour", graceBackoff: "1 minute" }).pipe(
        Layer.provide(RedisStore.layer({ url: server.url })),
        Layer.provide(Logger.replace(Logger.defaultLogger, logger))
      )
      const cache = Context.get(yield* Layer.build(layer), Cache.Cache)
      const down = yield* Ref.make(false)
      const calls = yield* Ref.make(0)
      const origin = Effect.flatMap(Ref.updateAndGet(calls, (n) => n + 1), (n) =>
        Effect.flatMap(Ref.get(down), (isDown) => (isDown ? Effect.fail(new OriginDown()) : Effect.succeed(`v${n}`))))
      const read = cache.getOrFetch("post:7", origin, { tags: "posts/7" })

      expect(yield* read).toBe("v1")
      yield* Ref.set(down, true)
      // Soft expiry: the entry is stale (in grace) at once.
      yield* cache.expire("posts/7")
      expect(yield* read).toBe("v1")
      expect(yield* Queue.take(warnings)).toContain("background refresh of")
      for (let i = 0; i < 19; i++) {
        expect(yield* read).toBe("v1")
      }
      expect(yield* Ref.get(calls)).toBe(2)
      expect(yield* Queue.size(warnings)).toBe(0)
      expect(yield* cache.stats).toMatchObject({ staleHits: 20, staleIfError: 20, backgroundRefreshes: 1 })
    }).pipe(Effect.scoped, Effect.provide(Logger.minimumLogLevel(LogLevel.Warning))), 30_000)
})
