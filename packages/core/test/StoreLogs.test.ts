/**
 * What the cache logs about a failing store: the real cause of a client error
 * (`Store.describeCause`), and one line per change of state (failing, breaker open, answering
 * again) rather than one per call.
 */
import { Cache, MemoryStore, Store } from "@cachet/core"
import { FaultyStore } from "@cachet/core/testing"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Logger, LogLevel, TestClock } from "effect"

describe("Store.describeCause", () => {
  it("a socket error is its code and address", () => {
    const error = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:6390"), {
      code: "ECONNREFUSED",
      address: "127.0.0.1",
      port: 6390
    })
    expect(Store.describeCause(error)).toBe("ECONNREFUSED 127.0.0.1:6390")
  })

  it("an AggregateError with an empty message (Node trying ::1 then 127.0.0.1) is its distinct parts", () => {
    const refused = (address: string) =>
      Object.assign(new Error(`connect ECONNREFUSED ${address}:6390`), { code: "ECONNREFUSED", address, port: 6390 })
    const error = new AggregateError([refused("::1"), refused("127.0.0.1"), refused("127.0.0.1")], "")
    expect(Store.describeCause(error)).toBe("ECONNREFUSED ::1:6390; ECONNREFUSED 127.0.0.1:6390")
  })

  it("Effect's UnknownException is the error it wraps; an empty message falls back to the cause", () => {
    const inner = Object.assign(new Error(""), { code: "ETIMEDOUT" })
    expect(Store.describeCause({ _tag: "UnknownException", error: inner, message: "An unknown error" })).toBe(
      "ETIMEDOUT"
    )
    expect(Store.describeCause(new Error("", { cause: new Error("socket hang up") }))).toBe("socket hang up")
    expect(Store.describeCause("plain")).toBe("plain")
  })
})

describe("store failures in the logs (FaultyStore, TestClock)", () => {
  it.effect("one warning when the store starts failing, one when the breaker opens, one line when it answers again", () =>
    Effect.gen(function*() {
      const lines: Array<{ readonly level: string; readonly message: string }> = []
      const logger = Logger.make(({ logLevel, message }) => {
        lines.push({ level: logLevel.label, message: (Array.isArray(message) ? message : [message]).join(" ") })
      })
      const cache = yield* Cache.Cache
      const faults = yield* FaultyStore.FaultControl
      yield* Effect.gen(function*() {
        faults.failing = true
        for (let i = 0; i < 40; i++) {
          yield* cache.getOrFetch(`k${i}`, Effect.succeed(i))
          yield* TestClock.adjust("50 millis")
        }
        faults.failing = false
        for (let i = 0; i < 40; i++) {
          yield* cache.getOrFetch(`k${i}`, Effect.succeed(i))
          yield* TestClock.adjust("50 millis")
        }
        faults.failing = true
        for (let i = 0; i < 3; i++) yield* cache.getOrFetch(`j${i}`, Effect.succeed(i))
      }).pipe(Effect.provide(Logger.replace(Logger.defaultLogger, logger)), Logger.withMinimumLogLevel(LogLevel.Info))
      const shown = lines.filter((line) => line.level !== "DEBUG").map((line) => `${line.level} ${line.message}`)
      expect(shown).toEqual([
        "WARN cachet: store get failed: injected failure; continuing without the store",
        expect.stringMatching(/^WARN cachet: store faulty\(memory\) failed 5 times in a row; skipping it/),
        "INFO cachet: store faulty(memory) answers again",
        "WARN cachet: store get failed: injected failure; continuing without the store"
      ])
    }).pipe(Effect.provide(Cache.layer().pipe(Layer.provideMerge(FaultyStore.layer(MemoryStore.layer()))))))
})
