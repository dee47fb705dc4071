import { type ChildProcess, spawn } from "node:child_process"
import * as Path from "node:path"

import { Servers } from "@cachet/core/testing"
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"

import { cachet, json, oneLineError, repoRoot, tempDir } from "./cachet.js"

const timeout = 120_000
const token = "cli-test-token"

/** The real reference app (apps/server), started as its own process on a free port. */
const startServer = async (): Promise<{ readonly url: string; readonly child: ChildProcess }> => {
  const port = await Effect.runPromise(Servers.freePort)
  const dir = tempDir("server")
  const child = spawn(
    process.execPath,
    ["--conditions=@cachet/source", "--import", "tsx", Path.join(repoRoot, "apps/server/src/main.ts")],
    {
      cwd: repoRoot,
      stdio: ["ignore", "ignore", "pipe"],
      env: {
        ...process.env,
        CACHET_PORT: String(port),
        CACHET_HOST: "127.0.0.1",
        CACHET_DATABASE_PATH: Path.join(dir, "blog.db"),
        CACHET_SEED_USERS: "5",
        CACHET_SEED_POSTS: "10",
        CACHET_SEED_COMMENTS: "20",
        CACHET_ADMIN_TOKEN: token,
        CACHET_STORE: "memory",
        CACHET_LOG_LEVEL: "warn"
      }
    }
  )
  // A crashed test run must not leave the server behind.
  process.once("exit", () => child.kill("SIGKILL"))
  let output = ""
  child.stderr?.on("data", (chunk) => output = (output + String(chunk)).slice(-2000))
  const url = `http://127.0.0.1:${port}`
  for (let attempt = 0; attempt < 300; attempt++) {
    if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode}): ${output}`)
    const ok = await fetch(`${url}/health`).then((r) => r.ok, () => false)
    if (ok) return { url, child }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  child.kill("SIGKILL")
  throw new Error(`the server did not answer within 30 s: ${output}`)
}

describe("cachet --remote against the real HTTP app", () => {
  let server: { readonly url: string; readonly child: ChildProcess } | undefined
  beforeAll(async () => {
    server = await startServer()
  }, 60_000)
  afterAll(() => {
    server?.child.kill("SIGTERM")
  })

  it("lists, inspects, reads, invalidates, deletes and clears the app's entries through its admin API", async () => {
    const { url } = server!
    const remote = ["--remote", url, "--token", token]
    // The app caches what it serves: one entry for the user, tagged User/1/$fields.
    expect((await fetch(`${url}/users/1`)).status).toBe(200)
    expect((await fetch(`${url}/users/1/posts`)).status).toBe(200)

    const keys = await cachet(["keys", "--json", ...remote])
    expect(keys.code, keys.stderr).toBe(0)
    const userKey = (json(keys) as ReadonlyArray<string>).find((key) => key.startsWith("user:"))
    expect(userKey).toBeDefined()
    const key = userKey!

    const [inspect, get, stats, wrongToken, set] = await Promise.all([
      cachet(["inspect", key, "--json", ...remote]),
      // The remote and its token can come from the environment.
      cachet(["get", key, "--json"], { CACHET_REMOTE: url, CACHET_TOKEN: token }),
      cachet(["stats", "--json", ...remote]),
      cachet(["keys", "--remote", url, "--token", "wrong"]),
      cachet(["set", "k", "1", ...remote])
    ])
    expect(json(inspect)).toMatchObject({ key, state: "fresh", tags: ["User/1/$fields"] })
    // The app stores encoded responses (@cachet/http): status, the JSON body as text, its ETag.
    expect(json(get)).toMatchObject({ status: 200, contentType: "application/json" })
    expect(JSON.parse((json(get) as { body: string }).body)).toMatchObject({ id: "1" })
    expect(json(stats)).toMatchObject({ store: "memory", writes: 2, misses: 2 })
    expect(wrongToken.code).toBe(1)
    expect(wrongToken.stdout).toBe("")
    expect(oneLineError(wrongToken)).toBe(
      `cachet: ${url} refused the token (401 Unauthorized): check --token or CACHET_TOKEN`
    )
    expect(set.code).toBe(2)
    expect(oneLineError(set)).toContain("not available with --remote")

    const invalidate = await cachet(["invalidate", "User/1", ...remote])
    expect(invalidate).toMatchObject({ code: 0, stdout: "invalidated User/1\n" })
    const gone = await cachet(["get", key, ...remote])
    expect(gone.code).toBe(1)
    expect(oneLineError(gone)).toBe(`cachet: not found: ${key}`)

    const del = await cachet(["del", key, "--json", ...remote])
    expect(json(del)).toEqual({ key, deleted: true })
    const clear = await cachet(["clear", "--yes", "--json", ...remote])
    expect(json(clear)).toEqual({ cleared: 1 })
  }, timeout)

  it("a server that is not there is one clear error", async () => {
    const port = await Effect.runPromise(Servers.freePort)
    const result = await cachet(["stats", "--remote", `http://127.0.0.1:${port}`])
    expect(result.code).toBe(1)
    expect(oneLineError(result)).toBe(
      `cachet: cannot reach http://127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port}`
    )
  }, timeout)
})
