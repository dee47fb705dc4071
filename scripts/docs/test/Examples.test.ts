/**
 * Every program in `packages/<name>/examples` runs the way its header says
 * (`node --conditions=@cachet/source --import tsx`) and exits 0. A server example is given a free
 * `PORT`; once it listens it must answer an HTTP request, then stop cleanly on SIGINT (exit 0).
 * (They are type-checked with the snippets, in test/Snippets.test.ts.)
 */
import * as ChildProcess from "node:child_process"
import * as Net from "node:net"
import * as Path from "node:path"
import { describe, expect, it } from "vitest"
import { root } from "../api.js"
import { exampleFiles } from "../snippets.js"

const timeout = 60_000

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = Net.createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as Net.AddressInfo).port
      server.close(() => resolve(port))
    })
  })

interface Run {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly output: string
  /** The HTTP status the program answered with, when it listened. */
  readonly status?: number
}

const run = async (file: string): Promise<Run> => {
  const port = await freePort()
  const child = ChildProcess.spawn(
    process.execPath,
    ["--conditions=@cachet/source", "--import", "tsx", "--import", Path.join(root, "scripts/docs/listening.mjs"), file],
    { cwd: root, env: { ...process.env, PORT: String(port) }, stdio: ["ignore", "pipe", "pipe", "ipc"] }
  )
  let output = ""
  child.stdout?.on("data", (chunk) => (output += chunk))
  child.stderr?.on("data", (chunk) => (output += chunk))
  let status: number | undefined
  child.on("message", (message: { listening?: number }) => {
    if (message.listening === undefined) return
    fetch(`http://127.0.0.1:${message.listening}/`).then(
      (response) => {
        status = response.status
        child.kill("SIGINT")
      },
      (error: unknown) => {
        output += `\nrequest failed: ${String(error)}`
        child.kill("SIGINT")
      }
    )
  })
  const timer = setTimeout(() => {
    output += `\ntimed out after ${timeout} ms`
    child.kill("SIGKILL")
  }, timeout)
  return new Promise((resolve) => {
    child.on("exit", (code, signal) => {
      clearTimeout(timer)
      resolve(status === undefined ? { code, signal, output } : { code, signal, output, status })
    })
  })
}

describe("packages/*/examples", () => {
  const files = exampleFiles()
  it("there are examples", () => expect(files.length).toBeGreaterThan(0))

  it.each(files.map((file) => [Path.relative(root, file), file]))("%s runs and exits 0", async (_name, file) => {
    const result = await run(file)
    expect({ code: result.code, signal: result.signal }, result.output).toEqual({ code: 0, signal: null })
    if (result.status !== undefined) expect(result.status).toBeLessThan(500)
  }, timeout + 10_000)
})
