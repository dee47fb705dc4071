/**
 * The "GraphQL fragment cache" section: a query of 20 posts with their authors and comments,
 * fully cached against the same query uncached on the same schema; the field cache's overhead
 * on a query with nothing cached against plain `graphql.execute`; and `/graphql` over HTTP
 * (cached) against REST's cached `GET /posts/:id` in the reference app (a few seconds each,
 * loopback).
 */
import { spawn } from "node:child_process"
import { mkdtempSync } from "node:fs"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

import { Cache, MemoryStore } from "@cachet/core"
import { GraphQLCache } from "@cachet/graphql"
import autocannon from "autocannon"
import { Layer, ManagedRuntime } from "effect"
import type { GraphQLFieldConfig } from "graphql"
import {
  execute,
  GraphQLID,
  GraphQLInt,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
  parse
} from "graphql"

import { formatNs, measureInterleaved, type Sample } from "./measure.js"

interface UserRow {
  readonly id: string
  readonly name: string
  readonly email: string
}
interface PostRow {
  readonly id: string
  readonly title: string
  readonly body: string
  readonly userId: string
  readonly updatedAt: string
}
interface CommentRow {
  readonly id: string
  readonly postId: string
  readonly authorId: string
  readonly body: string
}

const users: ReadonlyArray<UserRow> = Array.from(
  { length: 50 },
  (_, i) => ({ id: String(i + 1), name: `User ${i + 1}`, email: `u${i + 1}@example.com` })
)
const posts: ReadonlyArray<PostRow> = Array.from({ length: 200 }, (_, i) => ({
  id: String(i + 1),
  title: `Post ${i + 1}`,
  body: `Body of post ${i + 1} `.repeat(8),
  userId: String((i % 50) + 1),
  updatedAt: "2026-11-30T00:00:00.000Z"
}))
const usersById = new Map(users.map((user) => [user.id, user]))
const commentsByPost = new Map(posts.map((post) => [
  post.id,
  Array.from({ length: 5 }, (_, j): CommentRow => ({
    id: `${post.id}-${j}`,
    postId: post.id,
    authorId: String(((Number(post.id) + j) % 50) + 1),
    body: `Comment ${j} on post ${post.id}`
  }))
]))

/** The blog schema; `marked` adds the fragment-cache marks (the same definitions otherwise). */
const makeSchema = (marked: boolean): GraphQLCache.TypedSchema<never> => {
  const mark = (): Pick<
    GraphQLFieldConfig<unknown, unknown>,
    "extensions"
  > => (marked ? { extensions: GraphQLCache.cacheFragment() } : {})
  const User: GraphQLObjectType = new GraphQLObjectType<UserRow>({
    name: "User",
    fields: {
      id: { type: new GraphQLNonNull(GraphQLID) },
      name: { type: GraphQLString },
      email: { type: GraphQLString }
    }
  })
  const Comment = new GraphQLObjectType<CommentRow>({
    name: "Comment",
    fields: {
      id: { type: new GraphQLNonNull(GraphQLID) },
      body: { type: GraphQLString },
      author: { type: User, resolve: (comment) => usersById.get(comment.authorId) }
    }
  })
  const Post = new GraphQLObjectType<PostRow>({
    name: "Post",
    fields: {
      id: { type: new GraphQLNonNull(GraphQLID) },
      title: { type: GraphQLString },
      body: { type: GraphQLString },
      updatedAt: { type: GraphQLString },
      author: { type: User, ...mark(), resolve: (post) => usersById.get(post.userId) },
      comments: { type: new GraphQLList(Comment), ...mark(), resolve: (post) => commentsByPost.get(post.id) }
    }
  })
  const Query = new GraphQLObjectType({
    name: "Query",
    fields: {
      posts: {
        type: new GraphQLList(Post),
        ...mark(),
        args: { first: { type: GraphQLInt } },
        resolve: (_, args: { first?: number }) => posts.slice(0, args.first ?? 20)
      },
      feed: {
        type: new GraphQLList(Post),
        args: { first: { type: GraphQLInt } },
        resolve: (_, args: { first?: number }) => posts.slice(0, args.first ?? 20)
      }
    }
  })
  return GraphQLCache.typed(new GraphQLSchema({ query: Query }))
}

const selection = `{ id title body author { id name } comments { id body author { id name } } }`
const cachedQuery = parse(`{ posts(first: 20) ${selection} }`)
const replayQuery = parse(`{ feed(first: 20) ${selection} }`)

export interface Figures {
  readonly inProcess: ReadonlyArray<Sample>
  readonly http: { readonly graphqlRps: number; readonly postRps: number; readonly restRps: number } | string
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      server.close(() => resolve(typeof address === "object" && address !== null ? address.port : 0))
    })
  })

const load = async (url: string, post?: string, duration = 3): Promise<number> => {
  const result = await autocannon({
    url,
    connections: 10,
    duration,
    ...(post === undefined
      ? {}
      : { method: "POST" as const, body: post, headers: { "content-type": "application/json" } })
  })
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors`)
  }
  return result.requests.average
}

/** Starts the reference app from its sources on a free loopback port, runs both loads, stops it. */
const httpFigures = async (): Promise<Figures["http"]> => {
  const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..")
  const port = await freePort()
  const child = spawn(process.execPath, [
    "--conditions=@cachet/source",
    "--import",
    "tsx",
    join(root, "apps/server/src/main.ts")
  ], {
    cwd: root,
    env: {
      ...process.env,
      CACHET_PORT: String(port),
      CACHET_HOST: "127.0.0.1",
      CACHET_STORE: "memory",
      CACHET_DATABASE_PATH: join(mkdtempSync(join(tmpdir(), "cachet-bench-")), "blog.db"),
      CACHET_LOG_LEVEL: "Info",
      CACHET_LOG_FORMAT: "json"
    },
    stdio: ["ignore", "pipe", "pipe"]
  })
  try {
    await new Promise<void>((resolve, reject) => {
      let seen = ""
      child.stdout.on("data", (chunk: Buffer) => {
        seen += chunk.toString()
        if (seen.includes("listening on")) resolve()
      })
      child.once("exit", (code) => reject(new Error(`the server exited (${code}) before listening`)))
    })
    const base = `http://127.0.0.1:${port}`
    const query =
      `{ post(id: "1") { id title body createdAt updatedAt author { id name } comments { id body createdAt author ` +
      `{ id name } } } }`
    const graphqlUrl = `${base}/graphql?query=${encodeURIComponent(query)}`
    await fetch(graphqlUrl)
    await fetch(`${base}/posts/1`)
    const served = (await fetch(graphqlUrl)).headers.get("x-cache")
    if (served !== "HIT") throw new Error(`GET /graphql was not served from the response cache (X-Cache: ${served})`)
    const contenders: ReadonlyArray<readonly [string, string | undefined]> = [
      [graphqlUrl, undefined],
      // The same query over POST: never from the response cache, every fragment read from the fragment cache.
      [`${base}/graphql`, JSON.stringify({ query })],
      [`${base}/posts/1`, undefined]
    ]
    // A second of each first, so that the JIT has seen every path; then rounds of a second each,
    // round-robin, so that the machine's changing load falls on every contender alike.
    for (const [url, body] of contenders) await load(url, body, 1)
    const totals = contenders.map(() => 0)
    const rounds = 4
    for (let round = 0; round < rounds; round++) {
      for (let i = 0; i < contenders.length; i++) totals[i] += await load(contenders[i]![0], contenders[i]![1], 1)
    }
    const [graphqlRps, postRps, restRps] = totals.map((total) => total / rounds) as [number, number, number]
    return { graphqlRps, postRps, restRps }
  } catch (error) {
    return `not measured: ${error instanceof Error ? error.message : String(error)}`
  } finally {
    child.kill("SIGTERM")
  }
}

/** Measures the section. */
export const run = async (): Promise<Figures> => {
  const marked = makeSchema(true)
  const plain = makeSchema(false)
  const unmarked = makeSchema(false)
  const runtime = ManagedRuntime.make(
    Layer.mergeAll(Cache.layer().pipe(Layer.provide(MemoryStore.layer())), GraphQLCache.layer())
  )
  const disabled = ManagedRuntime.make(
    Layer.mergeAll(Cache.layer().pipe(Layer.provide(MemoryStore.layer())), GraphQLCache.layer({ enabled: false }))
  )
  try {
    const cached = (document: typeof cachedQuery) => () =>
      runtime.runPromise(GraphQLCache.execute({ schema: marked, document }))
    const bodies: ReadonlyArray<readonly [string, number, () => Promise<unknown>]> = [
      [
        "uncached: GraphQLCache.execute, cache disabled (same schema)",
        300,
        () => disabled.runPromise(GraphQLCache.execute({ schema: marked, document: cachedQuery }))
      ],
      ["fully cached: the root fragment hits", 3_000, cached(cachedQuery)],
      ["cached below the root: Post.author and Post.comments hit, replayed", 300, cached(replayQuery)],
      ["plain graphql.execute, no cache marks", 300, async () => execute({ schema: plain, document: cachedQuery })],
      [
        "GraphQLCache.execute, nothing cached (no marks)",
        300,
        () => runtime.runPromise(GraphQLCache.execute({ schema: unmarked, document: cachedQuery }))
      ]
    ]
    // Warm every body first (the entries, and the JIT), so measuring order does not decide.
    for (const [, , body] of bodies) for (let i = 0; i < 200; i++) await body()
    // Round-robin: a change of the machine's load falls on every row alike.
    const inProcess = await measureInterleaved(
      bodies.map(([name, ops, body]) => ({
        name,
        ops,
        round: async () => {
          for (let i = 0; i < ops; i++) await body()
        }
      }))
    )
    return { inProcess, http: await httpFigures() }
  } finally {
    await runtime.dispose()
    await disabled.dispose()
  }
}

/** The section's markdown. */
export const section = async (): Promise<Array<string>> => {
  const figures = await run()
  const [uncached, cached, replay, plain, overhead] = figures.inProcess
  const lines = [
    "## GraphQL fragment cache (20 posts, each with its author and 5 comments with their authors)",
    "",
    "| measurement | per op | ratio to uncached |",
    "| --- | ---: | ---: |",
    ...figures.inProcess.map((row) =>
      `| ${row.name} | ${formatNs(row.nsPerOp)} | ${(row.nsPerOp / uncached!.nsPerOp).toFixed(3)}× |`
    ),
    "",
    `- fully cached is ${
      (uncached!.nsPerOp / cached!.nsPerOp).toFixed(1)
    }× faster than uncached on the same schema (goal ≥ 10×);` +
    ` with hits below the root (replayed through the executor) ${(uncached!.nsPerOp / replay!.nsPerOp).toFixed(1)}×`,
    `- overhead with nothing cached: ${
      (overhead!.nsPerOp / plain!.nsPerOp).toFixed(2)
    }× plain \`graphql.execute\` (goal ≤ 1.3×)`
  ]
  if (typeof figures.http === "string") lines.push(`- over HTTP: ${figures.http}`)
  else {
    lines.push(
      `- over HTTP (reference app, loopback, 10 connections, 4 rounds of 1 s each, round-robin): \`GET /graphql\` ` +
        `for one post with author and comments,` +
        ` served whole from the response cache: ${
          figures.http.graphqlRps.toFixed(0)
        } req/s; the same query over \`POST\`` +
        ` (fragment cache only): ${figures.http.postRps.toFixed(0)} req/s; REST \`GET /posts/1\`, cached:` +
        ` ${figures.http.restRps.toFixed(0)} req/s (GraphQL GET / REST = ${
          (figures.http.graphqlRps / figures.http.restRps).toFixed(2)
        },` +
        ` GET / POST = ${(figures.http.graphqlRps / figures.http.postRps).toFixed(2)})`
    )
  }
  return [...lines, ""]
}
