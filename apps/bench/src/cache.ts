/**
 * The read-through hit path on 10,000 keys, and the cost of invalidating a tag that covers
 * 100,000 entries plus the reads after it: Cachet next to lru-cache, cache-manager and BentoCache.
 */
import { Cache, MemoryStore, QueryCache, Tag } from "@cachet/core"
import { BentoCache, bentostore } from "bentocache"
import { memoryDriver } from "bentocache/drivers/memory"
import { createCache } from "cache-manager"
import { Effect, Layer, ManagedRuntime, Schema } from "effect"
import { LRUCache } from "lru-cache"

import {
  type Allocation,
  type Contender,
  measureAllocation,
  measureInterleaved,
  measureRounds,
  type Sample
} from "./measure.js"

/** Keys every hit-path contender reads. */
export const KEYS = 10_000
/** Hits per round of the fastest contenders. */
export const OPS = 200_000
const WIDE = 100_000
const MISSES = 20_000

/** The key texts, `user:N`. */
export const keys = Array.from({ length: KEYS }, (_, i) => `user:${i}`)
/** The cached value of key N. */
export const valueOf = (i: number) => ({ id: String(i), name: `User ${i}`, email: `user${i}@example.com` })

const cachetRuntime = (entries: number) =>
  ManagedRuntime.make(
    Cache.layer({ ttl: "1 hour" }).pipe(Layer.provideMerge(MemoryStore.layer({ maxEntries: entries * 2 })))
  )

/** Operations per allocation chunk: small enough that most chunks fit in the young generation. */
const CHUNK = 10_000

/**
 * Cachet: `Cache.getOrFetch` with one tag and a `QueryCache` method, each in a loop inside one
 * Effect program (to be measured beside the peers), plus a miss and the allocation per hit.
 */
const cachet = async (): Promise<{
  readonly contenders: Array<Contender>
  readonly dispose: () => Promise<void>
  readonly miss: Sample
  readonly allocation: Array<Allocation>
}> => {
  const runtime = cachetRuntime(KEYS)
  const hierarchy = Tag.at("users", () => Tag.wild)
  const User = Schema.Struct({ id: Schema.String, name: Schema.String, email: Schema.String })
  const program = Effect.gen(function*() {
    const cache = yield* Cache.Cache
    const blog = yield* QueryCache.make({
      hierarchy,
      queries: (tags) => ({
        getUser: QueryCache.query({
          args: Schema.Struct({ id: Schema.String }),
          success: User,
          tags: ({ id }) => tags.users(id),
          lookup: ({ id }) => Effect.succeed(valueOf(Number(id)))
        })
      })
    })
    const getOrFetchLoop = Effect.gen(function*() {
      for (let i = 0; i < OPS; i++) {
        const n = i % KEYS
        yield* cache.getOrFetch(keys[n]!, Effect.sync(() => valueOf(n)), { tags: [`users/${n}`] })
      }
    })
    const queryLoop = Effect.gen(function*() {
      for (let i = 0; i < OPS; i++) yield* blog.getUser({ id: String(i % KEYS) })
    })
    // The same calls in chunks, and the loop's own allocations (arguments, an already-built
    // effect yielded) to subtract: what remains is what a hit allocates in Cachet.
    const hitChunk = Effect.gen(function*() {
      for (let i = 0; i < CHUNK; i++) {
        const n = i % KEYS
        yield* cache.getOrFetch(keys[n]!, Effect.sync(() => valueOf(n)), { tags: [`users/${n}`] })
      }
    })
    // Misses: keys never read before, each fetched and written (the store full, so each write evicts).
    let round = 0
    const missLoop = Effect.suspend(() => {
      round++
      return Effect.gen(function*() {
        for (let i = 0; i < MISSES; i++) {
          yield* cache.getOrFetch(`miss:${round}:${i}`, Effect.sync(() => valueOf(i)), { tags: [`users/${i}`] })
        }
      })
    })
    const built = Effect.succeed(valueOf(0))
    const escaped: { fetch?: unknown; options?: unknown } = {}
    const argumentsChunk = Effect.gen(function*() {
      for (let i = 0; i < CHUNK; i++) {
        const n = i % KEYS
        const fetch = Effect.sync(() => valueOf(n))
        const options = { tags: [`users/${n}`] }
        // Kept where the optimizer cannot prove them dead, so they are allocated as in a real call.
        escaped.fetch = fetch
        escaped.options = options
        yield* built
      }
    })
    return { getOrFetchLoop, queryLoop, missLoop, hitChunk, argumentsChunk }
  })
  const { argumentsChunk, getOrFetchLoop, hitChunk, missLoop, queryLoop } = await runtime.runPromise(program)
  await runtime.runPromise(getOrFetchLoop)
  await runtime.runPromise(queryLoop)
  const contenders: Array<Contender> = [
    { name: "cachet Cache.getOrFetch (1 tag)", ops: OPS, round: () => runtime.runPromise(getOrFetchLoop) },
    { name: "cachet QueryCache method (1 tag)", ops: OPS, round: () => runtime.runPromise(queryLoop) }
  ]
  await runtime.runPromise(missLoop)
  const miss = await measureRounds(
    "cachet Cache.getOrFetch miss (fetch + write, 1 tag)",
    MISSES,
    () => runtime.runPromise(missLoop)
  )
  const hit = await measureAllocation(
    "cachet Cache.getOrFetch hit, with the loop's arguments",
    CHUNK,
    () => runtime.runPromise(hitChunk)
  )
  const args = await measureAllocation("the loop's arguments alone", CHUNK, () => runtime.runPromise(argumentsChunk))
  return {
    contenders,
    dispose: () => runtime.dispose(),
    miss,
    allocation: [hit, args, {
      name: "cachet Cache.getOrFetch hit, beyond its arguments",
      bytesPerOp: hit.bytesPerOp - args.bytesPerOp
    }]
  }
}

const lruAllocation = async (): Promise<Allocation> => {
  const lru = new LRUCache<string, ReturnType<typeof valueOf>>({
    max: KEYS * 2,
    ttl: 3_600_000,
    fetchMethod: async (key) => valueOf(Number(key.slice(5)))
  })
  for (const key of keys) await lru.fetch(key)
  return measureAllocation("lru-cache 11 fetch hit (its promise included)", CHUNK, async () => {
    for (let i = 0; i < CHUNK; i++) await lru.fetch(keys[i % KEYS]!)
  })
}

/** lru-cache's `fetch` on warm keys (`ops` per round). */
export const lruCache = async (ops = OPS): Promise<Contender> => {
  const lru = new LRUCache<string, ReturnType<typeof valueOf>>({
    max: KEYS * 2,
    ttl: 3_600_000,
    fetchMethod: async (key) => valueOf(Number(key.slice(5)))
  })
  for (const key of keys) await lru.fetch(key)
  return {
    name: "lru-cache 11 fetch",
    ops,
    round: async () => {
      for (let i = 0; i < ops; i++) await lru.fetch(keys[i % KEYS]!)
    }
  }
}

/** cache-manager's `wrap` on warm keys (`ops` per round). */
export const cacheManager = async (ops = OPS / 4): Promise<Contender> => {
  const cache = createCache({ ttl: 3_600_000 })
  for (let i = 0; i < KEYS; i++) await cache.wrap(keys[i]!, async () => valueOf(i))
  return {
    name: "cache-manager 7 wrap",
    ops,
    round: async () => {
      for (let i = 0; i < ops; i++) {
        const n = i % KEYS
        await cache.wrap(keys[n]!, async () => valueOf(n))
      }
    }
  }
}

const makeBento = () =>
  new BentoCache({
    default: "memory",
    stores: { memory: bentostore().useL1Layer(memoryDriver({ maxItems: WIDE * 2 })) }
  })

/** BentoCache's `getOrSet` on warm keys, plain and with one tag (`ops` per round of the plain one). */
export const bento = async (ops = OPS / 10): Promise<
  { readonly contenders: Array<Contender>; readonly dispose: () => Promise<void> }
> => {
  const cache = makeBento()
  const plain = (n: number) => cache.getOrSet({ key: keys[n]!, ttl: "1h", factory: () => valueOf(n) })
  const tagged = (n: number) =>
    cache.getOrSet({ key: `t:${keys[n]!}`, ttl: "1h", tags: [`users/${n}`], factory: () => valueOf(n) })
  for (let n = 0; n < KEYS; n++) {
    await plain(n)
    await tagged(n)
  }
  const loop = (ops: number, read: (n: number) => Promise<unknown>) => async () => {
    for (let i = 0; i < ops; i++) await read(i % KEYS)
  }
  return {
    contenders: [
      { name: "bentocache 1.6 getOrSet", ops, round: loop(ops, plain) },
      { name: "bentocache 1.6 getOrSet (1 tag)", ops: ops / 2, round: loop(ops / 2, tagged) }
    ],
    dispose: () => cache.disconnectAll()
  }
}

/** Invalidation of one tag covering 100,000 entries, then reading them all (refetch), then again (hits). */
const cachetWide = async (): Promise<Array<Sample>> => {
  const runtime = cachetRuntime(WIDE)
  const wideKeys = Array.from({ length: WIDE }, (_, i) => `post:${i}`)
  const program = Effect.gen(function*() {
    const cache = yield* Cache.Cache
    const readAll = Effect.gen(function*() {
      for (let i = 0; i < WIDE; i++) {
        yield* cache.getOrFetch(wideKeys[i]!, Effect.sync(() => valueOf(i)), { tags: [`feed/${i % 100}`] })
      }
    })
    const invalidateMany = Effect.gen(function*() {
      for (let i = 0; i < 1_000; i++) yield* cache.invalidate("feed")
    })
    return { readAll, invalidateMany }
  })
  const { invalidateMany, readAll } = await runtime.runPromise(program)
  await runtime.runPromise(readAll)
  const before = await measureRounds(
    "cachet read before invalidation (hit)",
    WIDE,
    () => runtime.runPromise(readAll),
    5
  )
  const invalidation = await measureRounds(
    "cachet invalidate a tag over 100,000 entries",
    1_000,
    () => runtime.runPromise(invalidateMany),
    1
  )
  const refetch = await measureRounds(
    "cachet first read after it (refetch + write)",
    WIDE,
    () => runtime.runPromise(readAll),
    1
  )
  const after = await measureRounds("cachet reads after it (hit)", WIDE, () => runtime.runPromise(readAll), 5)
  await runtime.dispose()
  return [before, invalidation, refetch, after]
}

const bentoWide = async (): Promise<Array<Sample>> => {
  const cache = makeBento()
  const readAll = async () => {
    for (let i = 0; i < WIDE; i++) {
      await cache.getOrSet({
        key: `post:${i}`,
        ttl: "1h",
        tags: [`feed/${i % 100}`, "feed"],
        factory: () => valueOf(i)
      })
    }
  }
  const sample = WIDE / 10
  const readSome = async () => {
    for (let i = 0; i < sample; i++) {
      await cache.getOrSet({
        key: `post:${i}`,
        ttl: "1h",
        tags: [`feed/${i % 100}`, "feed"],
        factory: () => valueOf(i)
      })
    }
  }
  await readAll()
  const before = await measureRounds("bentocache read before deleteByTag (hit)", sample, readSome, 5)
  const invalidation = await measureRounds(
    "bentocache deleteByTag over 100,000 entries",
    1,
    () => cache.deleteByTag({ tags: ["feed"] }),
    1
  )
  const refetch = await measureRounds("bentocache first read after it", sample, readSome, 1)
  const after = await measureRounds("bentocache reads after it", sample, readSome, 5)
  await cache.disconnectAll()
  return [before, invalidation, refetch, after]
}

/** Every cache figure, in one process and one run. */
export const run = async (): Promise<{
  readonly hit: Array<Sample>
  readonly miss: Sample
  readonly wide: Array<Sample>
  readonly allocation: Array<Allocation>
}> => {
  const ours = await cachet()
  const bentos = await bento()
  // Measured round-robin, so that the ratios hold while the machine's load changes.
  const hit = await measureInterleaved([
    ...ours.contenders,
    await lruCache(),
    await cacheManager(),
    ...bentos.contenders
  ])
  await ours.dispose()
  await bentos.dispose()
  const wide = [...(await cachetWide()), ...(await bentoWide())]
  return { hit, miss: ours.miss, wide, allocation: [...ours.allocation, await lruAllocation()] }
}
