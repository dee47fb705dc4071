import { Servers } from "@cachet/core/testing"
import { Effect, Exit, Scope } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"

import { cachet, json, oneLineError } from "./cachet.js"

const timeout = 120_000

/** Starts a real server for the describe block (skipped with a reason when it is not installed). */
const serverFor = (kind: Servers.Kind) => {
  const scope = Effect.runSync(Scope.make())
  let server: Servers.Server | undefined
  beforeAll(async () => {
    server = await Effect.runPromise(Scope.extend(Servers.start(kind), scope))
  }, 60_000)
  afterAll(() => Effect.runPromise(Scope.close(scope, Exit.void)))
  return () => server!
}

const redisSkip = Servers.skipReason("redis")

describe.skipIf(redisSkip !== undefined)("cachet on a real redis-server", () => {
  const server = serverFor("redis")

  it("set, get, inspect, invalidate across invocations", async () => {
    const store = server().url
    const set = await cachet(["set", "users/1", `{"name":"Ada"}`, "--tag", "users/1", "--ttl", "5m", "--store", store])
    expect(set.code, set.stderr).toBe(0)
    const [get, inspect] = await Promise.all([
      cachet(["get", "users/1", "--json"], { CACHET_STORE: store }),
      cachet(["inspect", "users/1", "--json", "--store", store])
    ])
    expect(json(get)).toEqual({ name: "Ada" })
    expect(json(inspect)).toMatchObject({ state: "fresh", tags: ["users/1"], ttlMillis: 300_000 })
    expect((await cachet(["invalidate", "users", "--store", store])).code).toBe(0)
    const gone = await cachet(["get", "users/1", "--store", store])
    expect(gone.code).toBe(1)
    expect(oneLineError(gone)).toBe("cachet: not found: users/1")
  }, timeout)

  it("an unreachable redis is one clear error, not a miss", async () => {
    const port = await Effect.runPromise(Servers.freePort)
    const result = await cachet(["get", "users/1", "--store", `redis://127.0.0.1:${port}`])
    expect(result.code).toBe(1)
    expect(oneLineError(result)).toBe(
      `cachet: cannot reach store redis://127.0.0.1:${port} (connect ECONNREFUSED 127.0.0.1:${port})`
    )
  }, timeout)
})

const memcachedSkip = Servers.skipReason("memcached")

describe.skipIf(memcachedSkip !== undefined)("cachet on a real memcached", () => {
  const server = serverFor("memcached")

  it("set then get and inspect across invocations", async () => {
    const store = `memcached://${server().url}`
    const set = await cachet(["set", "k", "[1,2,3]", "--tag", "lists", "--store", store])
    expect(set.code, set.stderr).toBe(0)
    const inspect = await cachet(["inspect", "k", "--json", "--store", store])
    expect(json(inspect)).toMatchObject({ state: "fresh", tags: ["lists"], value: "[1,2,3]" })
  }, timeout)
})
