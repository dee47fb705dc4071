/**
 * Reads on their own (`internal/reads.ts`), built from their parts: a memory store reached three
 * ways (synchronously, remote-like with `getWithVersions`, and through `get` + tag versions),
 * the store guard, the pending invalidations, the counters and a `TestClock`.
 */
import { Store, Tag, TagVersions } from "@cachet/core"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Logger, LogLevel, Schema, TestClock } from "effect"

import type { AnySchema, Lookup } from "../src/internal/entryState.js"
import * as Reads from "../src/internal/reads.js"
import * as StoreParts from "./StoreParts.js"

const quiet = Effect.provide(Logger.minimumLogLevel(LogLevel.None))

const make = (path: StoreParts.Path) =>
  Effect.map(StoreParts.make(path), (parts) => ({ ...parts, reads: Reads.make(parts) }))

/** What a lookup says, in a form `toEqual` compares. */
const summary = (found: Lookup) =>
  found._tag === "Fresh" || found._tag === "Stale"
    ? { _tag: found._tag, decoded: found.decoded, createdAt: found.createdAt }
    : { _tag: found._tag }

const NumberSchema = Schema.Number as unknown as AnySchema

describe("Reads", () => {
  for (const path of StoreParts.paths) {
    describe(`lookup (${path})`, () => {
      it.scoped("fresh within the ttl, stale past it within grace, a miss past grace", () =>
        Effect.gen(function*() {
          const { put, reads } = yield* make(path)
          yield* TestClock.adjust(1_000)
          yield* put("k", { n: 1 }, { ttl: 100, grace: 50 })
          yield* TestClock.adjust(99)
          expect(summary(yield* reads.lookup("k", StoreParts.json, undefined)))
            .toEqual({ _tag: "Fresh", decoded: { failed: false, value: { n: 1 } }, createdAt: 1_000 })
          yield* TestClock.adjust(1)
          expect(summary(yield* reads.lookup("k", StoreParts.json, undefined)))
            .toEqual({ _tag: "Stale", decoded: { failed: false, value: { n: 1 } }, createdAt: 1_000 })
          yield* TestClock.adjust(50)
          expect(summary(yield* reads.lookup("k", StoreParts.json, undefined))).toEqual({ _tag: "Miss" })
        }))

      it.scoped("a soft-expired entry is stale at once; a hard-invalidated one (of an ancestor tag) is a miss", () =>
        Effect.gen(function*() {
          const { put, reads, tagVersions } = yield* make(path)
          yield* put("a", "A", { tags: ["users/1"] })
          yield* put("b", "B", { tags: ["posts/1"] })
          yield* put("c", "C", { tags: ["users/2"] })
          yield* tagVersions.bump(["users/1"], "soft")
          yield* tagVersions.bump(["posts"], "hard")
          expect((yield* reads.lookup("a", StoreParts.json, undefined))._tag).toBe("Stale")
          expect((yield* reads.lookup("b", StoreParts.json, undefined))._tag).toBe("Miss")
          expect((yield* reads.lookup("c", StoreParts.json, undefined))._tag).toBe("Fresh")
          // An entry written after the bump (a later stamp) is fresh again.
          yield* put("b", "B2", { tags: ["posts/1"] })
          expect(summary(yield* reads.lookup("b", StoreParts.json, undefined)))
            .toEqual({ _tag: "Fresh", decoded: { failed: false, value: "B2" }, createdAt: 0 })
        }))

      it.scoped("an absent key is a miss", () =>
        Effect.gen(function*() {
          const { counters, reads } = yield* make(path)
          expect(yield* reads.lookup("nothing", StoreParts.json, undefined)).toEqual({ _tag: "Miss" })
          expect(counters.storeErrors).toBe(0)
        }))

      it.scoped("an entry that does not decode with the schema is a miss, deleted and counted", () =>
        Effect.gen(function*() {
          const { counters, reads, put, stored } = yield* make(path)
          yield* put("k", "not a number")
          expect(yield* reads.lookup("k", NumberSchema, undefined)).toEqual({ _tag: "Miss" })
          expect(counters.decodeFailures).toBe(1)
          expect(yield* stored("k")).toBeUndefined()
        }).pipe(quiet))

      it.scoped("a cached failure is served with a failure schema, and is a plain miss (not corrupt) without one", () =>
        Effect.gen(function*() {
          const { counters, put, reads, stored } = yield* make(path)
          yield* put("k", { _tag: "NotFound" }, { failed: true })
          const NotFound = Schema.Struct({ _tag: Schema.Literal("NotFound") }) as unknown as AnySchema
          const found = yield* reads.lookup("k", StoreParts.json, NotFound)
          expect(summary(found)).toEqual({
            _tag: "Fresh",
            decoded: { failed: true, error: { _tag: "NotFound" } },
            createdAt: 0
          })
          expect(found._tag === "Fresh" && (yield* Effect.flip(found.served))).toEqual({ _tag: "NotFound" })
          expect(yield* reads.lookup("k", StoreParts.json, undefined)).toEqual({ _tag: "Miss" })
          expect(counters.decodeFailures).toBe(0)
          expect(yield* stored("k")).toBeDefined()
        }))

      it.scoped("the decoded value is kept: two hits on one entry give the same lookup; a new entry decodes anew", () =>
        Effect.gen(function*() {
          const { put, reads } = yield* make(path)
          yield* put("k", { n: 1 })
          const first = yield* reads.lookup("k", StoreParts.json, undefined)
          const second = yield* reads.lookup("k", StoreParts.json, undefined)
          expect(first._tag).toBe("Fresh")
          expect(second).toBe(first)
          // Values served from the cache are frozen, so a reader cannot change what the next one gets.
          expect(first._tag === "Fresh" && !first.decoded.failed && Object.isFrozen(first.decoded.value)).toBe(true)
          yield* put("k", { n: 2 })
          const third = yield* reads.lookup("k", StoreParts.json, undefined)
          expect(third).not.toBe(first)
          expect(summary(third)).toEqual({ _tag: "Fresh", decoded: { failed: false, value: { n: 2 } }, createdAt: 0 })
        }))

      it.scoped("a pending invalidation overrides validity: hard makes a miss, soft makes stale, a pending delete a miss", () =>
        Effect.gen(function*() {
          const { pending, put, reads } = yield* make(path)
          const a = yield* put("a", "A", { tags: ["users/1/posts/2"] })
          const b = yield* put("b", "B", { tags: ["posts/1"] })
          yield* put("c", "C")
          yield* put("d", "D", { tags: ["other"] })
          const versionsA = Tag.prefixesOfAll(a.tags).map(() => TagVersions.initial)
          expect(reads.validityOfRaw("a", a, versionsA)).toBe("valid")
          pending.record({ _tag: "Bump", paths: ["users/1"], mode: "hard" })
          pending.record({ _tag: "Bump", paths: ["posts"], mode: "soft" })
          pending.record({ _tag: "Delete", keys: ["c"] })
          expect(reads.validityOfRaw("a", a, versionsA)).toBe("invalidated")
          expect(reads.validityOfRaw("b", b, [TagVersions.initial, TagVersions.initial])).toBe("expired")
          // A pending soft expiry never makes a hard-invalidated entry servable again.
          expect(reads.validityOfRaw("b", b, [{ hard: b.stamp, soft: 0 }, TagVersions.initial])).toBe("invalidated")
          expect((yield* reads.lookup("a", StoreParts.json, undefined))._tag).toBe("Miss")
          expect((yield* reads.lookup("b", StoreParts.json, undefined))._tag).toBe("Stale")
          expect((yield* reads.lookup("c", StoreParts.json, undefined))._tag).toBe("Miss")
          expect((yield* reads.lookup("d", StoreParts.json, undefined))._tag).toBe("Fresh")
        }))
    })
  }

  describe("freshHit (the hit path of an in-process store)", () => {
    const namespaced = Effect.map(
      StoreParts.make("sync"),
      (parts) => ({ ...parts, reads: Reads.make({ ...parts, prefix: "ns:" }) })
    )

    it.scoped("exists only for a store with synchronous access", () =>
      Effect.gen(function*() {
        expect((yield* make("withVersions")).reads.freshHit).toBeUndefined()
        expect((yield* make("get")).reads.freshHit).toBeUndefined()
        expect((yield* make("sync")).reads.freshHit).toBeDefined()
      }))

    it.scoped("serves a judged, fresh, valid entry under the cache's namespace by the rest of its key, the same effect each time", () =>
      Effect.gen(function*() {
        const { put, reads } = yield* namespaced
        const hit = reads.freshHit!
        yield* put("ns:k", { n: 1 }, { ttl: 100, tags: ["users/1"] })
        yield* put("other:k", { n: 2 })
        // Not judged yet: the full lookup decodes it first.
        expect(hit("k", StoreParts.json, undefined)).toBeUndefined()
        yield* reads.lookup("ns:k", StoreParts.json, undefined)
        const served = hit("k", StoreParts.json, undefined)
        expect(served).toBeDefined()
        expect(yield* served!.served).toEqual({ n: 1 })
        // The same hit, and the same first generator step, each time: nothing made per hit.
        expect(hit("k", StoreParts.json, undefined)).toBe(served)
        expect(served!.step.done).toBe(false)
        // Another schema, another key, a key outside the namespace: not served here.
        expect(hit("k", NumberSchema, undefined)).toBeUndefined()
        expect(hit("missing", StoreParts.json, undefined)).toBeUndefined()
        expect(hit("other:k", StoreParts.json, undefined)).toBeUndefined()
        // Past the ttl (in grace): the full lookup decides (stale).
        yield* TestClock.adjust(100)
        expect(hit("k", StoreParts.json, undefined)).toBeUndefined()
        expect((yield* reads.lookup("ns:k", StoreParts.json, undefined))._tag).toBe("Stale")
      }))

    it.scoped("an invalidation or expiry of any ancestor tag, a rewrite, a delete or a pending invalidation stops serving at once", () =>
      Effect.gen(function*() {
        const { memory, pending, put, reads } = yield* namespaced
        const hit = reads.freshHit!
        const judged = (key: string) =>
          Effect.zipRight(
            reads.lookup(`ns:${key}`, StoreParts.json, undefined),
            Effect.sync(() => hit(key, StoreParts.json, undefined))
          )
        yield* put("ns:a", "A", { tags: ["users/1/posts"] })
        yield* put("ns:b", "B", { tags: ["posts/1"] })
        yield* put("ns:c", "C")
        expect(yield* judged("a")).toBeDefined()
        expect(yield* judged("b")).toBeDefined()
        // A bump of an unrelated tag changes the generation; the entries are found valid again.
        yield* Effect.orDie(memory.tagVersions.bump(["comments"], "hard"))
        expect(hit("a", StoreParts.json, undefined)).toBeDefined()
        yield* Effect.orDie(memory.tagVersions.bump(["users"], "hard"))
        expect(hit("a", StoreParts.json, undefined)).toBeUndefined()
        yield* Effect.orDie(memory.tagVersions.bump(["posts/1"], "soft"))
        expect(hit("b", StoreParts.json, undefined)).toBeUndefined()
        expect(yield* judged("c")).toBeDefined()
        yield* put("ns:c", "C2")
        expect(hit("c", StoreParts.json, undefined)).toBeUndefined()
        expect(yield* judged("c")).toBeDefined()
        yield* Effect.orDie(memory.store.delete("ns:c"))
        expect(hit("c", StoreParts.json, undefined)).toBeUndefined()
        yield* put("ns:d", "D")
        expect(yield* judged("d")).toBeDefined()
        pending.record({ _tag: "Delete", keys: ["ns:d"] })
        expect(hit("d", StoreParts.json, undefined)).toBeUndefined()
      }))

    it.scoped("a cached failure is served only to a read that caches failures", () =>
      Effect.gen(function*() {
        const { put, reads } = yield* namespaced
        yield* put("ns:f", "boom", { failed: true })
        yield* reads.lookup("ns:f", StoreParts.json, StoreParts.json)
        expect(reads.freshHit!("f", StoreParts.json, undefined)).toBeUndefined()
        const served = reads.freshHit!("f", StoreParts.json, StoreParts.json)
        expect(served).toBeDefined()
        expect(yield* Effect.flip(served!.served)).toBe("boom")
      }))
  })

  it.scoped("every path judges alike, and judgeSync agrees with lookup, over a table of entries and invalidations", () =>
    Effect.gen(function*() {
      const all = yield* Effect.forEach(StoreParts.paths, make)
      const [sync] = all
      const access = sync!.reads.sync!
      expect(all.map((parts) => parts.reads.sync === undefined)).toEqual([false, true, true])
      const keys = ["plain", "soft", "hard", "both", "late"]
      // Each fixture has its own memory store: give every one the same history.
      for (const parts of all) {
        yield* parts.put("plain", "plain")
        yield* parts.put("soft", "soft", { tags: ["soft/1"] })
        yield* parts.put("hard", "hard", { tags: ["hard/1"] })
        yield* parts.put("both", "both", { tags: ["soft/2", "hard/2"] })
        yield* parts.tagVersions.bump(["soft"], "soft")
        yield* parts.tagVersions.bump(["hard"], "hard")
        // Written after both bumps: untouched by them.
        yield* parts.put("late", "late", { tags: ["soft/3"] })
      }
      // Entries live 100 ms and then 50 ms of grace (the fixture's defaults).
      const expected: ReadonlyArray<readonly [number, ReadonlyArray<Lookup["_tag"]>]> = [
        [0, ["Fresh", "Stale", "Miss", "Miss", "Fresh"]],
        [100, ["Stale", "Stale", "Miss", "Miss", "Stale"]],
        [150, ["Miss", "Miss", "Miss", "Miss", "Miss"]]
      ]
      for (const [time, tags] of expected) {
        yield* TestClock.setTime(time)
        const results = yield* Effect.forEach(
          all,
          (parts) =>
            Effect.forEach(keys, (key) => Effect.map(parts.reads.lookup(key, StoreParts.json, undefined), summary))
        )
        expect(results[0]!.map((found) => found._tag)).toEqual(tags)
        expect(results[1]).toEqual(results[0])
        expect(results[2]).toEqual(results[0])
        expect(keys.map((key) => summary(sync!.reads.judgeSync(access, key, StoreParts.json, undefined) as Lookup)))
          .toEqual(results[0])
      }
    }))

  it.scoped("judgeSync reports a corrupt entry without deleting it (the caller drops it)", () =>
    Effect.gen(function*() {
      const { counters, put, reads, stored } = yield* make("sync")
      yield* put("k", "text")
      expect(reads.judgeSync(reads.sync!, "k", NumberSchema, undefined)).toEqual({ _tag: "Corrupt" })
      expect(yield* stored("k")).toBeDefined()
      expect(counters.decodeFailures).toBe(0)
      yield* reads.dropCorrupt("k").pipe(quiet)
      expect(yield* stored("k")).toBeUndefined()
      expect(counters.decodeFailures).toBe(1)
    }))

  describe("an unreachable store", () => {
    it.scoped("a failing get, or failing tag versions, make the lookup Unavailable (counted, never failing)", () =>
      Effect.gen(function*() {
        const { counters, faults, put, reads } = yield* make("get")
        yield* put("k", "v", { tags: ["users/1"] })
        faults.failingOperations = new Set(["versions"])
        expect(yield* reads.lookup("k", StoreParts.json, undefined)).toEqual({ _tag: "Unavailable" })
        expect(yield* reads.readRaw("k")).toEqual({ _tag: "Unavailable" })
        faults.failingOperations = new Set()
        faults.failing = true
        expect(yield* reads.lookup("k", StoreParts.json, undefined)).toEqual({ _tag: "Unavailable" })
        expect(counters.storeErrors).toBe(3)
        // An absent key is told apart from an unreachable store.
        faults.failing = false
        expect(yield* reads.lookup("absent", StoreParts.json, undefined)).toEqual({ _tag: "Miss" })
        expect(yield* reads.readRaw("absent")).toEqual({ _tag: "Absent" })
      }).pipe(quiet))

    it.scoped("an untagged entry needs no tag versions, so it is read though they fail", () =>
      Effect.gen(function*() {
        const { faults, put, reads } = yield* make("get")
        yield* put("k", "v")
        faults.failingOperations = new Set(["versions"])
        expect((yield* reads.lookup("k", StoreParts.json, undefined))._tag).toBe("Fresh")
        expect(faults.calls.get("versions")).toBeUndefined()
      }))

    it.scoped("a remote store whose getWithVersions fails is Unavailable too", () =>
      Effect.gen(function*() {
        const parts = yield* StoreParts.make("withVersions")
        const reads = Reads.make({
          ...parts,
          store: {
            ...parts.store,
            getWithVersions: () => Effect.fail(new Store.StoreError({ operation: "get", reason: "down" }))
          }
        })
        expect(reads.sync).toBeUndefined()
        expect(yield* reads.lookup("k", StoreParts.json, undefined)).toEqual({ _tag: "Unavailable" })
        expect(parts.counters.storeErrors).toBe(1)
      }).pipe(quiet))
  })

  describe("lookupMany", () => {
    it.scoped("judges mixed keys with one read of the entries and one of the versions of all their tag paths", () =>
      Effect.gen(function*() {
        const { counters, faults, put, reads, stored, tagVersions } = yield* make("get")
        yield* put("fresh", "F", { tags: ["users/1"] })
        yield* put("soft", "S", { tags: ["users/2"] })
        yield* put("hard", "H", { tags: ["posts/1", "users/1"] })
        yield* put("corrupt", "not a number")
        yield* put("number", 7)
        yield* tagVersions.bump(["users/2"], "soft")
        yield* tagVersions.bump(["posts"], "hard")
        const keys = ["fresh", "absent", "soft", "hard", "number"]
        faults.calls.clear()
        const found = yield* reads.lookupMany(keys, StoreParts.json)
        expect(found.map((lookup) => lookup._tag)).toEqual(["Fresh", "Miss", "Stale", "Miss", "Fresh"])
        expect(summary(found[4]!)).toEqual({ _tag: "Fresh", decoded: { failed: false, value: 7 }, createdAt: 0 })
        expect(Object.fromEntries(faults.calls)).toEqual({ getMany: 1, versions: 1 })
        // With a schema some entries do not decode with: those are dropped and counted.
        const numbers = yield* reads.lookupMany(["number", "corrupt"], NumberSchema).pipe(quiet)
        expect(numbers.map(summary)).toEqual([
          { _tag: "Fresh", decoded: { failed: false, value: 7 }, createdAt: 0 },
          { _tag: "Miss" }
        ])
        expect(counters.decodeFailures).toBe(1)
        expect(yield* stored("corrupt")).toBeUndefined()
      }))

    it.scoped("untagged keys need no versions; an unreachable store makes every key Unavailable", () =>
      Effect.gen(function*() {
        const { faults, put, reads } = yield* make("get")
        yield* put("a", "A")
        faults.calls.clear()
        expect((yield* reads.lookupMany(["a", "b"], StoreParts.json)).map((found) => found._tag)).toEqual([
          "Fresh",
          "Miss"
        ])
        expect(Object.fromEntries(faults.calls)).toEqual({ getMany: 1 })
        faults.failing = true
        expect(yield* reads.lookupMany(["a", "b"], StoreParts.json)).toEqual([{ _tag: "Unavailable" }, {
          _tag: "Unavailable"
        }])
        yield* put("t", "T", { tags: ["x"] })
        faults.failing = false
        faults.failingOperations = new Set(["versions"])
        expect(yield* reads.lookupMany(["a", "t"], StoreParts.json)).toEqual([{ _tag: "Unavailable" }, {
          _tag: "Unavailable"
        }])
      }).pipe(quiet))

    it.scoped("agrees with lookup, and keeps the decoded value too", () =>
      Effect.gen(function*() {
        for (const path of StoreParts.paths) {
          const { put, reads, tagVersions } = yield* make(path)
          yield* put("a", "A", { tags: ["t/1"] })
          yield* put("b", "B", { tags: ["t/2"] })
          yield* tagVersions.bump(["t/2"], "soft")
          const many = yield* reads.lookupMany(["a", "b", "c"], StoreParts.json)
          const one = yield* Effect.forEach(["a", "b", "c"], (key) => reads.lookup(key, StoreParts.json, undefined))
          expect(many.map(summary)).toEqual(one.map(summary))
          expect(many.map((found) => found._tag)).toEqual(["Fresh", "Stale", "Miss"])
          // A second batch read of the same entries decodes nothing again.
          const again = yield* reads.lookupMany(["a", "b", "c"], StoreParts.json)
          expect(again[0]).toBe(many[0])
          expect(again[1]).toBe(many[1])
        }
      }))
  })

  it.scoped("readRaw returns the entry with the versions of every prefix of its tags, in order", () =>
    Effect.gen(function*() {
      for (const path of StoreParts.paths) {
        const { put, reads, tagVersions } = yield* make(path)
        const entry = yield* put("k", "v", { tags: ["a/b", "c"] })
        const bumped = yield* tagVersions.bump(["a/b"], "soft")
        expect(yield* reads.readRaw("k")).toEqual({
          _tag: "Found",
          entry,
          versions: [TagVersions.initial, { hard: 0, soft: bumped }, TagVersions.initial]
        })
        expect(yield* reads.readRaw("absent")).toEqual({ _tag: "Absent" })
      }
    }))
})
