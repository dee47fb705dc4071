// The consumer smoke test's program: copied into a project outside the workspace that installed
// the packed @cachet/* tarballs, and run on plain Node (no tsx, no source condition), so it uses
// exactly what a user installs — dist/, exports, dependencies and peers.
import { Cache, MemoryStore } from "@cachet/core"
import { GraphQLCache } from "@cachet/graphql"
import { HttpCache } from "@cachet/http"
import { SqliteStore } from "@cachet/sqlite"
import { HttpRouter, HttpServer, HttpServerResponse } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { Effect, Layer, Option } from "effect"
import { GraphQLInt, GraphQLObjectType, GraphQLSchema, GraphQLString } from "graphql"
import * as assert from "node:assert/strict"
import * as Fs from "node:fs"
import { createServer } from "node:http"
import * as Os from "node:os"
import * as Path from "node:path"

const checks = []
const check = (name, effect) => checks.push({ name, effect })

// @cachet/core: a Cache over a MemoryStore — a miss runs the fetch, the second read hits.
check(
  "core: Cache over MemoryStore, miss then hit",
  Effect.gen(function*() {
    const cache = yield* Cache.Cache
    let fetches = 0
    const fetch = Effect.sync(() => ({ id: 1, title: `fetched ${++fetches}` }))
    const first = yield* cache.getOrFetch("post:1", fetch)
    const second = yield* cache.getOrFetch("post:1", fetch)
    assert.deepEqual(first, { id: 1, title: "fetched 1" })
    assert.deepEqual(second, first)
    assert.equal(fetches, 1)
    const stats = yield* cache.stats
    assert.equal(stats.misses, 1)
    assert.equal(stats.hits, 1)
  }).pipe(Effect.provide(Cache.layer().pipe(Layer.provide(MemoryStore.layer()))))
)

// @cachet/sqlite: a value written through one SqliteStore is read back by another on the same file.
check(
  "sqlite: SqliteStore on a file, write then read back",
  Effect.gen(function*() {
    const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "cachet-smoke-"))
    const filename = Path.join(dir, "cache.db")
    const onFile = (effect) =>
      Effect.provide(effect, Cache.layer().pipe(Layer.provide(SqliteStore.layer({ filename }))))
    yield* onFile(Effect.flatMap(Cache.Cache, (cache) => cache.set("greeting", { text: "hello" })))
    assert.ok(Fs.statSync(filename).size > 0)
    const read = yield* onFile(Effect.flatMap(Cache.Cache, (cache) => cache.get("greeting")))
    assert.deepEqual(Option.getOrUndefined(read), { text: "hello" })
    Fs.rmSync(dir, { recursive: true, force: true })
  })
)

// @cachet/http: HttpCache in front of a route on a real server on a loopback port: MISS, then HIT.
check(
  "http: HttpCache on a loopback server, MISS then HIT",
  Effect.gen(function*() {
    let handled = 0
    const post = Effect.map(HttpRouter.params, ({ id }) => {
      handled++
      return HttpServerResponse.unsafeJson({ id, title: `Post ${id}` })
    })
    const router = HttpRouter.empty.pipe(
      HttpRouter.get("/posts/:id", post.pipe(HttpCache.middleware({ ttl: "5 minutes" })))
    )
    const server = HttpServer.serve(router).pipe(
      Layer.provideMerge(NodeHttpServer.layer(createServer, { port: 0, host: "127.0.0.1" })),
      Layer.provide(Cache.layer().pipe(Layer.provide(MemoryStore.layer())))
    )
    yield* Effect.gen(function*() {
      const { address } = yield* HttpServer.HttpServer
      assert.equal(address._tag, "TcpAddress")
      const get = Effect.promise(async () => {
        const response = await fetch(`http://127.0.0.1:${address.port}/posts/7`)
        return { status: response.status, xCache: response.headers.get("x-cache"), body: await response.json() }
      })
      const first = yield* get
      const second = yield* get
      assert.deepEqual(first, { status: 200, xCache: "MISS", body: { id: "7", title: "Post 7" } })
      assert.deepEqual(second, { status: 200, xCache: "HIT", body: { id: "7", title: "Post 7" } })
      assert.equal(handled, 1)
    }).pipe(Effect.provide(server))
  })
)

// @cachet/graphql: a cached field's resolver runs once; the second execution is served from the cache.
check(
  "graphql: GraphQLCache executes a query twice, the second from the cache",
  Effect.gen(function*() {
    let resolved = 0
    const Post = new GraphQLObjectType({
      name: "Post",
      fields: { id: { type: GraphQLInt }, title: { type: GraphQLString } }
    })
    const schema = new GraphQLSchema({
      query: new GraphQLObjectType({
        name: "Query",
        fields: {
          post: {
            type: Post,
            args: { id: { type: GraphQLInt } },
            extensions: GraphQLCache.cacheFragment({ ttl: "10 minutes" }),
            resolve: (_, { id }) => {
              resolved++
              return { id, title: `Post ${id}` }
            }
          }
        }
      })
    })
    const source = "{ post(id: 3) { id title } }"
    const first = yield* GraphQLCache.executeReport({ schema, source })
    const second = yield* GraphQLCache.executeReport({ schema, source })
    assert.equal(first.result.errors, undefined)
    assert.deepEqual(JSON.parse(JSON.stringify(first.result.data)), { post: { id: 3, title: "Post 3" } })
    assert.deepEqual(JSON.parse(JSON.stringify(second.result.data)), { post: { id: 3, title: "Post 3" } })
    assert.equal(resolved, 1)
    assert.equal(first.fullyCached, false)
    assert.equal(second.fullyCached, true)
  }).pipe(Effect.provide(Cache.layer().pipe(Layer.provide(MemoryStore.layer()))))
)

// exports hide internals: a deep path into dist is not importable.
check(
  "exports: @cachet/core/dist/internal/cache.js is not importable",
  Effect.promise(async () => {
    const file = new URL("./internal/cache.js", import.meta.resolve("@cachet/core"))
    assert.ok(Fs.existsSync(file), `${file} is shipped (so the failure below is the exports map's doing)`)
    const error = await import("@cachet/core/dist/internal/cache.js").then(() => undefined, (e) => e)
    assert.ok(error, "a deep import into @cachet/core's dist must fail")
    assert.equal(error.code, "ERR_PACKAGE_PATH_NOT_EXPORTED")
  })
)

let failed = 0
for (const { effect, name } of checks) {
  const exit = await Effect.runPromiseExit(effect)
  if (exit._tag === "Success") {
    console.log(`ok   ${name}`)
  } else {
    failed++
    console.log(`FAIL ${name}\n${String(exit.cause)}`)
  }
}
console.log(`smoke: ${checks.length - failed} passed, ${failed} failed`)
process.exitCode = failed > 0 ? 1 : 0
