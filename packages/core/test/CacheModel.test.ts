/**
 * The invariants of docs/concepts (tags, freshness), checked on random sequences of writes, reads, deletes,
 * invalidations, expiries, clock moves, fetches that race an invalidation, and store outages
 * (the whole store down, or only its tag bumps failing) against a small reference model. An
 * invalidation made during an outage counts at once, and still counts after the store recovers.
 */
import { Cache, MemoryStore } from "@cachet/core"
import { FaultyStore } from "@cachet/core/testing"
import { describe, expect, it } from "@effect/vitest"
import { Deferred, Effect, FastCheck as fc, Fiber, Layer, Logger, LogLevel, Option, TestClock } from "effect"

const segment = fc.constantFrom("a", "b", "c")
const tagArb = fc.array(segment, { minLength: 1, maxLength: 3 }).map((path) => path.join("/"))
const keyArb = fc.constantFrom("k0", "k1", "k2", "k3")

type Op =
  | {
    readonly op: "set"
    readonly key: string
    readonly tags: ReadonlyArray<string>
    readonly ttl: number
    readonly grace: number
  }
  | { readonly op: "read"; readonly key: string }
  | { readonly op: "invalidate"; readonly tag: string }
  | { readonly op: "expire"; readonly tag: string }
  | { readonly op: "advance"; readonly millis: number }
  | {
    readonly op: "racingFetch"
    readonly key: string
    readonly tags: ReadonlyArray<string>
    readonly invalidate: string
  }
  | { readonly op: "delete"; readonly key: string }
  | { readonly op: "outage"; readonly kind: Outage }
  | { readonly op: "recover" }

/** The whole store failing, or only its tag bumps (data reads and writes succeed). */
type Outage = "store" | "bumps"

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    op: fc.constant("set" as const),
    key: keyArb,
    tags: fc.array(tagArb, { maxLength: 3 }),
    ttl: fc.integer({ min: 1, max: 100 }),
    grace: fc.integer({ min: 0, max: 100 })
  }),
  fc.record({ op: fc.constant("read" as const), key: keyArb }),
  fc.record({ op: fc.constant("read" as const), key: keyArb }),
  fc.record({ op: fc.constant("invalidate" as const), tag: tagArb }),
  fc.record({ op: fc.constant("expire" as const), tag: tagArb }),
  fc.record({ op: fc.constant("advance" as const), millis: fc.integer({ min: 1, max: 80 }) }),
  fc.record({
    op: fc.constant("racingFetch" as const),
    key: keyArb,
    tags: fc.array(tagArb, { minLength: 1, maxLength: 2 }),
    invalidate: tagArb
  }),
  fc.record({ op: fc.constant("delete" as const), key: keyArb }),
  fc.record({ op: fc.constant("outage" as const), kind: fc.constantFrom<Outage>("store", "bumps") }),
  fc.record({ op: fc.constant("recover" as const) })
)

interface ModelEntry {
  readonly value: number
  readonly createdAt: number
  readonly ttl: number
  readonly grace: number
  readonly tags: ReadonlyArray<string>
  /** Invalidations that happened after the fetch behind this entry started. */
  hard: boolean
  soft: boolean
}

/** `t` covers `tag` when it is the tag itself or one of its ancestors. */
const covers = (t: string, tag: string) => tag === t || tag.startsWith(`${t}/`)

const modelRead = (entry: ModelEntry | undefined, now: number): "fresh" | "stale" | "miss" => {
  if (entry === undefined || entry.hard) return "miss"
  if (now < entry.createdAt + entry.ttl && !entry.soft) return "fresh"
  return now < entry.createdAt + entry.ttl + entry.grace ? "stale" : "miss"
}

describe("Cache against a reference model", () => {
  it.effect.prop(
    "reads return exactly what the model says; no read returns a value fetched before an invalidation that covers it",
    [fc.array(opArb, { minLength: 1, maxLength: 40 })],
    ([ops]) =>
      Effect.gen(function*() {
        const cache = yield* Cache.Cache
        const faults = yield* FaultyStore.FaultControl
        const model = new Map<string, ModelEntry>()
        let now = 0
        let next = 0
        let outage: Outage | undefined
        /** Tags invalidated or expired during the current outage (not acknowledged yet). */
        let pending: Array<string> = []
        const recover = Effect.gen(function*() {
          faults.failing = false
          faults.failingOperations!.clear()
          yield* cache.awaitPendingInvalidations
          outage = undefined
          pending = []
        })
        const read = (key: string) =>
          Effect.gen(function*() {
            // While the whole store is down nothing is served from it.
            const expected = outage === "store" ? "miss" : modelRead(model.get(key), now)
            const info = yield* cache.inspect(key)
            const state = Option.match(info, {
              onNone: () => "miss",
              onSome: (i) => (i.state === "fresh" || i.state === "stale" ? i.state : "miss")
            })
            expect(state).toBe(expected)
            const value = yield* cache.get<number>(key)
            expect(value).toEqual(expected === "miss" ? Option.none() : Option.some(model.get(key)!.value))
          })
        for (const op of ops) {
          switch (op.op) {
            case "set": {
              const value = next++
              yield* cache.set(op.key, value, { ttl: op.ttl, grace: op.grace, tags: op.tags })
              // A write the store cannot take, or that a pending invalidation covers, is not stored.
              if (outage === "store" || op.tags.some((tag) => pending.some((t) => covers(t, tag)))) break
              model.set(op.key, {
                value,
                createdAt: now,
                ttl: op.ttl,
                grace: op.grace,
                tags: op.tags,
                hard: false,
                soft: false
              })
              break
            }
            case "delete": {
              yield* cache.delete(op.key)
              model.delete(op.key)
              break
            }
            case "outage": {
              if (outage !== undefined) break
              outage = op.kind
              if (op.kind === "store") faults.failing = true
              else faults.failingOperations!.add("bump")
              break
            }
            case "recover": {
              yield* recover
              break
            }
            case "invalidate":
            case "expire": {
              yield* op.op === "invalidate" ? cache.invalidate(op.tag) : cache.expire(op.tag)
              if (outage !== undefined) pending.push(op.tag)
              for (const entry of model.values()) {
                if (entry.tags.some((tag) => covers(op.tag, tag))) {
                  if (op.op === "invalidate") entry.hard = true
                  else entry.soft = true
                }
              }
              break
            }
            case "advance": {
              yield* TestClock.adjust(op.millis)
              now += op.millis
              break
            }
            case "racingFetch": {
              // A fetch starts, an invalidation lands while it runs, then the fetch writes.
              const value = next++
              const started = yield* Deferred.make<void>()
              const release = yield* Deferred.make<void>()
              const fetch = Deferred.succeed(started, undefined).pipe(
                Effect.zipRight(Deferred.await(release)),
                Effect.as(value)
              )
              const fiber = yield* Effect.fork(
                cache.getOrFetch(op.key, fetch, {
                  policy: "NetworkOnly",
                  ttl: 1_000,
                  grace: 1_000,
                  tags: op.tags
                })
              )
              yield* Deferred.await(started)
              yield* cache.invalidate(op.invalidate)
              for (const entry of model.values()) {
                if (entry.tags.some((tag) => covers(op.invalidate, tag))) entry.hard = true
              }
              yield* Deferred.succeed(release, undefined)
              expect(yield* Fiber.join(fiber)).toBe(value)
              // During an outage the result is served but not stored (its invalidation is pending).
              if (outage !== undefined) {
                pending.push(op.invalidate)
                break
              }
              const hard = op.tags.some((tag) => covers(op.invalidate, tag))
              model.set(op.key, { value, createdAt: now, ttl: 1_000, grace: 1_000, tags: op.tags, hard, soft: false })
              break
            }
            case "read": {
              yield* read(op.key)
              break
            }
          }
        }
        // However the sequence ended, once the store is back every invalidation made counts.
        yield* recover
        for (const key of ["k0", "k1", "k2", "k3"]) yield* read(key)
      }).pipe(
        Effect.provide(
          // The breaker stays out of the way: the model says what a reachable store serves.
          Cache.layer({ breakerThreshold: Number.MAX_SAFE_INTEGER }).pipe(
            Layer.provideMerge(FaultyStore.layer(MemoryStore.layer()))
          )
        ),
        Effect.provide(Logger.minimumLogLevel(LogLevel.None))
      ),
    { fastCheck: { numRuns: 200 } }
  )
})
