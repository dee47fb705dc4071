import { Cache } from "@cachet/core"
import { Servers } from "@cachet/core/testing"
import { describe, expect, layer } from "@effect/vitest"
import { Cause, Context, Deferred, Effect, Exit, Layer } from "effect"

import { MemcachedStore } from "../src/index.js"

const skip = Servers.skipReason("memcached")

const WRITERS = 16
const BUMPS_PER_WRITER = 40
const READERS = 4
const USERS = 8

/** The address of the memcached the tests run against. */
class ServerUrl extends Context.Tag("test/ServerUrl")<ServerUrl, string>() {}

const memcachedLayer = Layer.unwrapScoped(
  Effect.map(
    Servers.memcached,
    (server) => Layer.merge(MemcachedStore.layer({ servers: server.url }), Layer.succeed(ServerUrl, server.url))
  )
)

// The cache as an application runs it (default breaker), with a store timeout of 1 s: twice the
// default, so a test process starved of CPU on a busy machine does not fail it, while the former
// design (a global lock polled with sleeps) still timed out here (13–24 of 640 invalidations).
const cacheLayer = Cache.layer({ namespace: "bumps", ttl: "1 hour", storeTimeout: "1 second" }).pipe(
  Layer.provideMerge(memcachedLayer)
)

describe.skipIf(skip !== undefined)("MemcachedStore tag bumps under concurrency", () => {
  layer(cacheLayer, { excludeTestServices: true, timeout: 60_000 })((it) => {
    it.effect("16 writers invalidating shared tags while readers read: no store error, no stale read", () =>
      Effect.gen(function*() {
        const cache = yield* Cache.Cache
        // The "database": a version per user, and the newest version whose invalidation returned.
        const db = Array.from({ length: USERS }, () => 0)
        const committed = Array.from({ length: USERS }, () => 0)
        const stale: Array<string> = []
        const failures: Array<string> = []
        const writersDone = yield* Deferred.make<void>()
        let reads = 0

        const writer = (w: number) =>
          Effect.forEach(
            Array.from({ length: BUMPS_PER_WRITER }, (_, i) => (w + i) % USERS),
            (user) =>
              Effect.gen(function*() {
                const version = ++db[user]!
                // Parent and child: each bump raises two shared version entries.
                const exit = yield* Effect.exit(cache.invalidate(tagsOf(user)))
                if (Exit.isSuccess(exit)) committed[user] = Math.max(committed[user]!, version)
                else failures.push(Cause.pretty(exit.cause).split("\n")[0]!)
              }),
            { discard: true }
          )

        const tagsOf = (user: number) => (user % 2 === 0 ? [`users/${user}`, "teams"] : [`users/${user}`])

        const reader = (r: number) =>
          Effect.gen(function*() {
            for (let n = r; !(yield* Deferred.isDone(writersDone)); n++) {
              const user = n % USERS
              const floor = committed[user]!
              const value = yield* cache.getOrFetch(`user:${user}`, Effect.sync(() => db[user]!), {
                tags: tagsOf(user)
              })
              reads++
              if (value < floor) {
                stale.push(`user ${user}: read version ${value} after version ${floor} was invalidated`)
              }
            }
          })

        const readers = yield* Effect.fork(
          Effect.all(Array.from({ length: READERS }, (_, r) => reader(r)), { concurrency: "unbounded" })
        )
        yield* Effect.all(Array.from({ length: WRITERS }, (_, w) => writer(w)), {
          concurrency: "unbounded",
          discard: true
        })
        yield* Deferred.succeed(writersDone, undefined)
        yield* readers.await
        const stats = yield* cache.stats

        expect(failures.slice(0, 3), `${failures.length} failed invalidations`).toEqual([])
        expect(stale).toEqual([])
        expect(stats.storeErrors).toBe(0)
        expect(stats.storeSkips).toBe(0)
        expect(reads).toBeGreaterThan(0)
      }))

    it.scoped("concurrent bumps of shared paths from several clients never lower a version", () =>
      Effect.gen(function*() {
        // Four clients (four connections, as four processes would have): their requests race on the server.
        const url = yield* ServerUrl
        const clients = yield* Effect.forEach([1, 2, 3, 4], () => MemcachedStore.make({ servers: url }))
        const versions = clients[0]!.tagVersions
        const paths = ["race/a", "race/a/b", "race/c"]
        const highest = new Map<string, number>()
        yield* Effect.forEach(Array.from({ length: 1_000 }, (_, n) => n), (n) =>
          Effect.gen(function*() {
            const chosen = n % 3 === 0 ? paths : [paths[n % 3]!]
            const mode = n % 5 === 0 ? "soft" : "hard"
            const counter = yield* clients[n % clients.length]!.tagVersions.bump(chosen, mode)
            for (const path of chosen) {
              const id = `${mode}:${path}`
              highest.set(id, Math.max(highest.get(id) ?? 0, counter))
            }
          }), { concurrency: WRITERS, discard: true })
        const read = yield* versions.versions(paths)
        paths.forEach((path, k) => {
          expect(read[k]!.hard, path).toBe(highest.get(`hard:${path}`) ?? 0)
          expect(read[k]!.soft, path).toBe(highest.get(`soft:${path}`) ?? 0)
        })
        expect(yield* versions.counter).toBeGreaterThanOrEqual(Math.max(...highest.values()))
      }))
  })
})
