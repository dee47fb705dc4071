/**
 * Writes on their own (`internal/writes.ts`), built from their parts: tickets and stamps, what a
 * pending invalidation covers, the write options (`when`, ttl and tags from the outcome),
 * failure caching, the hard timeout, and the counters.
 */
import { Cache, Store, TagVersions } from "@cachet/core"
import { describe, expect, it } from "@effect/vitest"
import { Cause, Data, Deferred, Effect, Exit, Fiber, Logger, LogLevel, Option, Schema, TestClock } from "effect"

import type { AnySchema } from "../src/internal/entryState.js"
import { type AnyFetchOptions, resolver } from "../src/internal/options.js"
import * as Reads from "../src/internal/reads.js"
import * as Writes from "../src/internal/writes.js"
import * as StoreParts from "./StoreParts.js"

const quiet = Effect.provide(Logger.minimumLogLevel(LogLevel.None))

const make = (path: StoreParts.Path = "sync") =>
  Effect.map(StoreParts.make(path), (parts) => ({ ...parts, reads: Reads.make(parts), writes: Writes.make(parts) }))

/** Options resolved as the cache resolves them, against defaults of 1 minute ttl and no grace. */
const resolve = (options?: AnyFetchOptions, writes = true) => resolver({ ttl: 60_000, grace: 0 })(options, writes)

const options = <A, E = never, EI = unknown>(
  given: Cache.FetchOptions<A, unknown, E, EI, "CacheOrNetwork", {}, never>
) => given as unknown as AnyFetchOptions

class NotFound extends Schema.TaggedError<NotFound>()("NotFound", { id: Schema.Number }) {}
type NotFoundEncoded = typeof NotFound.Encoded
class Gone extends Data.TaggedError("Gone")<{}> {}

describe("Writes", () => {
  it.scoped("fetchAndWrite writes the value with the stamp read before the fetch, its ttl, grace and tags, and counts", () =>
    Effect.gen(function*() {
      const { counters, stored, tagVersions, writes } = yield* make()
      yield* tagVersions.bump(["elsewhere"], "hard")
      yield* TestClock.adjust(5_000)
      const exit = yield* writes.fetchAndWrite(
        "k",
        Effect.succeed({ n: 1 }),
        resolve({ grace: "1 second", tags: ["users/1", "posts"] })
      )
      expect(exit).toEqual(Exit.succeed({ n: 1 }))
      expect(yield* stored("k")).toEqual({
        value: JSON.stringify({ n: 1 }),
        stamp: TagVersions.stampOf(1),
        createdAt: 5_000,
        ttl: 60_000,
        grace: 1_000,
        tags: ["users/1", "posts"],
        failed: false
      })
      expect(counters).toMatchObject({ fetches: 1, writes: 1, fetchFailures: 0 })
    }))

  it.scoped("the ticket is the counter plus one and the pending epoch; None when the counter cannot be read", () =>
    Effect.gen(function*() {
      const { faults, pending, tagVersions, writes } = yield* make("get")
      yield* tagVersions.bump(["a"], "hard")
      yield* tagVersions.bump(["b"], "soft")
      const ticket = yield* writes.ticket
      expect(ticket).toEqual(Option.some({ stamp: 3, epoch: 0 }))
      expect(writes.stillWritable(ticket)).toBe(true)
      pending.record({ _tag: "Bump", paths: ["c"], mode: "hard" })
      expect(writes.stillWritable(ticket)).toBe(false)
      expect(writes.stillWritable(yield* writes.ticket)).toBe(true)
      faults.failingOperations = new Set(["counter"])
      const none = yield* writes.ticket.pipe(quiet)
      expect(none).toEqual(Option.none())
      expect(writes.stillWritable(none)).toBe(false)
    }))

  it.scoped("a result fetched before an invalidation of its tag is written already invalid: never served", () =>
    Effect.gen(function*() {
      const { counters, reads, stored, tagVersions, writes } = yield* make()
      const fetch = Effect.as(tagVersions.bump(["users"], "hard"), "old")
      expect(yield* writes.fetchAndWrite("k", fetch, resolve({ tags: "users/1" }))).toEqual(Exit.succeed("old"))
      const entry = yield* stored("k")
      expect(entry?.stamp).toBe(1)
      expect(counters.writes).toBe(1)
      expect(yield* reads.readRaw("k")).toEqual({
        _tag: "Found",
        entry,
        versions: [{ hard: 1, soft: 0 }, TagVersions.initial]
      })
      expect(yield* reads.lookup("k", StoreParts.json, undefined)).toEqual({ _tag: "Miss" })
      // A fetch that starts after the invalidation writes a servable entry.
      yield* writes.fetchAndWrite("k", Effect.succeed("new"), resolve({ tags: "users/1" }))
      expect((yield* reads.lookup("k", StoreParts.json, undefined))._tag).toBe("Fresh")
    }))

  it.scoped("a result whose fetch saw an invalidation deferred (the store did not take it) is served, not written", () =>
    Effect.gen(function*() {
      const { counters, pending, stored, writes } = yield* make()
      const fetch = Effect.sync(() => {
        pending.record({ _tag: "Bump", paths: ["unrelated"], mode: "hard" })
        return "value"
      })
      expect(yield* writes.fetchAndWrite("k", fetch, resolve())).toEqual(Exit.succeed("value"))
      expect(yield* stored("k")).toBeUndefined()
      expect(counters).toMatchObject({ fetches: 1, writes: 0 })
    }))

  it.scoped("when the stamp cannot be read the fetch still runs, and its result is not written", () =>
    Effect.gen(function*() {
      const { counters, faults, stored, writes } = yield* make("get")
      faults.failingOperations = new Set(["counter"])
      expect(yield* writes.fetchAndWrite("k", Effect.succeed(1), resolve()).pipe(quiet)).toEqual(Exit.succeed(1))
      expect(yield* stored("k")).toBeUndefined()
      expect(faults.calls.get("set")).toBeUndefined()
      expect(counters).toMatchObject({ fetches: 1, writes: 0, storeErrors: 1 })
    }))

  it.scoped("what a pending invalidation covers is not written; what it does not cover is", () =>
    Effect.gen(function*() {
      const { counters, pending, stored, writes } = yield* make()
      pending.record({ _tag: "Bump", paths: ["users/1"], mode: "hard" })
      pending.record({ _tag: "Bump", paths: ["posts"], mode: "soft" })
      pending.record({ _tag: "Delete", keys: ["deleted"] })
      expect(writes.uncovered("k", ["users/1/posts/2"])).toBe(false)
      expect(writes.uncovered("k", ["posts/3"])).toBe(false)
      expect(writes.uncovered("deleted", [])).toBe(false)
      expect(writes.uncovered("k", ["users/2", "comments"])).toBe(true)
      expect(writes.uncovered("k", [])).toBe(true)
      const ticket = yield* writes.ticket
      yield* writes.writeOutcome("a", resolve({ tags: "users/1/posts/2" }), ticket, Exit.succeed("A"))
      yield* writes.writeOutcome("b", resolve({ tags: "posts/3" }), ticket, Exit.succeed("B"))
      yield* writes.writeOutcome("deleted", resolve(), ticket, Exit.succeed("D"))
      yield* writes.writeOutcome("c", resolve({ tags: "users/2" }), ticket, Exit.succeed("C"))
      expect(yield* Effect.forEach(["a", "b", "deleted"], stored)).toEqual([undefined, undefined, undefined])
      expect((yield* stored("c"))?.value).toBe(JSON.stringify("C"))
      expect(counters.writes).toBe(1)
    }))

  describe("options", () => {
    it.scoped("when: only a value it accepts is written", () =>
      Effect.gen(function*() {
        const { counters, stored, writes } = yield* make()
        const when = options<number>({ when: (n) => n > 0 })
        yield* writes.fetchAndWrite("zero", Effect.succeed(0), resolve(when))
        yield* writes.fetchAndWrite("one", Effect.succeed(1), resolve(when))
        expect(yield* stored("zero")).toBeUndefined()
        expect((yield* stored("one"))?.value).toBe("1")
        expect(counters).toMatchObject({ fetches: 2, writes: 1 })
      }))

    it.scoped("ttl and tags may be functions of the outcome", () =>
      Effect.gen(function*() {
        const { stored, writes } = yield* make()
        const fromOutcome = options<{ readonly id: number; readonly draft: boolean }>({
          ttl: (exit) => Exit.isSuccess(exit) && exit.value.draft ? "1 second" : "1 hour",
          tags: (exit) => Exit.isSuccess(exit) ? [`posts/${exit.value.id}`, "posts"] : []
        })
        yield* writes.fetchAndWrite("draft", Effect.succeed({ id: 7, draft: true }), resolve(fromOutcome))
        yield* writes.fetchAndWrite("published", Effect.succeed({ id: 8, draft: false }), resolve(fromOutcome))
        expect(yield* stored("draft")).toMatchObject({ ttl: 1_000, tags: ["posts/7", "posts"] })
        expect(yield* stored("published")).toMatchObject({ ttl: 3_600_000, tags: ["posts/8", "posts"] })
      }))

    it.scoped("a call that may not write (writes: false) reads no ticket and writes nothing", () =>
      Effect.gen(function*() {
        const { counters, faults, stored, writes } = yield* make("get")
        expect(yield* writes.fetchAndWrite("k", Effect.succeed(1), resolve(undefined, false))).toEqual(Exit.succeed(1))
        expect(Object.fromEntries(faults.calls)).toEqual({})
        expect(yield* stored("k")).toBeUndefined()
        expect(counters).toMatchObject({ fetches: 1, writes: 0 })
      }))

    it.scoped("a value its schema cannot encode is not written (and the fetch still succeeds)", () =>
      Effect.gen(function*() {
        const { counters, stored, writes } = yield* make()
        const numbers = options<unknown>({ schema: Schema.Number as unknown as Schema.Schema<unknown, unknown> })
        expect(yield* writes.fetchAndWrite("k", Effect.succeed("text"), resolve(numbers)).pipe(quiet)).toEqual(
          Exit.succeed("text")
        )
        expect(yield* stored("k")).toBeUndefined()
        expect(counters.writes).toBe(0)
        expect(
          yield* writes.makeEntry("k", Schema.Number as unknown as AnySchema, "text", false, 1, 1, 0, []).pipe(quiet)
        )
          .toEqual(Option.none())
      }))

    it.scoped("a store that fails the write fails open: the fetch's exit is returned, the write attempt and the error counted", () =>
      Effect.gen(function*() {
        const { counters, faults, stored, writes } = yield* make("get")
        faults.failingOperations = new Set(["set"])
        expect(yield* writes.fetchAndWrite("k", Effect.succeed(1), resolve()).pipe(quiet)).toEqual(Exit.succeed(1))
        expect(yield* stored("k")).toBeUndefined()
        expect(counters).toMatchObject({ fetches: 1, writes: 1, storeErrors: 1 })
      }))
  })

  describe("failures", () => {
    it.scoped("a typed failure is not written without a failure schema, and is counted", () =>
      Effect.gen(function*() {
        const { counters, stored, writes } = yield* make()
        const exit = yield* writes.fetchAndWrite("k", Effect.fail(new NotFound({ id: 1 })), resolve())
        expect(exit).toEqual(Exit.fail(new NotFound({ id: 1 })))
        expect(yield* stored("k")).toBeUndefined()
        expect(counters).toMatchObject({ fetches: 1, fetchFailures: 1, writes: 0 })
      }))

    it.scoped("with a failure schema it is written as a failed entry, with the failure ttl and no grace, and read back", () =>
      Effect.gen(function*() {
        const { counters, reads, stored, writes } = yield* make()
        const failing = options<string, NotFound, NotFoundEncoded>({
          grace: "1 minute",
          failures: { schema: NotFound, ttl: "10 seconds" }
        })
        yield* writes.fetchAndWrite("k", Effect.fail(new NotFound({ id: 1 })), resolve(failing))
        const entry = yield* stored("k")
        expect(JSON.parse(entry!.value)).toEqual({ _tag: "NotFound", id: 1 })
        expect(entry).toMatchObject({
          failed: true,
          ttl: 10_000,
          grace: 0
        })
        expect(counters).toMatchObject({ fetchFailures: 1, writes: 1 })
        const found = yield* reads.lookup("k", StoreParts.json, NotFound as unknown as AnySchema)
        expect(found._tag === "Fresh" && found.decoded).toEqual({ failed: true, error: new NotFound({ id: 1 }) })
      }))

    it.scoped("the default failure ttl is 30 seconds; a ttl function of the outcome decides it instead", () =>
      Effect.gen(function*() {
        const { stored, writes } = yield* make()
        yield* writes.fetchAndWrite(
          "default",
          Effect.fail(new NotFound({ id: 1 })),
          resolve(options<string, NotFound, NotFoundEncoded>({ failures: { schema: NotFound } }))
        )
        const byOutcome = options<string, NotFound, NotFoundEncoded>({
          ttl: (exit) => Exit.isFailure(exit) ? "2 seconds" : "1 hour",
          failures: { schema: NotFound }
        })
        yield* writes.fetchAndWrite("function", Effect.fail(new NotFound({ id: 2 })), resolve(byOutcome))
        expect((yield* stored("default"))?.ttl).toBe(30_000)
        expect((yield* stored("function"))?.ttl).toBe(2_000)
      }))

    it.scoped("failures.when decides which failures are cached; defects and interruptions never are", () =>
      Effect.gen(function*() {
        const { counters, stored, writes } = yield* make()
        const onlyOdd = options<string, NotFound, NotFoundEncoded>({
          failures: { schema: NotFound, when: (error) => error.id % 2 === 1 }
        })
        yield* writes.fetchAndWrite("odd", Effect.fail(new NotFound({ id: 1 })), resolve(onlyOdd))
        yield* writes.fetchAndWrite("even", Effect.fail(new NotFound({ id: 2 })), resolve(onlyOdd))
        const died = yield* writes.fetchAndWrite("died", Effect.die("bug"), resolve(onlyOdd))
        const interrupted = yield* writes.fetchAndWrite("interrupted", Effect.interrupt, resolve(onlyOdd))
        expect(Exit.isFailure(died) && Cause.isDie(died.cause)).toBe(true)
        expect(Exit.isFailure(interrupted) && Cause.isInterruptedOnly(interrupted.cause)).toBe(true)
        expect((yield* stored("odd"))?.failed).toBe(true)
        expect(yield* Effect.forEach(["even", "died", "interrupted"], stored)).toEqual([
          undefined,
          undefined,
          undefined
        ])
        // An interruption is not a failure of the fetch.
        expect(counters).toMatchObject({ fetches: 4, fetchFailures: 3, writes: 1 })
      }))

    it.scoped("a failure the failure schema cannot encode is not written", () =>
      Effect.gen(function*() {
        const { stored, writes } = yield* make()
        const other = options<string, unknown>({
          failures: { schema: NotFound as unknown as Schema.Schema<unknown, unknown> }
        })
        yield* writes.fetchAndWrite("k", Effect.fail(new Gone()), resolve(other)).pipe(quiet)
        expect(yield* stored("k")).toBeUndefined()
      }))
  })

  describe("hard timeout", () => {
    it.scoped("a fetch past its hard timeout is interrupted and fails with FetchTimeoutError; nothing is written", () =>
      Effect.gen(function*() {
        const { counters, stored, writes } = yield* make()
        const started = yield* Deferred.make<void>()
        const interrupted = yield* Deferred.make<void>()
        const fetch = Deferred.succeed(started, undefined).pipe(
          Effect.zipRight(Effect.never),
          Effect.onInterrupt(() => Deferred.succeed(interrupted, undefined))
        )
        const hard = resolve(options<string>({ timeout: { hard: "100 millis" } }))
        const running = yield* Effect.fork(writes.fetchAndWrite("k", fetch, hard))
        yield* Deferred.await(started)
        yield* TestClock.adjust("99 millis")
        expect(yield* Deferred.isDone(interrupted)).toBe(false)
        yield* TestClock.adjust("1 millis")
        const exit = yield* Fiber.join(running)
        expect(exit).toEqual(Exit.fail(new Cache.FetchTimeoutError({ key: "k", timeoutMillis: 100 })))
        expect(Exit.isFailure(exit) && Cause.failureOption(exit.cause).pipe(Option.map((e) => (e as Error).message)))
          .toEqual(Option.some("fetch of k timed out after 100 ms"))
        expect(yield* Deferred.isDone(interrupted)).toBe(true)
        expect(yield* stored("k")).toBeUndefined()
        expect(counters).toMatchObject({ fetches: 1, fetchFailures: 1, writes: 0 })
      }))

    it.scoped("a fetch within its hard timeout is written; no hard timeout leaves the fetch as it is", () =>
      Effect.gen(function*() {
        const { stored, writes } = yield* make()
        const fetch = Effect.as(Effect.sleep("50 millis"), "value")
        const running = yield* Effect.fork(
          writes.fetchAndWrite("k", fetch, resolve(options<string>({ timeout: { hard: "100 millis" } })))
        )
        yield* TestClock.adjust("50 millis")
        expect(yield* Fiber.join(running)).toEqual(Exit.succeed("value"))
        expect((yield* stored("k"))?.value).toBe(JSON.stringify("value"))
        expect(writes.withHardTimeout("k", fetch, undefined)).toBe(fetch)
      }))
  })

  it.scoped("writeOutcome honours the ticket: a stale ticket or a call that may not write writes nothing", () =>
    Effect.gen(function*() {
      const { pending, stored, writes } = yield* make()
      const ticket = yield* writes.ticket
      yield* writes.writeOutcome("no-writes", resolve(undefined, false), ticket, Exit.succeed(1))
      pending.record({ _tag: "Bump", paths: ["x"], mode: "soft" })
      yield* writes.writeOutcome("stale-ticket", resolve(), ticket, Exit.succeed(1))
      yield* writes.writeOutcome("new-ticket", resolve(), yield* writes.ticket, Exit.succeed(1))
      expect(yield* Effect.forEach(["no-writes", "stale-ticket"], stored)).toEqual([undefined, undefined])
      expect((yield* stored("new-ticket"))?.value).toBe("1")
    }))

  it.scoped("the entry's stamp stays the one read before the fetch even when the counter moved meanwhile", () =>
    Effect.gen(function*() {
      const { stored, tagVersions, writes } = yield* make()
      const fetch = Effect.as(tagVersions.bump(["unrelated"], "hard"), "v")
      yield* writes.fetchAndWrite("k", fetch, resolve({ tags: "mine" }))
      expect((yield* stored("k"))?.stamp).toBe(1)
      expect(yield* tagVersions.counter).toBe(1)
      expect(Store.expiresAt((yield* stored("k"))!)).toBe(60_000)
    }))
})
