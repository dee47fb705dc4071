import { afterAll, beforeAll, describe, expect, it } from "vitest"

import { blogSuite } from "./BlogSuite.js"
import { type Server, start, testEnv } from "./harness.js"

blogSuite("memory store", async () => ({ env: { CACHET_STORE: "memory" }, teardown: async () => {} }))

blogSuite("sqlite store", async () => ({
  env: { CACHET_STORE: `sqlite:${testEnv().CACHET_DATABASE_PATH!.replace(/blog\.db$/, "cache.db")}` },
  teardown: async () => {}
}))

describe("without CACHET_ADMIN_TOKEN", () => {
  let server: Server
  beforeAll(async () => {
    server = await start(
      testEnv({
        CACHET_ADMIN_TOKEN: undefined,
        CACHET_SEED_USERS: "2",
        CACHET_SEED_POSTS: "2",
        CACHET_SEED_COMMENTS: "2"
      })
    )
  })
  afterAll(() => server?.close())

  it("the admin endpoints answer 403, with or without a token", async () => {
    for (const headers of [{}, { authorization: "Bearer anything" }]) {
      const response = await server.get("/cache/stats", headers)
      expect(response.status).toBe(403)
      expect(response.json._tag).toBe("AdminDisabled")
    }
    expect((await server.del("/cache", { authorization: "Bearer x" })).status).toBe(403)
    expect((await server.get("/users/1")).status).toBe(200)
  })
})

describe("ttl and grace", () => {
  let server: Server
  beforeAll(async () => {
    server = await start(
      testEnv({
        CACHET_TTL: "300 millis",
        CACHET_GRACE: "1 minute",
        CACHET_SEED_USERS: "2",
        CACHET_SEED_POSTS: "2",
        CACHET_SEED_COMMENTS: "2"
      })
    )
  })
  afterAll(() => server?.close())

  it("past its ttl an entry is served STALE once, refreshed in the background, then HIT again", async () => {
    expect((await server.get("/users/1")).cache).toBe("MISS")
    expect((await server.get("/users/1")).cache).toBe("HIT")
    await new Promise((resolve) => setTimeout(resolve, 400))
    const stale = await server.get("/users/1")
    expect(stale.cache).toBe("STALE")
    expect(Number(stale.headers.get("age"))).toBeGreaterThanOrEqual(0)
    await new Promise((resolve) => setTimeout(resolve, 50))
    const refreshed = await server.get("/users/1")
    expect(refreshed.cache).toBe("HIT")
    expect(refreshed.text).toBe(stale.text)
  })
})
