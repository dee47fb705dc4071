import { Cache } from "@cachet/core"
import { RedisCluster } from "@cachet/core/testing"
import { describe, expect, it } from "@effect/vitest"
import type { Scope } from "effect"
import { Context, Effect, FastCheck, Fiber, Layer, Ref } from "effect"

import { RedisClient, RedisStore } from "../src/index.js"
import { cluster } from "./fixtures/sharedCluster.js"

const skip = RedisCluster.skipReason()
const versionTtlMillis = 1_000

/** A `Cache` on its own cluster connection, version cache and bus subscriber: an independent process. */
const processOn = (
  nodes: ReadonlyArray<RedisClient.ClusterNode>,
  namespace: string,
  options: Cache.Options = {}
): Effect.Effect<Cache.Service, never, Scope.Scope> =>
  Effect.map(
    Layer.build(
      Cache.layer({ namespace, ...options }).pipe(
        Layer.provide(RedisStore.layer({ cluster: nodes, versionTtl: `${versionTtlMillis} millis` }))
      )
    ),
    Context.get(Cache.Cache)
  )

const ioTurn = Effect.promise(() => new Promise<void>((resolve) => setImmediate(resolve)))

describe.skipIf(skip !== undefined)("Cachet on a Redis Cluster", () => {
  it.live("the keys of one namespace are spread over all three masters", () =>
    Effect.gen(function*() {
      const { cli, masters } = yield* cluster
      const cache = yield* processOn((yield* cluster).nodes, "spread")
      yield* Effect.forEach(Array.from({ length: 300 }, (_, i) => i), (i) =>
        cache.getOrFetch(`item-${i}`, Effect.succeed(i), { tags: [`items/${i % 7}`] }), {
        concurrency: 32,
        discard: true
      })
      const counts = yield* Effect.forEach(yield* masters, (node) =>
        Effect.map(cli(node.port, "--scan", "--pattern", "cachet:e:spread:*"), (out) =>
          out.split("\n").filter((l) =>
            l !== ""
          ).length))
      expect(counts).toHaveLength(3)
      expect(counts.reduce((a, b) =>
        a + b, 0)).toBe(300)
      // CRC16 over 16384 slots split in three: each master holds about a third.
      for (const count of counts) {
        expect(count).toBeGreaterThan(60)
      }
    }).pipe(Effect.scoped), 60_000)

  it.live(
    "invariant over two independent processes: the invalidator never serves an older fetch; the other within versionTtl",
    () =>
      Effect.gen(function*() {
        const { nodes } = yield* cluster
        const processes = [yield* processOn(nodes, "model"), yield* processOn(nodes, "model")] as const
        const tagOf = (key: number) => `users/${key % 3}/posts/${key}`
        const invalidations = ["users", "users/0", "users/1", "users/2", "users/1/posts/4", "users/2/posts/5"]
        const covers = (tag: string, key: number) => tagOf(key) === tag || tagOf(key).startsWith(`${tag}/`)
        const command = FastCheck.oneof(
          FastCheck.record({ by: FastCheck.constantFrom(0, 1), read: FastCheck.integer({ min: 0, max: 5 }) }),
          FastCheck.record({ by: FastCheck.constantFrom(0, 1), invalidate: FastCheck.constantFrom(...invalidations) })
        )
        let run = 0
        let otherStale = 0
        let otherReads = 0
        yield* Effect.promise(() =>
          FastCheck.assert(
            FastCheck.asyncProperty(FastCheck.array(command, { minLength: 10, maxLength: 40 }), (commands) =>
              Effect.runPromise(Effect.gen(function*() {
                const prefix = `r${run++}`
                // When each fetch started (wall clock), by the value it returned.
                const fetchedAt = new Map<string, number>()
                let seq = 0
                // Per tag: when its last invalidation started and returned, and by whom.
                const invalidated: Array<
                  { readonly tag: string; readonly started: number; readonly returned: number; readonly by: number }
                > = []
                for (const c of commands) {
                  const cache = processes[c.by]
                  if ("invalidate" in c) {
                    const started = performance.now()
                    yield* Effect.orDie(cache.invalidate([`${prefix}/${c.invalidate}`]))
                    invalidated.push({ tag: c.invalidate, started, returned: performance.now(), by: c.by })
                    continue
                  }
                  const readStarted = performance.now()
                  const value = yield* cache.getOrFetch(
                    `${prefix}:k${c.read}`,
                    Effect.sync(() => {
                      const v = `${prefix}-${seq++}`
                      fetchedAt.set(v, performance.now())
                      return v
                    }),
                    { tags: [`${prefix}/${tagOf(c.read)}`], ttl: "1 minute" }
                  )
                  const fetched = fetchedAt.get(value)!
                  for (const inv of invalidated) {
                    if (!covers(inv.tag, c.read) || fetched >= inv.started) continue
                    // An older fetch served after the invalidation returned:
                    if (inv.by === c.by) {
                      return false // never in the invalidating process
                    }
                    otherReads++
                    if (readStarted > inv.returned + versionTtlMillis) {
                      return false // beyond the bound elsewhere
                    }
                    otherStale++
                  }
                  yield* ioTurn
                }
                return true
              }))),
            { numRuns: 12 }
          )
        )
        // Printed for the record: stale reads in the other process stay within the bound.
        process.stderr.write(
          `[cluster model] other-process stale reads within the bound: ${otherStale}/${otherReads}\n`
        )
      }).pipe(Effect.scoped),
    120_000
  )

  it.live(
    "failover under load: a master killed, zero failed calls, no returned invalidation lost, recovery timed",
    () =>
      Effect.gen(function*() {
        const c = yield* cluster
        const cache = yield* processOn(c.nodes, "failover", {
          storeTimeout: "300 millis",
          breakerThreshold: 5,
          breakerCooldown: "300 millis"
        })
        const observer = yield* processOn(c.nodes, "failover", { storeTimeout: "1 second", breakerThreshold: 1000 })
        // The master of the tag-versions slot: the worst one to lose.
        const slot = (yield* c.cli(c.nodes[0]!.port, "CLUSTER", "KEYSLOT", "cachet:{tags}:counter")).trim()
        const owner = yield* Effect.map(c.cli(c.nodes[0]!.port, "CLUSTER", "NODES"), (text) =>
          text.split("\n").map((line) =>
            line.split(" ")
          ).find((f) =>
            f[2]?.includes("master") && f.slice(8).some((range) => {
              const [lo, hi] = range.split("-").map(Number)
              return Number(slot) >= lo! && Number(slot) <= (hi ?? lo!)
            })
          ))
        const victim = Number(owner![1]!.split("@")[0]!.split(":")[1])

        const failures = yield* Ref.make(0)
        const calls = yield* Ref.make(0)
        const stale = yield* Ref.make(0)
        // `generation` moves before each invalidation, `invalidated` once it has returned: a read that
        // starts after an invalidation returned must see a value fetched at or after its generation.
        const generation = yield* Ref.make(0)
        const invalidated = yield* Ref.make(0)
        // Load: reads of 50 keys under one tag; each value remembers the generation it was fetched in.
        const load = yield* Effect.forever(
          Effect.forEach(
            Array.from({ length: 50 }, (_, i) => i),
            (i) =>
              Effect.gen(function*() {
                const before = yield* Ref.get(invalidated)
                const value = yield* cache.getOrFetch(`k${i}`, Ref.get(generation), { tags: [`load/${i % 5}`] }).pipe(
                  Effect.tapError(() => Ref.update(failures, (n) => n + 1)),
                  Effect.orElseSucceed(() => before)
                )
                yield* Ref.update(calls, (n) => n + 1)
                if (value < before) yield* Ref.update(stale, (n) => n + 1)
              }),
            { concurrency: 8, discard: true }
          ).pipe(Effect.zipRight(ioTurn))
        ).pipe(Effect.fork)

        // An invalidation that returned before the kill must survive it.
        yield* Ref.update(generation, (n) => n + 1)
        yield* Effect.orDie(cache.invalidate(["load"]))
        yield* Ref.set(invalidated, 1)
        const counterBefore = Number((yield* c.cli(c.nodes[0]!.port, "-c", "GET", "cachet:{tags}:counter")).trim())
        const killedAt = performance.now()
        yield* c.kill(victim)
        // Invalidations keep being made; while the master is down they are deferred, and the first
        // one the store acknowledges marks the recovery.
        let recoveredAt = 0
        for (let attempt = 0; attempt < 300 && recoveredAt === 0; attempt++) {
          yield* Effect.orDie(observer.invalidate([`probe/${attempt}`]))
          const acknowledged = yield* Effect.option(Effect.timeout(observer.awaitPendingInvalidations, "100 millis"))
          if (acknowledged._tag === "Some") recoveredAt = performance.now()
        }
        expect(recoveredAt).toBeGreaterThan(0)
        yield* Ref.update(generation, (n) => n + 1)
        yield* Effect.orDie(cache.invalidate(["load"]))
        yield* Ref.set(invalidated, 2)
        yield* cache.awaitPendingInvalidations
        // A few rounds of load after the post-failover invalidation.
        const after = yield* Ref.get(calls)
        while ((yield* Ref.get(calls)) < after + 200) yield* ioTurn
        yield* Fiber.interrupt(load)

        const survivor = c.nodes.find((n) => n.port !== victim)!
        const version = Number((yield* c.cli(survivor.port, "-c", "HGET", "cachet:{tags}:versions", "h:load")).trim())
        expect(version).toBeGreaterThanOrEqual(counterBefore)
        expect(yield* Ref.get(failures)).toBe(0)
        expect(yield* Ref.get(stale)).toBe(0)
        process.stderr.write(
          `[cluster failover] ${yield* Ref.get(calls)} calls, 0 failed, 0 stale; invalidations available again ${
            Math.round(recoveredAt - killedAt)
          } ms after the kill\n`
        )
        yield* c.restart(victim)
        yield* c.awaitHealthy
      }).pipe(Effect.scoped),
    120_000
  )

  it.live(
    "a full cluster restart: calls fail open while it is down, the cache is used again once it is back",
    () =>
      Effect.gen(function*() {
        const c = yield* cluster
        const cache = yield* processOn(c.nodes, "restart", {
          storeTimeout: "300 millis",
          breakerThreshold: 3,
          breakerCooldown: "200 millis"
        })
        const runs = yield* Ref.make(0)
        const lookup = (value: string) => Effect.as(Ref.update(runs, (n) => n + 1), value)
        expect(yield* cache.getOrFetch("warm", lookup("w"))).toBe("w")
        yield* Effect.forEach(c.nodes, (node) => c.kill(node.port), { discard: true })
        // Down: every call still answers, by running its lookup.
        const down = yield* Effect.forEach(
          Array.from({ length: 20 }, (_, i) => i),
          (i) => Effect.either(cache.getOrFetch(`down-${i}`, lookup(`v${i}`))),
          { concurrency: 4 }
        )
        expect(down.every((result) => result._tag === "Right")).toBe(true)
        const restartedAt = performance.now()
        yield* Effect.forEach(c.nodes, (node) => c.restart(node.port), { discard: true, concurrency: "unbounded" })
        yield* c.awaitHealthy
        // Back: a value written is served from the store again (the lookup runs once for two reads).
        let recovered = false
        for (let attempt = 0; attempt < 200 && !recovered; attempt++) {
          yield* Effect.sleep(50)
          const before = yield* Ref.get(runs)
          yield* cache.getOrFetch(`after-${attempt}`, lookup("fresh"))
          yield* cache.getOrFetch(`after-${attempt}`, lookup("fresh"))
          recovered = (yield* Ref.get(runs)) === before + 1
        }
        expect(recovered).toBe(true)
        process.stderr.write(
          `[cluster restart] cache used again ${
            Math.round(performance.now() - restartedAt)
          } ms after restarting every node\n`
        )
      }).pipe(Effect.scoped),
    120_000
  )
})
