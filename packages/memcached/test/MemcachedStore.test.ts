import { Store } from "@cachet/core"
import { Servers, StoreSuite } from "@cachet/core/testing"
import { describe, expect, layer } from "@effect/vitest"
import { Clock, ConfigProvider, Context, Effect, Either, Exit, Layer, Option } from "effect"

import { MemcachedStore } from "../src/index.js"

const skip = Servers.skipReason("memcached")

/** A memcached server of the test's own. */
class Server extends Context.Tag("test/Server")<Server, Servers.Server>() {}

const memcachedLayer = Layer.unwrapScoped(
  Effect.map(Servers.memcached, (server) => MemcachedStore.layer({ servers: server.url }))
)

StoreSuite.storeSuite("MemcachedStore", memcachedLayer, skip === undefined ? {} : { skip })

const entry = (value: string, now: number): Store.Entry => ({
  value,
  stamp: 1,
  createdAt: now,
  ttl: 60_000,
  grace: 0,
  tags: [],
  failed: false
})

describe.skipIf(skip !== undefined)("MemcachedStore limits", () => {
  layer(memcachedLayer, { excludeTestServices: true })((it) => {
    it.effect("a value over the item limit fails with a clear StoreError", () =>
      Effect.gen(function*() {
        const store = yield* Store.Store
        const now = yield* Clock.currentTimeMillis
        const exit = yield* Effect.exit(store.set("huge", entry(JSON.stringify("x".repeat(1_100_000)), now)))
        expect(Exit.isFailure(exit)).toBe(true)
        if (Exit.isFailure(exit)) {
          expect(String(exit.cause)).toContain("exceeds the memcached item limit")
        }
        expect(Option.isNone(yield* store.get("huge"))).toBe(true)
      }))

    it.effect("keys beyond 250 bytes and with spaces are hashed, distinct and listed by their own name", () =>
      Effect.gen(function*() {
        const store = yield* Store.Store
        const now = yield* Clock.currentTimeMillis
        const long1 = `limits:${"k".repeat(300)}1`
        const long2 = `limits:${"k".repeat(300)}2`
        yield* store.setMany([[long1, entry("1", now)], [long2, entry("2", now)], ["limits:a b", entry("3", now)]])
        const read = yield* store.getMany([long1, long2, "limits:a b"])
        expect(read.map(Option.map((e) => e.value))).toEqual([Option.some("1"), Option.some("2"), Option.some("3")])
        expect([...(yield* store.keys({ prefix: "limits:", limit: 10 }))].sort()).toEqual(
          [long1, long2, "limits:a b"].sort()
        )
      }))
  })
})

describe.skipIf(skip !== undefined)("MemcachedStore.layerConfig", () => {
  layer(Layer.scoped(Server, Servers.memcached), { excludeTestServices: true })((it) => {
    it.effect("reads CACHET_MEMCACHED_SERVERS and CACHET_MEMCACHED_KEY_PREFIX; MEMCACHED_SERVERS alone is not read", () =>
      Effect.gen(function*() {
        const server = yield* Server
        const roundTrip = (env: Record<string, string>, key: string) =>
          Effect.gen(function*() {
            const store = yield* Store.Store
            const now = yield* Clock.currentTimeMillis
            yield* store.set(key, entry(`"${key}"`, now))
            return Option.map(yield* store.get(key), (e) => e.value)
          }).pipe(
            Effect.provide(MemcachedStore.layerConfig()),
            Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))
          )
        expect(yield* roundTrip({ CACHET_MEMCACHED_SERVERS: server.url, CACHET_MEMCACHED_KEY_PREFIX: "env:" }, "a"))
          .toEqual(Option.some(`"a"`))
        const unprefixed = yield* Effect.either(roundTrip({ MEMCACHED_SERVERS: server.url }, "b"))
        expect(Either.isLeft(unprefixed)).toBe(true)
      }))
  })
})
