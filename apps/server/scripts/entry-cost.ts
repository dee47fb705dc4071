/**
 * The heap one cached entry costs in the `memory` store: starts the app in-process (seed of
 * 2,000 users and 2,000 posts), and for each kind of read measures the heap after a full
 * collection before and after caching 2,000 distinct entries. Run with
 * `node --expose-gc --conditions=@cachet/source --import tsx scripts/entry-cost.ts`.
 */
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"

import { HttpServer } from "@effect/platform"
import { Config, ConfigProvider, Effect, Exit, Layer, Scope } from "effect"

import { baseUrl, listening } from "../src/Http.js"

const count = 2_000
const gc = (globalThis as { gc?: () => void }).gc
if (gc === undefined) throw new Error("run with --expose-gc")

const heap = async () => {
  for (let i = 0; i < 4; i++) {
    gc()
    await new Promise((resolve) => setImmediate(resolve))
  }
  return process.memoryUsage().heapUsed
}

const main = async () => {
  const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "cachet-entry-cost-"))
  const env = {
    CACHET_DATABASE_PATH: Path.join(dir, "blog.db"),
    CACHET_STORE: "memory",
    CACHET_LOG_LEVEL: "none",
    CACHET_ADMIN_TOKEN: "entry-cost-token-0123456789",
    CACHET_SEED_USERS: String(count),
    CACHET_SEED_POSTS: String(count),
    CACHET_SEED_COMMENTS: String(count * 5)
  }
  const scope = Effect.runSync(Scope.make())
  const layer = listening(Config.succeed({ port: 0, host: "127.0.0.1" })).pipe(
    Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env)))))
  )
  const context = await Effect.runPromise(Layer.buildWithScope(layer, scope))
  const url = baseUrl(Effect.runSync(Effect.provide(HttpServer.HttpServer, context)).address).replace(
    "localhost",
    "127.0.0.1"
  )
  // Warm up code paths with reads that are not measured.
  for (let id = 1; id <= 50; id++) await (await fetch(`${url}/users/${id}/posts`)).text()
  for (
    const [label, path] of [["GET /users/:id", (id: number) => `/users/${id}`], [
      "GET /posts/:id (5 comments)",
      (id: number) => `/posts/${id}`
    ]] as const
  ) {
    const before = await heap()
    let bytes = 0
    for (let id = 1; id <= count; id++) bytes += (await (await fetch(url + path(id))).text()).length
    const after = await heap()
    process.stdout.write(
      `${label}: ${((after - before) / count).toFixed(0)} bytes of heap per entry (JSON body ${
        (bytes / count).toFixed(0)
      } bytes)\n`
    )
  }
  await Effect.runPromise(Scope.close(scope, Exit.void))
}

main().then(() => process.exit(0), (error) => {
  process.stderr.write(`${String(error)}\n`)
  process.exit(1)
})
