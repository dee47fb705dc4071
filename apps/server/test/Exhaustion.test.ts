/**
 * No client can grow the server's memory: a connection that sends a valid request and then
 * garbage on the same socket (the parser answers 400 and destroys the socket while the
 * request is being handled) must still finish its request and free it.
 */
import { execFile } from "node:child_process"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"

import { afterAll, beforeAll, describe, expect, it } from "vitest"

import { connections } from "./garbageConnections.js"
import { type Server, start, testEnv } from "./harness.js"

const appDir = Path.resolve(Path.dirname(fileURLToPath(import.meta.url)), "..")

describe("a valid request followed by garbage on the same connection", () => {
  let server: Server
  beforeAll(async () => {
    server = await start(
      testEnv({ CACHET_SEED_USERS: "2", CACHET_SEED_POSTS: "2", CACHET_SEED_COMMENTS: "2", CACHET_LOG_LEVEL: "None" })
    )
  })
  afterAll(() => server?.close())

  it("finishes the request: nothing stays in flight", async () => {
    const [answer] = await connections(Number(new URL(server.url).port), 20)
    expect(answer).toMatch(/^HTTP\/1\.1 (200|400)/)
    await server.whenIdle()
    expect(server.inFlight()).toBe(0)
  })

  it(
    "after 2,000 such connections nothing is in flight and the heap is back within 10% (a child process with --expose-gc)",
    async () => {
      const output = await new Promise<string>((resolve, reject) =>
        execFile(
          process.execPath,
          ["--expose-gc", "--conditions=@cachet/source", "--import", "tsx", "test/garbageConnections.ts", "2000"],
          { cwd: appDir, timeout: 170_000 },
          (error, stdout, stderr) => error === null ? resolve(stdout) : reject(new Error(`${error.message}\n${stderr}`))
        )
      )
      const result = JSON.parse(output.trim().split("\n").pop()!) as {
        before: number
        after: number
        inFlight: number
        health: number
      }
      expect(result.inFlight).toBe(0)
      expect(result.health).toBe(200)
      expect(result.after, `heap ${(result.before / 1e6).toFixed(1)} MB -> ${(result.after / 1e6).toFixed(1)} MB`)
        .toBeLessThan(result.before * 1.1)
    },
    180_000
  )
})
