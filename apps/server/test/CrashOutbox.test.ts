/**
 * The crash scenario on the real app (`src/main.ts` processes) and a real Redis: warm
 * `GET /posts/7`, freeze Redis (SIGSTOP), `PATCH /posts/7` (answered: the invalidation is
 * deferred and, with `CACHET_OUTBOX`, journaled), `kill -9` the app, thaw Redis, start a new app
 * on the same database and outbox: it serves the new title, never the old one. (Without
 * `CACHET_OUTBOX` the same run serves the old title: checked by hand when this was written.)
 */
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"

import { Servers } from "@cachet/core/testing"
import { Effect, Exit, Scope } from "effect"
import { afterAll, describe, expect, it } from "vitest"

import { killApps, startApp } from "./appProcess.js"
import { testEnv } from "./harness.js"

const skip = Servers.skipReason("redis")
const scope = Effect.runSync(Scope.make())
afterAll(async () => {
  killApps()
  await Effect.runPromise(Scope.close(scope, Exit.void))
})

const title = async (url: string) => {
  const response = await fetch(`${url}/posts/7`)
  return { title: ((await response.json()) as { title: string }).title, cache: response.headers.get("x-cache") }
}

describe.skipIf(skip !== undefined)("a crash of the app while Redis is frozen (real app, real Redis)", () => {
  it("with CACHET_OUTBOX the restarted app serves the new title, not the old one as a HIT", async () => {
    const redis = await Effect.runPromise(Scope.extend(Servers.redis, scope))
    const outbox = Fs.mkdtempSync(Path.join(Os.tmpdir(), "cachet-outbox-"))
    const env = testEnv({ CACHET_STORE: redis.url, CACHET_OUTBOX: outbox, CACHET_LOG_LEVEL: "Info" })

    const first = await startApp(env)
    const old = await title(first.url)
    expect((await title(first.url)).cache).toBe("HIT")
    await Effect.runPromise(redis.pause)
    const patched = await fetch(`${first.url}/posts/7`, {
      method: "PATCH",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ title: `${old.title} (edited)` })
    })
    expect(patched.status).toBe(200)
    first.child.kill("SIGKILL")
    await first.exited
    await Effect.runPromise(redis.resume)

    const second = await startApp(env)
    const seen = await title(second.url)
    expect(seen.title).toBe(`${old.title} (edited)`)
    expect((await title(second.url)).title).toBe(`${old.title} (edited)`)
    second.child.kill("SIGKILL")
  }, 240_000)
})
