/**
 * The servers of the `graphql-servers` section: one schema and one data set served by five arms
 * (Yoga bare, Yoga + `useResponseCache`, Yoga + `useCachet`, Apollo + `responseCachePlugin`,
 * Apollo + `ApolloServerPluginCachet`). Run as `node dist/graphqlServersArms.js <arm>` with `PORT`,
 * forked with an IPC channel: the parent asks `{ type: "stats" }` for the counters (database
 * accesses, root resolver executions, errors the cache clients reported) and gets them back.
 * `GRAPHQL_SERVERS_STORE` (JSON, a {@link Store}) puts the four caches on memory (the default), one
 * Redis node or a Redis Cluster.
 */
import * as Http from "node:http"

import { ApolloServer, type BaseContext, HeaderMap } from "@apollo/server"
import responseCachePlugin from "@apollo/server-plugin-response-cache"
import { KeyvAdapter } from "@apollo/utils.keyvadapter"
import { ApolloServerPluginCachet } from "@cachet/apollo"
import { Cache, MemoryStore } from "@cachet/core"
import { useCachet } from "@cachet/envelop"
import { GraphQLCache } from "@cachet/graphql"
import { RedisStore } from "@cachet/redis"
import { createRedisCache } from "@envelop/response-cache-redis"
import { type Cache as ResponseCache, useResponseCache } from "@graphql-yoga/plugin-response-cache"
import KeyvRedis from "@keyv/redis"
import { Layer } from "effect"
import { createSchema, createYoga, type YogaInitialContext } from "graphql-yoga"
import { Cluster, Redis } from "ioredis"
import { Keyv } from "keyv"

/** The arms, in the order of the table. */
export const arms = ["yoga", "yoga-rc", "yoga-cachet", "apollo-rc", "apollo-cachet"] as const
/** One arm. */
export type Arm = typeof arms[number]

/** How many posts, users and comments per post the data holds. */
export const POSTS = 10_000
export const USERS = 1_000
export const COMMENTS_PER_POST = 3

interface Post {
  readonly id: string
  version: number
  readonly authorId: string
  readonly commentIds: Array<string>
}
interface Comment {
  readonly id: string
  readonly postId: string
  readonly authorId: string
  readonly text: string
}
interface User {
  readonly id: string
  readonly name: string
}

/** Where the caches keep their entries. */
export type Store =
  | { readonly kind: "memory" }
  | { readonly kind: "redis"; readonly url: string }
  | { readonly kind: "cluster"; readonly nodes: ReadonlyArray<{ readonly host: string; readonly port: number }> }

const store = JSON.parse(process.env["GRAPHQL_SERVERS_STORE"] ?? "{\"kind\":\"memory\"}") as Store

/** The counters the parent reads. */
interface Stats {
  db: number
  roots: Record<string, number>
  /** Errors the cache's Redis client reported on its own (events, not failed requests), and the first. */
  clientErrors: number
  firstClientError?: string
}
const stats: Stats = { db: 0, roots: {}, clientErrors: 0 }
const clientError = (error: unknown) => {
  stats.clientErrors++
  stats.firstClientError ??= error instanceof Error ? error.message : String(error)
}

const posts = new Map<string, Post>()
const comments = new Map<string, Comment>()
const users = new Map<string, User>()
for (let u = 1; u <= USERS; u++) users.set(String(u), { id: String(u), name: `User ${u}` })
let commentSeq = 0
for (let p = 1; p <= POSTS; p++) {
  const commentIds: Array<string> = []
  for (let c = 0; c < COMMENTS_PER_POST; c++) {
    const id = String(++commentSeq)
    comments.set(id, { id, postId: String(p), authorId: String(1 + (commentSeq % USERS)), text: `comment ${id}` })
    commentIds.push(id)
  }
  posts.set(String(p), { id: String(p), version: 1, authorId: String(1 + (p % USERS)), commentIds })
}

/** Every database access: counted, and 2 ms of waiting. */
const db = <A>(read: () => A): Promise<A> => {
  stats.db++
  return new Promise((resolve) => setTimeout(() => resolve(read()), 2))
}
const root = (name: string) => {
  stats.roots[name] = (stats.roots[name] ?? 0) + 1
}

/** The title shows the post's version, so a response can be checked against the truth. */
const titleOf = (post: Post) => `Post ${post.id} v${post.version}`

const scopes = `
  enum CacheControlScope { PUBLIC PRIVATE }
  directive @cacheControl(maxAge: Int, scope: CacheControlScope, inheritMaxAge: Boolean)
    on FIELD_DEFINITION | OBJECT | INTERFACE | UNION`

const typeDefs = `${GraphQLCache.directiveDefinition}
  ${scopes}
  type User @cacheControl(maxAge: 600) { id: ID! name: String! }
  type Comment @cacheControl(maxAge: 600) {
    id: ID!
    text: String!
    author: User! @cacheFragment(ttl: "10 minutes")
    post: Post!
  }
  type Post @cacheControl(maxAge: 600) {
    id: ID!
    version: Int!
    title: String!
    author: User! @cacheFragment(ttl: "10 minutes")
    comments: [Comment!]! @cacheFragment(ttl: "10 minutes")
  }
  type Query {
    posts(first: Int!): [Post!]! @cacheFragment(ttl: "10 minutes")
    post(id: ID!): Post @cacheFragment(ttl: "10 minutes")
    me: User @cacheFragment(ttl: "10 minutes", contextKey: []) @cacheControl(maxAge: 600, scope: PRIVATE)
    postCount: Int!
  }
  type Mutation {
    addComment(postId: ID!, text: String!): Comment!
    renamePost(id: ID!): Post!
  }`

interface Context {
  readonly user: string | null
}

const resolvers = {
  Query: {
    posts: (_: unknown, args: { first: number }) => {
      root("posts")
      return db(() => Array.from({ length: Math.min(args.first, POSTS) }, (_, i) => posts.get(String(i + 1))!))
    },
    post: (_: unknown, args: { id: string }) => {
      root("post")
      return db(() => posts.get(args.id) ?? null)
    },
    me: (_: unknown, __: unknown, context: Context) => {
      root("me")
      const user = context.user
      return user === null ? null : db(() => users.get(String(1 + (Number(user) % USERS))) ?? null)
    },
    postCount: () => {
      root("postCount")
      return db(() => posts.size)
    }
  },
  Post: {
    title: (post: Post) => titleOf(post),
    author: (post: Post) => db(() => users.get(post.authorId)!),
    comments: (post: Post) => db(() => post.commentIds.map((id) => comments.get(id)!))
  },
  Comment: {
    author: (comment: Comment) => db(() => users.get(comment.authorId)!),
    post: (comment: Comment) => db(() => posts.get(comment.postId)!)
  },
  Mutation: {
    addComment: (_: unknown, args: { postId: string; text: string }) =>
      db(() => {
        const post = posts.get(args.postId)!
        const id = String(++commentSeq)
        const comment = { id, postId: post.id, authorId: "1", text: args.text }
        comments.set(id, comment)
        post.commentIds.push(id)
        return comment
      }),
    renamePost: (_: unknown, args: { id: string }) =>
      db(() => {
        const post = posts.get(args.id)!
        post.version++
        return post
      })
  }
}

const cacheLayer = () =>
  Cache.layer({ ttl: "10 minutes" }).pipe(Layer.provide(
    store.kind === "redis"
      ? RedisStore.layer({ url: store.url })
      : store.kind === "cluster"
      ? RedisStore.layer({ cluster: store.nodes })
      : MemoryStore.layer()
  ))
const session = (context: Context) => context.user ?? "anonymous"

/** `@envelop/response-cache-redis` on ioredis (a `Cluster` client on the cluster), as its README says. */
const envelopRedisCache = (): ResponseCache | undefined => {
  if (store.kind === "memory") return undefined
  const client = store.kind === "redis" ? new Redis(store.url) : new Cluster([...store.nodes])
  client.on("error", clientError)
  // Its parameter is typed as a single-node client; a `Cluster` answers the same commands.
  return createRedisCache({ redis: client as Redis })
}

/** Apollo's documented Redis backend: `KeyvAdapter` over `Keyv` over `@keyv/redis` (node-redis). */
const apolloRedisCache = (): KeyvAdapter<string> | undefined => {
  if (store.kind === "memory") return undefined
  const redis = store.kind === "redis"
    ? new KeyvRedis(store.url)
    : new KeyvRedis({ rootNodes: store.nodes.map((n) => ({ url: `redis://${n.host}:${n.port}` })) })
  const keyv = new Keyv({ store: redis })
  keyv.on("error", clientError)
  // The adapter's types name keyv's CommonJS declarations, this module its ESM ones: one class at run time.
  return new KeyvAdapter<string>(keyv as unknown as ConstructorParameters<typeof KeyvAdapter<string>>[0])
}

const yogaHandler = (arm: Arm): Http.RequestListener => {
  const schema = createSchema<YogaInitialContext & Context>({ typeDefs, resolvers })
  const plugins = arm === "yoga-rc"
    ? [
      useResponseCache({
        session: (request) => request.headers.get("authorization"),
        ttl: 600_000,
        ...(store.kind === "memory" ? {} : { cache: envelopRedisCache()! })
      })
    ]
    : arm === "yoga-cachet"
    ? [useCachet<YogaInitialContext & Context>({ cache: cacheLayer(), session })]
    : []
  const yoga = createYoga<object, Context>({
    schema,
    logging: false,
    maskedErrors: false,
    context: ({ request }) => ({ user: request.headers.get("authorization") }),
    plugins
  })
  return yoga as unknown as Http.RequestListener
}

const apolloHandler = async (arm: Arm): Promise<Http.RequestListener> => {
  const plugins = arm === "apollo-rc"
    ? [responseCachePlugin<Context & BaseContext>({
      sessionId: async ({ contextValue }) => contextValue.user
    })]
    : [ApolloServerPluginCachet<Context & BaseContext>({ cache: cacheLayer(), session })]
  const cache = arm === "apollo-rc" ? apolloRedisCache() : undefined
  const server = new ApolloServer<Context & BaseContext>({
    typeDefs,
    resolvers,
    plugins,
    ...(cache === undefined ? {} : { cache })
  })
  await server.start()
  return (req, res) => {
    const chunks: Array<Buffer> = []
    req.on("data", (chunk: Buffer) => chunks.push(chunk))
    req.on("end", () => {
      const headers = new HeaderMap()
      for (const [name, value] of Object.entries(req.headers)) {
        if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(", ") : value)
      }
      const text = Buffer.concat(chunks).toString("utf8")
      const url = new URL(req.url ?? "/", "http://localhost")
      server.executeHTTPGraphQLRequest({
        httpGraphQLRequest: {
          method: req.method ?? "GET",
          headers,
          search: url.search,
          body: text.length > 0 && headers.get("content-type")?.includes("json") ? JSON.parse(text) : text
        },
        context: async () => ({ user: headers.get("authorization") ?? null })
      }).then(async (response) => {
        res.statusCode = response.status ?? 200
        for (const [name, value] of response.headers) res.setHeader(name, value)
        if (response.body.kind === "complete") {
          res.end(response.body.string)
        } else {
          for await (const chunk of response.body.asyncIterator) res.write(chunk)
          res.end()
        }
      }, (error: unknown) => {
        res.statusCode = 500
        res.end(String(error))
      })
    })
  }
}

const serve = async (arm: Arm) => {
  const handler = arm.startsWith("apollo") ? await apolloHandler(arm) : yogaHandler(arm)
  const server = Http.createServer({ keepAliveTimeout: 60_000 }, handler)
  server.listen(Number(process.env["PORT"]), "127.0.0.1", () => process.send?.({ type: "ready" }))
  process.on("message", (message: { type: string }) => {
    if (message.type === "stats") process.send?.({ type: "stats", stats })
  })
  process.on("disconnect", () => process.exit(0))
}

const arm = process.argv[2] as Arm | undefined
if (arm !== undefined && (arms as ReadonlyArray<string>).includes(arm)) void serve(arm)
