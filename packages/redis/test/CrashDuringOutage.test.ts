/**
 * The crash scenario on a real Redis, with real processes: warm a read, freeze Redis
 * (SIGSTOP), invalidate (it returns: deferred), `kill -9` the process, thaw Redis, start a new
 * process. With a journal (`Outbox`) the new process replays the invalidation and never serves
 * the old value; without one the invalidation is lost and the old value is served from Redis.
 */
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"

import { Servers } from "@cachet/core/testing"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"

import { worker } from "./fixtures/workerProcess.js"

const skip = Servers.skipReason("redis")

const tempDirectory = Effect.acquireRelease(
  Effect.sync(() => Fs.mkdtempSync(Path.join(Os.tmpdir(), "cachet-crash-"))),
  (dir) => Effect.sync(() => Fs.rmSync(dir, { recursive: true, force: true }))
)

const post = (value: string) => ({ cmd: "get", key: "post-7", tags: ["posts/7"], value })

/** Runs the scenario; what the restarted process reads first. */
const crashDuringOutage = (server: Servers.Server, env: Record<string, string>) =>
  Effect.gen(function*() {
    const first = yield* worker(server.url, env)
    expect(yield* first.send(post("old"))).toMatchObject({ value: "old#1", fetched: true })
    yield* server.pause
    // The bump times out against the frozen server: deferred (and journaled), and the call returns.
    yield* first.send({ cmd: "invalidate", tags: ["posts/7"] })
    yield* first.crash
    yield* server.resume
    const restarted = yield* worker(server.url, env)
    return { restarted, seen: yield* restarted.send(post("new")) }
  })

describe.skipIf(skip !== undefined)("a crash while Redis is frozen (real Redis, kill -9)", () => {
  it.live(
    "with a journal the restarted process does not serve the old value, and replays the bump to Redis",
    () =>
      Effect.gen(function*() {
        const server = yield* Servers.redis
        const dir = yield* tempDirectory
        const { restarted, seen } = yield* crashDuringOutage(server, { CACHET_OUTBOX: dir })
        expect(seen).toMatchObject({ value: "new#1", fetched: true })
        // Once the replay is acknowledged, a process without the journal agrees, and the journal is empty.
        yield* restarted.send({ cmd: "awaitPending" })
        const other = yield* worker(server.url)
        // (it may read what the restarted process fetched since: anything but the old value)
        expect((yield* other.send(post("other"))).value).not.toBe("old#1")
        expect(Fs.readdirSync(dir).map((name) => Fs.readFileSync(Path.join(dir, name), "utf8")).join("")).toBe("")
      }).pipe(Effect.scoped),
    120_000
  )

  it.live(
    "without a journal the same crash loses the invalidation: the old value is served (the bug it fixes)",
    () =>
      Effect.gen(function*() {
        const server = yield* Servers.redis
        const { seen } = yield* crashDuringOutage(server, {})
        expect(seen).toMatchObject({ value: "old#1", fetched: false })
      }).pipe(Effect.scoped),
    120_000
  )
})
