/**
 * A test fixture: the parts the cache's reads and writes work with (`Reads.StoreParts`), built
 * by hand over one memory store and a `TestClock`, reachable three ways — the in-process
 * synchronous path, a remote-like store with `getWithVersions`, and a fault-injecting store with
 * neither (`get`, then `TagVersions.versions`) — plus helpers to put entries straight into it.
 */
import { CircuitBreaker, Codec, MemoryStore, type Store, TagVersions } from "@cachet/core"
import { FaultyStore } from "@cachet/core/testing"
import type { Scope } from "effect"
import { Duration, Effect, Schedule } from "effect"

import type { AnySchema } from "../src/internal/entryState.js"
import * as PendingInvalidations from "../src/internal/pendingInvalidations.js"
import type { StoreParts } from "../src/internal/reads.js"
import * as Stats from "../src/internal/stats.js"
import * as StoreGuard from "../src/internal/storeGuard.js"

/**
 * How the parts reach the memory store:
 * - `sync`: the memory store itself (in-process, synchronous access: the hit path);
 * - `withVersions`: the same store seen as remote (no synchronous access; `getWithVersions`);
 * - `get`: a `FaultyStore` over it (neither: `get`, then the tag versions; faults injectable).
 */
export type Path = "sync" | "withVersions" | "get"

/** Every path, for tests that must agree across them. */
export const paths: ReadonlyArray<Path> = ["sync", "withVersions", "get"]

/** The JSON schema as the internals take it. */
export const json = Codec.json as AnySchema

/** The store parts, the memory store behind them, and the faults of the `get` path. */
export interface Fixture extends StoreParts {
  readonly memory: MemoryStore.MemoryStore
  readonly faults: FaultyStore.Faults
  readonly breaker: CircuitBreaker.CircuitBreaker
  /** Puts an entry straight into the memory store (stamped with the current counter by default). */
  readonly put: (key: string, value: unknown, options?: Partial<Store.Entry>) => Effect.Effect<Store.Entry>
  /** The entry the memory store holds under a key now. */
  readonly stored: (key: string) => Effect.Effect<Store.Entry | undefined>
}

/**
 * Builds the parts. The pending invalidations' relay never gets an acknowledgement, so what a
 * test records stays pending for the whole test.
 */
export const make = (path: Path): Effect.Effect<Fixture, never, Scope.Scope> =>
  Effect.gen(function*() {
    const memory = yield* MemoryStore.makeUnscoped()
    const faults: FaultyStore.Faults = {
      failing: false,
      failingOperations: new Set(),
      latency: Duration.zero,
      calls: new Map()
    }
    const { store, tagVersions } = path === "sync"
      ? memory
      : path === "withVersions"
      ? { store: { ...memory.store, local: false }, tagVersions: memory.tagVersions }
      : FaultyStore.wrap(faults, memory.store, memory.tagVersions)
    const counters = Stats.makeCounters()
    const breaker = yield* CircuitBreaker.make({ threshold: 5, cooldown: "10 seconds" })
    const guard = StoreGuard.make({ store, breaker, counters, timeoutMillis: 500 })
    const pending = yield* PendingInvalidations.make({
      apply: () => Effect.fail("the store never acknowledges"),
      retry: Schedule.spaced("1 hour"),
      onAcknowledged: () => Effect.void,
      onLost: () => Effect.void
    })
    const clock = yield* Effect.clock
    const now = () => clock.unsafeCurrentTimeMillis()
    const nanos = () => clock.unsafeCurrentTimeNanos()
    const put: Fixture["put"] = (key, value, options) =>
      Effect.gen(function*() {
        const counter = yield* Effect.orDie(memory.tagVersions.counter)
        const entry: Store.Entry = {
          value: JSON.stringify(value),
          stamp: TagVersions.stampOf(counter),
          createdAt: now(),
          ttl: 100,
          grace: 50,
          tags: [],
          failed: false,
          ...options
        }
        yield* Effect.orDie(memory.store.set(key, entry))
        return entry
      })
    const stored: Fixture["stored"] = (key) => Effect.sync(() => memory.store.sync?.read(key, now())?.entry)
    return {
      prefix: "",
      store,
      tagVersions,
      guard,
      pending,
      counters,
      now,
      nanos,
      memory,
      faults,
      breaker,
      put,
      stored
    }
  })
