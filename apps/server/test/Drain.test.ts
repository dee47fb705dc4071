/**
 * Shutdown under load: clients that keep reusing keep-alive connections while the server
 * drains get their answers (with `Connection: close`) or a refused new connection — never a
 * reset of a request they had already sent.
 */
import * as Http from "node:http"

import { describe, expect, it } from "vitest"

import { start, testEnv } from "./harness.js"

interface Outcome {
  readonly ok: number
  readonly closing: number
  readonly errors: ReadonlyArray<string>
}

/** One client: requests on a keep-alive connection until one fails; what it saw. */
const client = (url: string, agent: Http.Agent, path: string, counted: () => void) =>
  new Promise<Outcome>((resolve) => {
    let ok = 0
    let closing = 0
    const next = () => {
      const request = Http.get(url + path, { agent }, (response) => {
        response.resume()
        response.once("end", () => {
          ok++
          if (response.headers.connection === "close") closing++
          counted()
          next()
        })
      })
      request.once(
        "error",
        (error: NodeJS.ErrnoException) => resolve({ ok, closing, errors: [error.code ?? error.message] })
      )
    }
    next()
  })

describe("SIGTERM under keep-alive load", () => {
  it("no client sees ECONNRESET: in-flight and reused connections are answered with Connection: close", async () => {
    const server = await start(
      testEnv({ CACHET_SEED_USERS: "4", CACHET_SEED_POSTS: "4", CACHET_SEED_COMMENTS: "4", CACHET_LOG_LEVEL: "None" })
    )
    const agent = new Http.Agent({ keepAlive: true, maxSockets: 16 })
    let answered = 0
    let loaded: () => void = () => {}
    const underLoad = new Promise<void>((resolve) => loaded = resolve)
    const counted = () => {
      if (++answered === 400) loaded()
    }
    // Every client ends on its first error: after the drain, a refused new connection.
    const outcomes = Promise.all(
      Array.from(
        { length: 16 },
        (_, i) => client(server.url, agent, i % 2 === 0 ? "/users/1" : "/posts?limit=2", counted)
      )
    )
    await underLoad
    await server.close()
    const result = await outcomes
    agent.destroy()
    const errors = result.flatMap((outcome) => outcome.errors)
    expect(errors.filter((code) => code !== "ECONNREFUSED"), errors.join(", ")).toEqual([])
    expect(result.reduce((sum, outcome) => sum + outcome.closing, 0)).toBeGreaterThan(0)
  })
})
