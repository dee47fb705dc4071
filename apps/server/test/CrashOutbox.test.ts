/**
 * The crash scenario on the real app (`src/main.ts` processes) and a real Redis: warm
 * `GET /posts/7`, freeze Redis (SIGSTOP), `PATCH /posts/7` (answered: the invalidation is
 * deferred and, with `CACHET_OUTBOX`, journaled), `kill -9` the app, thaw Redis, start a new app
 * on the same database and outbox: it serves the new title, never the old one. (Without
 * `CACHET_OUTBOX` the same run serves the old title: checked by hand when this was written.)
 */
import { type ChildProcess, spawn } from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"

import { Servers } from "@cachet/core/testing"
import { Effect, Exit, Scope } from "effect"
import { afterAll, describe, expect, it } from "vitest"

import { testEnv } from "./harness.js"

const appDir = Path.resolve(Path.dirname(fileURLToPath(import.meta.url)), "..")
const skip = Servers.skipReason("redis")
const scope = Effect.runSync(Scope.make())
const children: Array<ChildProcess> = []
afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL")
  await Effect.runPromise(Scope.close(scope, Exit.void))
})

const startApp = (env: Record<string, string>) =>
  new Promise<{ child: ChildProcess; url: string }>((resolve, reject) => {
    const child = spawn(process.execPath, ["--conditions=@cachet/source", "--import", "tsx", "src/main.ts"], {
      cwd: appDir,
      env: { ...process.env, ...env, CACHET_PORT: "0", CACHET_HOST: "127.0.0.1" },
      stdio: ["ignore", "pipe", "pipe"]
    })
    children.push(child)
    let output = ""
    const timer = setTimeout(() => reject(new Error(`app did not start:\n${output}`)), 90_000)
    const onData = (chunk: Buffer) => {
      output += String(chunk)
      const match = /listening on (http:\/\/\S+?)"/.exec(output)
      if (match !== null && output.includes("cache store:")) {
        clearTimeout(timer)
        resolve({ child, url: match[1]!.replace("localhost", "127.0.0.1") })
      }
    }
    child.stdout.on("data", onData)
    child.stderr.on("data", onData)
    child.once("exit", (code) => reject(new Error(`app exited (${code}):\n${output}`)))
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
    const exited = new Promise((resolve) => first.child.once("exit", resolve))
    first.child.kill("SIGKILL")
    await exited
    await Effect.runPromise(redis.resume)

    const second = await startApp(env)
    const seen = await title(second.url)
    expect(seen.title).toBe(`${old.title} (edited)`)
    expect((await title(second.url)).title).toBe(`${old.title} (edited)`)
    second.child.kill("SIGKILL")
  }, 240_000)
})
