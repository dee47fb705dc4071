/**
 * The server as `npm start` runs it: a real process from `src/main.ts`, stopped with SIGTERM
 * while requests are in flight.
 */
import { spawn } from "node:child_process"
import * as Http from "node:http"
import * as Net from "node:net"

import { afterAll, describe, expect, it } from "vitest"

import { appDir, killApps, startApp } from "./appProcess.js"
import { testEnv } from "./harness.js"

/** Process groups started here (`npm start` and whatever it runs), killed if anything is left. */
const groups: Array<number> = []
afterAll(() => {
  killApps()
  for (const group of groups) {
    try {
      process.kill(-group, "SIGKILL")
    } catch {
      // already gone
    }
  }
})

/** Whether any process of the group is alive. */
const groupAlive = (group: number): boolean => {
  try {
    process.kill(-group, 0)
    return true
  } catch {
    return false
  }
}

/**
 * Whether the group is still alive after its exited members are reaped: grandchildren (e.g.
 * esbuild's service, which exits with the server) are reparented to init, which reaps them a
 * moment later; no event tells this process when, so it asks the OS (at most 5 s).
 */
const groupSurvives = async (group: number): Promise<boolean> => {
  for (let i = 0; i < 100 && groupAlive(group); i++) await new Promise((resolve) => setTimeout(resolve, 50))
  return groupAlive(group)
}

const until = async (condition: () => boolean, what: string) => {
  for (let i = 0; i < 1000 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10))
  if (!condition()) throw new Error(`timed out waiting for ${what}`)
}

describe("the server process", () => {
  it(
    "prints its URL, docs and store; on SIGTERM finishes the request in flight, closes the store and exits 0",
    async () => {
      const { child, exited, output, url } = await startApp(testEnv({ CACHET_LOG_LEVEL: "Info" }), 60_000)
      expect(output()).toContain(`API docs: ${url.replace("127.0.0.1", "localhost")}/docs`)
      expect(output()).toContain("cache store: memory")

      // A request in flight: its headers are in, half of its body is not.
      const body = JSON.stringify({ name: "Last Request", email: "last.request@example.com" })
      const socket = Net.connect(Number(new URL(url).port), "127.0.0.1")
      let response = ""
      socket.on("data", (chunk) => response += String(chunk))
      await new Promise<void>((resolve) => socket.once("connect", () => resolve()))
      socket.write(
        `POST /users HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n` +
          body.slice(0, 10)
      )
      await new Promise((resolve) => setTimeout(resolve, 300))

      child.kill("SIGTERM")
      await until(() => output().includes("shutting down"), "the drain")
      socket.write(body.slice(10))
      await until(() => response.includes("\r\n\r\n{"), "the response")
      expect(response).toMatch(/^HTTP\/1\.1 201/)
      expect(response.toLowerCase()).toContain("connection: close")

      const code = await Promise.race([
        exited,
        new Promise<string>((resolve) => setTimeout(() => resolve("still running"), 15_000))
      ])
      expect(code, output()).toBe(0)
      expect(output()).toContain("stopped: cache store and database closed")
      socket.destroy()
    },
    90_000
  )

  it(
    "an open inspector event stream does not hold SIGTERM: the stream ends at once and the drain finishes",
    async () => {
      const { child, exited, output, url } = await startApp(testEnv({ CACHET_LOG_LEVEL: "Info" }), 60_000)

      // The inspector's live events, open until the server ends them.
      let events = ""
      const ended = new Promise<void>((resolve, reject) => {
        const request = Http.get(`${url}/cache/events`, { headers: { authorization: "Bearer test-token" } }, (res) => {
          res.setEncoding("utf8")
          res.on("data", (chunk: string) => events += chunk)
          res.once("end", () => resolve())
          // Cut instead of ended: what a drain that waited for its timeout does to the stream.
          res.once("error", (error) => reject(new Error(`the event stream was cut (${error.message}):\n${output()}`)))
        })
        request.once("error", reject)
      })
      await until(() => events.includes("event: open"), "the event stream")

      child.kill("SIGTERM")
      // The stream is ended by the server (cleanly: its body ends), then the process exits.
      await ended
      const code = await exited
      expect(code, output()).toBe(0)
      expect(output()).toContain("shutting down")
      expect(output(), "the drain waited for the event stream until its timeout").not.toContain("shutdown timeout")
      expect(output()).toContain("stopped: cache store and database closed")
    },
    90_000
  )

  it(
    "`npm start` stopped with SIGTERM: the signal reaches the server, which drains and exits; no process is left",
    async () => {
      const npm = process.env.npm_execpath !== undefined && process.env.npm_execpath.endsWith(".js")
        ? [process.execPath, process.env.npm_execpath]
        : ["npm"]
      const env = testEnv({ CACHET_LOG_LEVEL: "Info" })
      const child = spawn(npm[0]!, [...npm.slice(1), "start"], {
        cwd: appDir,
        env: { ...process.env, ...env, CACHET_PORT: "0", CACHET_HOST: "127.0.0.1" },
        stdio: ["ignore", "pipe", "pipe"],
        detached: true
      })
      groups.push(child.pid!)
      let output = ""
      const listening = new Promise<string>((resolve, reject) => {
        const onData = (chunk: Buffer) => {
          output += String(chunk)
          const match = /listening on (http:\/\/\S+?)"/.exec(output)
          if (match !== null) resolve(match[1]!.replace("localhost", "127.0.0.1"))
        }
        child.stdout!.on("data", onData)
        child.stderr!.on("data", onData)
        child.once("exit", (code) => reject(new Error(`npm start exited (${code}):\n${output}`)))
      })
      // "close": npm has exited and every process holding its output (the server) has too.
      const closed = new Promise<number | null>((resolve) => child.once("close", (code) => resolve(code)))
      const url = await listening
      expect((await fetch(`${url}/health`)).status).toBe(200)

      child.kill("SIGTERM")
      const code = await Promise.race([
        closed,
        new Promise<string>((resolve) => setTimeout(() => resolve("still running"), 20_000))
      ])
      expect(code, output).not.toBe("still running")
      expect(output).toContain("shutting down")
      expect(output).toContain("stopped: cache store and database closed")
      expect(await groupSurvives(child.pid!), "a process of `npm start` is still running").toBe(false)
    },
    90_000
  )
})
