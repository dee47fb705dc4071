/**
 * `GET /graphql` through the front door: the same requests sent to the app with the door on and
 * with it off (`CACHET_FRONT_DOOR=false`), on one database, get the same status, body and
 * cache-relevant headers (bar `Age` and `Date`); fresh whole responses are answered at the door
 * (it opens a `cachet.front_door` span when a tracer is installed) and everything else — misses,
 * `POST`, `HEAD`, bad or per-user queries, responses with an uncached root — is handed to the app.
 */
import { Effect, Layer, Tracer } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"

import { type Response, type Server, start, testEnv } from "./harness.js"

/** Spans the door opened (its hits), counted by a tracer that otherwise records as Effect's own does. */
const doorHits = { count: 0 }
const native = Effect.runSync(Effect.tracer)
const counting = Tracer.make({
  span: (name, parent, context, links, startTime, kind, options) => {
    if (options?.attributes?.["cachet.front_door"] === true) doorHits.count++
    return native.span(name, parent, context, links, startTime, kind, options)
  },
  context: (f, fiber) => native.context(f, fiber)
})

const cacheHeaders = ["cache-control", "content-type", "etag", "vary", "x-cache", "content-length", "connection"]

const seen = (response: Response) => ({
  status: response.status,
  body: response.text,
  headers: Object.fromEntries(cacheHeaders.map((name) => [name, response.headers.get(name)]))
})

const path = (query: string, variables?: string) =>
  `/graphql?query=${encodeURIComponent(query)}${
    variables === undefined ? "" : `&variables=${encodeURIComponent(variables)}`
  }`

const post2 = `{ post(id: "2") { id title author { id name } } }`
const byId = `query($id: ID!) { post(id: $id) { id title } }`

interface Step {
  readonly name: string
  readonly method?: "GET" | "HEAD" | "POST"
  readonly path: string
  readonly headers?: Record<string, string>
  readonly body?: unknown
  /** `If-None-Match` with the `ETag` the named step answered. */
  readonly ifNoneMatch?: string
  /** Whether the door answers it. */
  readonly door: boolean
}

const steps: ReadonlyArray<Step> = [
  { name: "first", path: path(post2), door: false },
  { name: "again", path: path(post2), door: true },
  { name: "revalidated", path: path(post2), ifNoneMatch: "again", door: true },
  { name: "as JSON", path: path(post2), headers: { accept: "application/json" }, door: true },
  { name: "HEAD", method: "HEAD", path: path(post2), door: false },
  { name: "POST", method: "POST", path: "/graphql", body: { query: post2 }, door: false },
  { name: "variables", path: path(byId, `{"id":"7"}`), door: false },
  { name: "variables again", path: path(byId, `{"id":"7"}`), door: true },
  { name: "the same variables spelled otherwise", path: path(byId, `{ "id": "7" }`), door: false },
  { name: "spelled otherwise, again", path: path(byId, `{ "id": "7" }`), door: true },
  {
    name: "a mutation by GET",
    path: path(`mutation { createUser(name: "x", email: "x@example.com") { id } }`),
    door: false
  },
  { name: "invalid", path: path(`{ nope }`), door: false },
  { name: "invalid again", path: path(`{ nope }`), door: false },
  { name: "uncached root", path: path(`{ posts(first: 2) { edges { node { id } } } }`), door: false },
  { name: "uncached root again", path: path(`{ posts(first: 2) { edges { node { id } } } }`), door: false }
]

describe("GET /graphql through the front door", () => {
  let withDoor: Server
  let without: Server
  beforeAll(async () => {
    const env = testEnv({ CACHET_STORE: "memory" })
    withDoor = await start({ ...env, CACHET_FRONT_DOOR: "true" }, Layer.setTracer(counting))
    without = await start({ ...env, CACHET_FRONT_DOOR: "false" })
  })
  afterAll(async () => {
    await withDoor?.close()
    await without?.close()
  })

  const run = async (step: Step, etags: Map<string, string>) => {
    const headers = { ...step.headers }
    if (step.ifNoneMatch !== undefined) headers["if-none-match"] = etags.get(step.ifNoneMatch)!
    const options = { headers, ...(step.body === undefined ? {} : { body: step.body }) }
    const before = doorHits.count
    const on = await withDoor.request(step.method ?? "GET", step.path, options)
    const answered = doorHits.count - before
    const off = await without.request(step.method ?? "GET", step.path, options)
    expect({ step: step.name, ...seen(on) }).toEqual({ step: step.name, ...seen(off) })
    expect({ step: step.name, door: answered }).toEqual({ step: step.name, door: step.door ? 1 : 0 })
    const etag = on.headers.get("etag")
    if (etag !== null) etags.set(step.name, etag)
    return on
  }

  it("answers what the app would, and only fresh whole GET responses", async () => {
    const etags = new Map<string, string>()
    const statuses: Array<string> = []
    for (const step of steps) {
      const response = await run(step, etags)
      statuses.push(`${step.name} ${response.status} ${response.cache}`)
    }
    expect(etags.get("again")).toMatch(/^W\//)
    expect(statuses).toEqual([
      "first 200 MISS",
      "again 200 HIT",
      "revalidated 304 HIT",
      "as JSON 200 HIT",
      "HEAD 405 null",
      "POST 200 null",
      "variables 200 MISS",
      "variables again 200 HIT",
      "the same variables spelled otherwise 200 HIT",
      "spelled otherwise, again 200 HIT",
      "a mutation by GET 405 null",
      "invalid 400 null",
      "invalid again 400 null",
      "uncached root 200 null",
      "uncached root again 200 null"
    ])
  })

  it("hands over after a write, then answers the new response", async () => {
    const etags = new Map<string, string>()
    const post3 = `{ post(id: "3") { id title author { id name } } }`
    await run({ name: "before", path: path(post3), door: false }, etags)
    await run({ name: "cached", path: path(post3), door: true }, etags)
    // The same write through both (one database): each app invalidates its own cache.
    expect((await withDoor.patch("/posts/3", { title: "Three, retitled" })).status).toBe(200)
    expect((await without.patch("/posts/3", { title: "Three, retitled" })).status).toBe(200)
    const after = await run({ name: "after", path: path(post3), door: false }, etags)
    expect(after.text).toContain("Three, retitled")
    expect(after.cache).toBe("MISS")
    const hit = await run({ name: "hit", path: path(post3), ifNoneMatch: "cached", door: true }, etags)
    expect(hit.status).toBe(200)
    expect(hit.cache).toBe("HIT")
  })
})
