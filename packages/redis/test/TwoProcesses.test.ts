import { spawn } from "node:child_process"
import * as Path from "node:path"
import * as Readline from "node:readline"
import { fileURLToPath } from "node:url"

import { Servers } from "@cachet/core/testing"
import { describe, expect, it } from "@effect/vitest"
import type { Scope } from "effect"
import { Deferred, Effect } from "effect"

const skip = Servers.skipReason("redis")
const here = Path.dirname(fileURLToPath(import.meta.url))

interface Worker {
  readonly send: (command: Record<string, unknown>) => Effect.Effect<Record<string, unknown>>
}

/** Spawns a worker process (killed with the scope) and waits until its cache is built. */
const worker = (redisUrl: string): Effect.Effect<Worker, never, Scope.Scope> =>
  Effect.gen(function*() {
    const child = yield* Effect.acquireRelease(
      Effect.sync(() =>
        spawn(process.execPath, [
          "--conditions=@cachet/source",
          "--import",
          "tsx",
          Path.join(here, "fixtures", "worker.ts")
        ], {
          cwd: Path.join(here, ".."),
          env: { ...process.env, CACHET_REDIS_URL: redisUrl },
          stdio: ["pipe", "pipe", "inherit"]
        })
      ),
      (child) => Effect.sync(() => child.kill("SIGKILL"))
    )
    const pending = new Map<number, Deferred.Deferred<Record<string, unknown>>>()
    const ready = yield* Deferred.make<void>()
    Readline.createInterface({ input: child.stdout! }).on("line", (line) => {
      if (!line.startsWith("@@")) return
      const message = JSON.parse(line.slice(2)) as Record<string, unknown>
      if (message.ready === true) return Effect.runSync(Deferred.succeed(ready, undefined))
      const deferred = pending.get(message.id as number)
      if (deferred !== undefined) Effect.runSync(Deferred.succeed(deferred, message))
    })
    yield* Deferred.await(ready).pipe(
      Effect.timeoutFail({ duration: "30 seconds", onTimeout: () => new Error("worker did not start") }),
      Effect.orDie
    )
    let next = 0
    return {
      send: (command) =>
        Effect.gen(function*() {
          const id = next++
          const deferred = yield* Deferred.make<Record<string, unknown>>()
          pending.set(id, deferred)
          child.stdin!.write(`${JSON.stringify({ ...command, id })}\n`)
          const answer = yield* Deferred.await(deferred)
          if ("error" in answer) return yield* Effect.dieMessage(String(answer.error))
          return answer
        })
    }
  })

describe.skipIf(skip !== undefined)("two processes on one Redis (tiered stores)", () => {
  it.live("invalidating a tag in A makes B's next read of an entry under it refetch", () =>
    Effect.gen(function*() {
      const server = yield* Servers.redis
      const [a, b] = yield* Effect.all([worker(server.url), worker(server.url)], { concurrency: 2 })

      expect(yield* a.send({ cmd: "get", key: "post-1", tags: ["users/1/posts/p1"], value: "A" })).toMatchObject({
        value: "A#1",
        fetched: true
      })
      // B reads A's entry from Redis and now holds it in its local tier.
      expect(yield* b.send({ cmd: "get", key: "post-1", tags: ["users/1/posts/p1"], value: "B" })).toMatchObject({
        value: "A#1",
        fetched: false
      })
      expect(yield* b.send({ cmd: "get", key: "post-1", tags: ["users/1/posts/p1"], value: "B" })).toMatchObject({
        value: "A#1",
        fetched: false
      })

      // A invalidates an ancestor tag: B's local copy must not be served again.
      yield* a.send({ cmd: "invalidate", tags: ["users/1"] })
      expect(yield* b.send({ cmd: "get", key: "post-1", tags: ["users/1/posts/p1"], value: "B" })).toMatchObject({
        value: "B#1",
        fetched: true
      })
      // ...and A sees B's fresh value.
      expect(yield* a.send({ cmd: "get", key: "post-1", tags: ["users/1/posts/p1"], value: "A" })).toMatchObject({
        value: "B#1",
        fetched: false
      })
    }).pipe(Effect.scoped), 60_000)

  it.live(
    "2 processes × 50 concurrent misses of one key with RedisLock run the lookup exactly once",
    () =>
      Effect.gen(function*() {
        const server = yield* Servers.redis
        const [a, b] = yield* Effect.all([worker(server.url), worker(server.url)], { concurrency: 2 })
        const [ra, rb] = yield* Effect.all([
          a.send({ cmd: "stampede", key: "hot", n: 50, delay: 300 }),
          b.send({ cmd: "stampede", key: "hot", n: 50, delay: 300 })
        ], { concurrency: 2 })
        expect((ra.runs as number) + (rb.runs as number)).toBe(1)
        const values = new Set([...(ra.values as Array<string>), ...(rb.values as Array<string>)])
        expect(values.size).toBe(1)
      }).pipe(Effect.scoped),
    60_000
  )
})
