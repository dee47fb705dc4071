/**
 * Store connection errors in the logs: their real cause (`ECONNREFUSED 127.0.0.1:<port>`, not
 * `UnknownException { error: {} }`), once per state change rather than once per call.
 */
import { Cache } from "@cachet/core"
import { Servers } from "@cachet/core/testing"
import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Layer, Logger, LogLevel } from "effect"

import { RedisStore } from "../src/index.js"

const skip = Servers.skipReason("redis")

/** Every log line at Info and above, as the app prints it (logfmt), written while the layer is in place. */
const captured = () => {
  const lines: Array<string> = []
  const logger = Logger.map(Logger.logfmtLogger, (line) => {
    lines.push(line)
  })
  return {
    lines,
    layer: Layer.merge(Logger.replace(Logger.defaultLogger, logger), Logger.minimumLogLevel(LogLevel.Info))
  }
}

describe.skipIf(skip !== undefined)("store connection errors in the logs (real Redis)", () => {
  it.live(
    "Redis down at start: the cause is ECONNREFUSED host:port, logged once however many reads fail",
    () =>
      Effect.gen(function*() {
        const server = yield* Servers.redis
        yield* server.stop
        const logs = captured()
        yield* Effect.gen(function*() {
          const context = yield* Layer.build(
            Cache.layer({ breakerThreshold: 1_000 }).pipe(Layer.provide(RedisStore.layer({ url: server.url })))
          )
          const cache = Context.get(context, Cache.Cache)
          for (let i = 0; i < 30; i++) expect(yield* cache.getOrFetch(`k${i}`, Effect.succeed(i))).toBe(i)
        }).pipe(Effect.scoped, Effect.provide(logs.layer))
        const warnings = logs.lines.filter((line) => /level=(WARN|ERROR)/.test(line))
        const text = warnings.join("\n")
        expect(text).toContain(`ECONNREFUSED 127.0.0.1:${server.port}`)
        expect(text).not.toContain("UnknownException")
        // 30 failed reads (each a get, and a counter read for the write): a handful of lines, not 30+.
        expect(warnings.length).toBeLessThanOrEqual(4)
      }).pipe(Effect.scoped),
    30_000
  )
})
