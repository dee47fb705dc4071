/**
 * A memcached that is down: the cache's warning names the real cause (`ECONNREFUSED
 * 127.0.0.1:<port>`), once however many reads fail.
 */
import { Cache } from "@cachet/core"
import { Servers } from "@cachet/core/testing"
import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Layer, Logger, LogLevel } from "effect"

import { MemcachedStore } from "../src/index.js"

const skip = Servers.skipReason("memcached")

describe.skipIf(skip !== undefined)("memcached connection errors in the logs (real memcached)", () => {
  it.live("the cause is ECONNREFUSED host:port, logged once however many reads fail", () =>
    Effect.gen(function*() {
      const server = yield* Servers.memcached
      yield* server.stop
      const lines: Array<string> = []
      const logger = Logger.map(Logger.logfmtLogger, (line) => {
        lines.push(line)
      })
      yield* Effect.gen(function*() {
        const context = yield* Layer.build(
          Cache.layer({ breakerThreshold: 1_000 }).pipe(Layer.provide(MemcachedStore.layer({ servers: server.url })))
        )
        const cache = Context.get(context, Cache.Cache)
        for (let i = 0; i < 20; i++) expect(yield* cache.getOrFetch(`k${i}`, Effect.succeed(i))).toBe(i)
      }).pipe(
        Effect.scoped,
        Effect.provide(Logger.replace(Logger.defaultLogger, logger)),
        Logger.withMinimumLogLevel(LogLevel.Info)
      )
      const warnings = lines.filter((line) => /level=(WARN|ERROR)/.test(line))
      expect(warnings.join("\n")).toContain(`ECONNREFUSED 127.0.0.1:${server.port}`)
      expect(warnings.length).toBeLessThanOrEqual(2)
    }).pipe(Effect.scoped), 30_000)
})
