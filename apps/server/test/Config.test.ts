/**
 * The environment: one `CACHET_` prefix (the old unprefixed names ignored), the admin token's
 * blank and short values, and the memory store's bounds.
 */
import { ConfigProvider, Effect, Either, Option, Redacted } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"

import * as AppConfig from "../src/Config.js"
import { type Server, start, testEnv } from "./harness.js"

const read = <A, E>(config: Effect.Effect<A, E>, env: Record<string, string>) =>
  Effect.runSync(Effect.either(Effect.withConfigProvider(config, ConfigProvider.fromMap(new Map(Object.entries(env))))))

describe("CACHET_ names", () => {
  it("the prefixed name is read; defaults otherwise", () => {
    expect(read(AppConfig.server, { CACHET_PORT: "4001", CACHET_HOST: "0.0.0.0" })).toEqual(
      Either.right({ port: 4001, host: "0.0.0.0" })
    )
    expect(read(AppConfig.server, {})).toEqual(Either.right({ port: 3000, host: "127.0.0.1" }))
    const cache = read(AppConfig.cache, {
      CACHET_STORE: "sqlite:./a.db",
      CACHET_NAMESPACE: "ns",
      CACHET_ENABLED: "false"
    })
    expect(Either.map(cache, ({ enabled, namespace, store }) => ({ store, namespace, enabled }))).toEqual(
      Either.right({ store: "sqlite:./a.db", namespace: "ns", enabled: false })
    )
    expect(read(AppConfig.databasePath, { CACHET_DATABASE_PATH: "/tmp/y.db" })).toEqual(Either.right("/tmp/y.db"))
    expect(read(AppConfig.frontDoor, {})).toEqual(Either.right(true))
    expect(read(AppConfig.frontDoor, { CACHET_FRONT_DOOR: "false" })).toEqual(Either.right(false))
  })

  it("the unprefixed names earlier versions read are ignored", () => {
    expect(read(AppConfig.server, { PORT: "4002", HOST: "0.0.0.0" })).toEqual(
      Either.right({ port: 3000, host: "127.0.0.1" })
    )
    const cache = read(AppConfig.cache, { CACHE_STORE: "sqlite:./a.db", CACHE_NAMESPACE: "old" })
    expect(Either.map(cache, ({ namespace, store }) => ({ store, namespace }))).toEqual(
      Either.right({ store: "memory", namespace: "blog" })
    )
    expect(read(AppConfig.databasePath, { DATABASE_PATH: "/tmp/x.db" })).toEqual(Either.right("./data/blog.db"))
    expect(read(AppConfig.frontDoor, { FRONT_DOOR: "false" })).toEqual(Either.right(true))
    expect(read(AppConfig.adminToken, { ADMIN_TOKEN: "s3cret-s3cret-s3cret" })).toEqual(Either.right(Option.none()))
  })

  it("an invalid value is an error", () => {
    expect(Either.isLeft(read(AppConfig.server, { CACHET_PORT: "nope" }))).toBe(true)
    expect(Either.isLeft(read(AppConfig.server, { CACHET_PORT: "70000" }))).toBe(true)
  })

  it("a blank admin token is unset; a short one is accepted with a warning", () => {
    for (const blank of ["", " ", "\t\n"]) {
      expect(read(AppConfig.adminToken, { CACHET_ADMIN_TOKEN: blank })).toEqual(Either.right(Option.none()))
    }
    const token = read(AppConfig.adminToken, { CACHET_ADMIN_TOKEN: "s3cret" })
    expect(Either.map(token, Option.map(Redacted.value))).toEqual(Either.right(Option.some("s3cret")))
    expect(AppConfig.adminTokenWarning(Option.none())).toEqual(Option.some(expect.stringContaining("not set")))
    expect(AppConfig.adminTokenWarning(Option.some(Redacted.make("short")))).toEqual(
      Option.some(expect.stringContaining("16"))
    )
    expect(AppConfig.adminTokenWarning(Option.some(Redacted.make("a-long-random-token-0123456789")))).toEqual(
      Option.none()
    )
  })
})

describe("CACHET_ADMIN_TOKEN=\" \"", () => {
  let server: Server
  beforeAll(async () => {
    server = await start(
      testEnv({ CACHET_ADMIN_TOKEN: " ", CACHET_SEED_USERS: "2", CACHET_SEED_POSTS: "2", CACHET_SEED_COMMENTS: "2" })
    )
  })
  afterAll(() => server?.close())

  it("disables the admin endpoints (403), whatever the client sends", async () => {
    for (const authorization of ["Bearer  ", "Bearer", "Bearer x"]) {
      const response = await server.get("/cache/stats", { authorization })
      expect(response.status, authorization).toBe(403)
    }
  })
})

describe("the memory store's bounds from the environment", () => {
  let server: Server
  beforeAll(async () => {
    server = await start(
      testEnv({
        CACHET_STORE: "memory",
        CACHET_MEMORY_MAX_ENTRIES: "3",
        CACHET_SEED_USERS: "8",
        CACHET_SEED_POSTS: "2",
        CACHET_SEED_COMMENTS: "2"
      })
    )
  })
  afterAll(() => server?.close())

  it("CACHET_MEMORY_MAX_ENTRIES=3 keeps at most 3 entries", async () => {
    for (let id = 1; id <= 8; id++) expect((await server.get(`/users/${id}`)).status).toBe(200)
    const listed = await server.get("/cache/entries", { authorization: "Bearer test-token" })
    expect(listed.status).toBe(200)
    expect(listed.json.keys.length).toBeGreaterThan(0)
    expect(listed.json.keys.length).toBeLessThanOrEqual(3)
  })
})
