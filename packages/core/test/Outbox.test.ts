/**
 * The outbox: deferred invalidations journaled to a file, flushed before `invalidate` returns,
 * forgotten once the store acknowledges them, and replayed by a cache that starts over the same
 * journal — which then serves no entry they cover, even though the store still holds it.
 */
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"

import { Cache, MemoryStore, Outbox, Store, TagVersions } from "@cachet/core"
import { FaultyStore } from "@cachet/core/testing"
import { NodeFileSystem } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Context, Duration, Effect, Exit, Layer, Logger, LogLevel, Ref, Scope } from "effect"

const quiet = Logger.minimumLogLevel(LogLevel.None)

const tempDirectory = Effect.acquireRelease(
  Effect.sync(() => Fs.mkdtempSync(Path.join(Os.tmpdir(), "cachet-outbox-"))),
  (dir) => Effect.sync(() => Fs.rmSync(dir, { recursive: true, force: true }))
)

const journalText = (dir: string) =>
  Fs.readdirSync(dir).map((name) => Fs.readFileSync(Path.join(dir, name), "utf8")).join("")

describe("Outbox.replay", () => {
  it("keeps what was added and never acknowledged, oldest first, and skips a torn last line", () => {
    const text = [
      JSON.stringify({ add: 1, invalidation: { _tag: "Bump", paths: ["users"], mode: "hard" } }),
      JSON.stringify({ add: 2, invalidation: { _tag: "Delete", keys: ["k"] } }),
      JSON.stringify({ add: 3, invalidation: { _tag: "Bump", paths: ["posts"], mode: "soft" } }),
      JSON.stringify({ ack: [2] }),
      "{\"add\":4,\"invalidation\":{\"_tag\":\"Bu"
    ].join("\n")
    const { last, pending } = Outbox.replay(text)
    expect(last).toBe(3)
    expect(pending).toEqual([
      [1, { _tag: "Bump", paths: ["users"], mode: "hard" }],
      [3, { _tag: "Bump", paths: ["posts"], mode: "soft" }]
    ])
  })
})

/** A memory store shared by successive "processes" (caches), reached through a fault injector. */
const sharedStore = Effect.gen(function*() {
  const shared = yield* Layer.build(MemoryStore.layer())
  const faults: FaultyStore.Faults = { failing: false, latency: Duration.zero, calls: new Map() }
  const wrapped = FaultyStore.wrap(
    faults,
    Context.get(shared, Store.Store),
    Context.get(shared, TagVersions.TagVersions)
  )
  return { faults, store: wrapped.store, tagVersions: wrapped.tagVersions }
})

type Shared = Effect.Effect.Success<typeof sharedStore>

/** A cache (one "process") over the shared store and the outbox in `dir`, living in `scope`. */
const processOver = (shared: Shared, dir: string | undefined, scope: Scope.Scope) =>
  Cache.make({ breakerThreshold: 100 }).pipe(
    Effect.provideService(Store.Store, shared.store),
    Effect.provideService(TagVersions.TagVersions, shared.tagVersions),
    Effect.provide(dir === undefined ? Layer.empty : Outbox.layer({ directory: dir })),
    Effect.provide(NodeFileSystem.layer),
    Scope.extend(scope)
  )

/** The row a read fetches, and how many times it was fetched. */
const database = Effect.gen(function*() {
  const row = yield* Ref.make("old")
  const reads = yield* Ref.make(0)
  return { row, reads, load: Effect.zipRight(Ref.update(reads, (n) => n + 1), Ref.get(row)) }
})

/** One crash: warm, store down, write + invalidate (returns), the process dies, the store comes back. */
const crashDuringOutage = (dir: string | undefined) =>
  Effect.gen(function*() {
    const shared = yield* sharedStore
    const db = yield* database
    const read = (cache: Cache.Service) => cache.getOrFetch("post:7", db.load, { tags: "posts/7", ttl: "1 hour" })

    const first = yield* Scope.make()
    const a = yield* processOver(shared, dir, first)
    expect(yield* read(a)).toBe("old")
    shared.faults.failing = true
    yield* Ref.set(db.row, "new")
    yield* a.invalidate("posts/7")
    expect((yield* a.stats).pendingInvalidations).toBe(1)
    // A crash: the process's memory is gone; its last attempt at shutdown fails too (store down).
    yield* Scope.close(first, Exit.void)
    shared.faults.failing = false

    const second = yield* Scope.make()
    const b = yield* processOver(shared, dir, second)
    const seen = yield* read(b)
    return { seen, b, second, shared }
  })

describe("a cache over an outbox (FaultyStore, files in a temporary directory)", () => {
  it.scoped("an invalidation deferred before a crash is replayed by the next process: the old value is not served", () =>
    Effect.gen(function*() {
      const dir = yield* tempDirectory
      const { b, seen } = yield* crashDuringOutage(dir)
      expect(seen).toBe("new")
      // The replay reaches the store; the journal is then emptied.
      yield* b.awaitPendingInvalidations
      expect((yield* b.stats).pendingInvalidations).toBe(0)
      expect(journalText(dir)).toBe("")
    }).pipe(Effect.provide(quiet)))

  it.scoped("without an outbox the same crash loses the invalidation (the store serves the old value)", () =>
    Effect.gen(function*() {
      const { seen } = yield* crashDuringOutage(undefined)
      expect(seen).toBe("old")
    }).pipe(Effect.provide(quiet)))

  it.scoped("the entry is flushed before invalidate returns and forgotten once the store acknowledges it", () =>
    Effect.gen(function*() {
      const dir = yield* tempDirectory
      const shared = yield* sharedStore
      const scope = yield* Scope.make()
      const cache = yield* processOver(shared, dir, scope)
      shared.faults.failing = true
      yield* cache.invalidate(["users/1", "posts"])
      yield* cache.expire("comments")
      yield* cache.delete("k")
      const lines = journalText(dir).trim().split("\n").map((line) => JSON.parse(line))
      expect(lines.map((line) => line.invalidation)).toEqual([
        { _tag: "Bump", paths: ["users/1", "posts"], mode: "hard" },
        { _tag: "Bump", paths: ["comments"], mode: "soft" },
        { _tag: "Delete", keys: ["cachet:1:k"] }
      ])
      shared.faults.failing = false
      yield* cache.awaitPendingInvalidations
      expect(journalText(dir)).toBe("")
      // An invalidation the store takes at once is never journaled.
      yield* cache.invalidate("users")
      expect(journalText(dir)).toBe("")
      yield* Scope.close(scope, Exit.void)
    }).pipe(Effect.provide(quiet)))

  it.scoped("a journal whose entries were all acknowledged replays nothing", () =>
    Effect.gen(function*() {
      const dir = yield* tempDirectory
      Fs.writeFileSync(
        Path.join(dir, "cachet%3a1%3a.outbox.jsonl"),
        `${JSON.stringify({ add: 1, invalidation: { _tag: "Bump", paths: ["x"], mode: "hard" } })}\n` +
          `${JSON.stringify({ ack: [1] })}\n`
      )
      const shared = yield* sharedStore
      const cache = yield* processOver(shared, dir, yield* Effect.scope)
      expect((yield* cache.stats).pendingInvalidations).toBe(0)
      expect(journalText(dir)).toBe("")
      expect(shared.faults.calls.get("bump") ?? 0).toBe(0)
    }).pipe(Effect.provide(quiet)))
})
