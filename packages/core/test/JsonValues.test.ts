import { Cache, MemoryStore } from "@cachet/core"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Schema } from "effect"

const live = Cache.layer().pipe(Layer.provideMerge(MemoryStore.layer()))

/** Fields only: TypeScript cannot tell its instances from plain objects, JSON can. */
class Point {
  constructor(readonly x: number, readonly y: number) {}
}

describe("getOrFetch without a schema: a miss returns what a hit returns", () => {
  it.effect("a class instance reads back as its JSON on the miss too", () =>
    Effect.gen(function*() {
      const cache = yield* Cache.Cache
      const read = cache.getOrFetch("point", Effect.sync(() => new Point(1, 2)))
      const miss = yield* read
      const hit = yield* read
      expect(miss).toStrictEqual(hit)
      expect(miss).not.toBeInstanceOf(Point)
      expect(Object.isFrozen(miss)).toBe(true)
      expect(Object.isFrozen(hit)).toBe(true)
    }).pipe(Effect.provide(live)))

  it.effect("special numbers are shaped as the store keeps them", () =>
    Effect.gen(function*() {
      const cache = yield* Cache.Cache
      const read = cache.getOrFetch(
        "shape",
        Effect.sync(() => ({ a: 1, list: [{ n: -0 }, { n: Infinity }] }))
      )
      const miss = yield* read
      const hit = yield* read
      expect(miss).toStrictEqual(hit)
      expect(Object.is(miss.list[0]!.n, -0)).toBe(true)
      expect(Object.isFrozen(miss.list[1])).toBe(true)
    }).pipe(Effect.provide(live)))

  it.effect("a value typed `unknown` that holds a Date is its ISO string on both paths", () =>
    Effect.gen(function*() {
      const cache = yield* Cache.Cache
      const at = new Date(0)
      const read = cache.getOrFetch("date", Effect.succeed<unknown>(at))
      const miss = yield* read
      expect(miss).toBe(at.toISOString())
      expect(yield* read).toBe(miss)
    }).pipe(Effect.provide(live)))

  it.effect("getOrFetchMany: the fetched values are what the hits return", () =>
    Effect.gen(function*() {
      const cache = yield* Cache.Cache
      const read = cache.getOrFetchMany(
        [1, 2],
        (ids) => Effect.succeed(ids.map((id) => new Point(id, id))),
        { key: (id) => `point:${id}` }
      )
      const missed = yield* read
      const hit = yield* read
      expect(missed).toStrictEqual(hit)
      expect(missed[0]).not.toBeInstanceOf(Point)
      expect(Object.isFrozen(missed[1])).toBe(true)
    }).pipe(Effect.provide(live)))

  it.effect("findMany: a miss returns what a hit returns", () =>
    Effect.gen(function*() {
      const cache = yield* Cache.Cache
      const read = cache.findMany("points", Effect.succeed(1), Effect.sync(() => [new Point(1, 2)]))
      const miss = yield* read
      expect(miss).toStrictEqual(yield* read)
      expect(miss[0]).not.toBeInstanceOf(Point)
    }).pipe(Effect.provide(live)))

  it.effect("with a schema the value is the schema's type on both paths", () =>
    Effect.gen(function*() {
      const cache = yield* Cache.Cache
      const read = cache.getOrFetch("when", Effect.sync(() => new Date(0)), { schema: Schema.Date })
      expect(yield* read).toBeInstanceOf(Date)
      expect(yield* read).toBeInstanceOf(Date)
    }).pipe(Effect.provide(live)))
})

/**
 * Compile-time checks (run by `tsc`, which type-checks the tests): without a schema a value
 * JSON would change does not compile. Never called.
 */
export const typeChecks = (cache: Cache.Service) => [
  // @ts-expect-error a Date needs a schema
  cache.getOrFetch("d", Effect.succeed(new Date())),
  // @ts-expect-error so does a class instance with methods
  cache.getOrFetch("m", Effect.succeed(new Map<string, number>())),
  // @ts-expect-error and a Date nested in a plain object
  cache.getOrFetch("n", Effect.succeed({ at: new Date(), id: 1 })),
  // @ts-expect-error a field that may hold undefined disappears (an optional field does not)
  cache.getOrFetch("o", Effect.succeed({ id: 1, name: undefined as string | undefined })),
  // @ts-expect-error a bigint has no JSON form
  cache.getOrFetch("b", Effect.succeed(1n)),
  // @ts-expect-error a schema must describe the fetched value
  cache.getOrFetch("s", Effect.succeed(1), { schema: Schema.String }),
  // @ts-expect-error findMany asks the same
  cache.findMany("f", Effect.succeed(1), Effect.succeed(new Date())),
  // @ts-expect-error and so does getOrFetchMany
  cache.getOrFetchMany([1], (ids) => Effect.succeed(ids.map(() => new Date())), { key: String }),
  cache.getOrFetchMany([1], (ids) => Effect.succeed(ids.map(() => new Date())), { key: String, schema: Schema.Date }),
  cache.getOrFetch("d", Effect.succeed(new Date()), { schema: Schema.Date }),
  cache.getOrFetch("j", Effect.succeed({ id: 1, tags: ["a"], owner: null as string | null })),
  cache.getOrFetch("o", Effect.succeed<{ readonly id: number; readonly name?: string }>({ id: 1 })),
  cache.getOrFetch("u", Effect.succeed<unknown>(null))
]
