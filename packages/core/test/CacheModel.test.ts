/**
 * The DESIGN.md invariants, checked on random sequences of writes, reads, invalidations,
 * expiries, clock moves and fetches that race an invalidation, against a small reference model.
 */
import { describe, expect, it } from "@effect/vitest"
import { Cache, MemoryStore } from "@cachet/core"
import { Deferred, Effect, FastCheck as fc, Fiber, Layer, Option, TestClock } from "effect"

const segment = fc.constantFrom("a", "b", "c")
const tagArb = fc.array(segment, { minLength: 1, maxLength: 3 }).map((path) => path.join("/"))
const keyArb = fc.constantFrom("k0", "k1", "k2", "k3")

type Op =
  | { readonly op: "set"; readonly key: string; readonly tags: ReadonlyArray<string>; readonly ttl: number; readonly grace: number }
  | { readonly op: "read"; readonly key: string }
  | { readonly op: "invalidate"; readonly tag: string }
  | { readonly op: "expire"; readonly tag: string }
  | { readonly op: "advance"; readonly millis: number }
  | { readonly op: "racingFetch"; readonly key: string; readonly tags: ReadonlyArray<string>; readonly invalidate: string }

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
  })
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
      Effect.gen(function* () {
        const cache = yield* Cache.Cache
        const model = new Map<string, ModelEntry>()
        let now = 0
        let next = 0
        for (const op of ops) {
          switch (op.op) {
            case "set": {
              const value = next++
              yield* cache.set(op.key, value, { ttl: op.ttl, grace: op.grace, tags: op.tags })
              model.set(op.key, { value, createdAt: now, ttl: op.ttl, grace: op.grace, tags: op.tags, hard: false, soft: false })
              break
            }
            case "invalidate":
            case "expire": {
              yield* op.op === "invalidate" ? cache.invalidate(op.tag) : cache.expire(op.tag)
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
              const hard = op.tags.some((tag) => covers(op.invalidate, tag))
              model.set(op.key, { value, createdAt: now, ttl: 1_000, grace: 1_000, tags: op.tags, hard, soft: false })
              break
            }
            case "read": {
              const expected = modelRead(model.get(op.key), now)
              const info = yield* cache.inspect(op.key)
              const state = Option.match(info, {
                onNone: () => "miss",
                onSome: (i) => (i.state === "fresh" || i.state === "stale" ? i.state : "miss")
              })
              expect(state).toBe(expected)
              const read = yield* cache.get<number>(op.key)
              expect(read).toEqual(expected === "miss" ? Option.none() : Option.some(model.get(op.key)!.value))
              break
            }
          }
        }
      }).pipe(Effect.provide(Cache.layer().pipe(Layer.provideMerge(MemoryStore.layer())))),
    { fastCheck: { numRuns: 150 } }
  )
})
