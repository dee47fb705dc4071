/**
 * Two concurrent executions of `{ slow }`, a cached field whose resolver waits on a gate: both
 * read the store and miss, the first holds the flight, then the gate opens.
 */
import { Cache } from "@cachet/core"
import { Deferred, Effect, Fiber } from "effect"
import { buildSchema } from "graphql"

import { GraphQLCache } from "../src/index.js"

/** Both executions' reports, and how many times the resolver ran. */
export const twoConcurrentMisses = Effect.gen(function*() {
  const gate = yield* Deferred.make<void>()
  let calls = 0
  const schema = GraphQLCache.typed(buildSchema(`type Query { slow: String }`))
  schema.getQueryType()!.getFields()["slow"]!.extensions = GraphQLCache.cacheFragment()
  schema.getQueryType()!.getFields()["slow"]!.resolve = () =>
    Effect.zipRight(Effect.sync(() => calls++), Effect.as(Deferred.await(gate), "done"))
  const one = yield* Effect.fork(GraphQLCache.executeReport({ schema, source: `{ slow }` }))
  const two = yield* Effect.fork(GraphQLCache.executeReport({ schema, source: `{ slow }` }))
  const cache = yield* Cache.Cache
  // Both have read the store and missed; the first holds the flight, blocked on the gate.
  yield* cache.stats.pipe(Effect.repeat({ until: (stats) => stats.misses >= 2 && calls > 0 }))
  yield* Deferred.succeed(gate, undefined)
  const reports = yield* Fiber.joinAll([one, two])
  return { reports, calls }
})

/**
 * A read that computed a fragment from data read before a mutation, still running when a second
 * read (sent after the mutation answered) misses the same fragment. The cache counts `stamp`
 * reads: the second read takes its stamp right after it missed, just before it looks for a
 * flight to join; only then is the first read let go.
 */
export const readAcrossMutation = Effect.gen(function*() {
  const post = { id: "1", title: "Old" }
  const dataRead = yield* Deferred.make<void>()
  const gate = yield* Deferred.make<void>()
  const secondMissed = yield* Deferred.make<void>()
  let resolverCalls = 0
  let stamps = 0
  const schema = GraphQLCache.typed(buildSchema(`
    type Post { id: ID! title: String! }
    type Query { post(id: ID!): Post }
    type Mutation { renamePost(id: ID!, title: String!): Post! }`))
  const query = schema.getQueryType()!.getFields()["post"]!
  query.extensions = GraphQLCache.cacheFragment()
  query.resolve = () => {
    // The row as the database has it now; the first read holds it until the gate opens.
    const row = { ...post }
    resolverCalls++
    if (resolverCalls > 1) return row
    return Effect.zipRight(Deferred.succeed(dataRead, undefined), Effect.as(Deferred.await(gate), row))
  }
  schema.getMutationType()!.getFields()["renamePost"]!.resolve = (_: unknown, args: { readonly title: string }) => {
    post.title = args.title
    return { ...post }
  }
  const inner = yield* Cache.Cache
  const counted: Cache.Service = {
    ...inner,
    stamp: Effect.tap(inner.stamp, () => ++stamps === 2 ? Deferred.succeed(secondMissed, undefined) : Effect.void)
  }
  const withCache = <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.provideService(effect, Cache.Cache, counted)
  const read = withCache(GraphQLCache.executeReport({ schema, source: `{ post(id: "1") { id title } }` }))
  const first = yield* Effect.fork(read)
  yield* Deferred.await(dataRead)
  const mutation = yield* withCache(
    GraphQLCache.executeReport({ schema, source: `mutation { renamePost(id: "1", title: "New") { id title } }` })
  )
  const second = yield* Effect.fork(read)
  yield* Deferred.await(secondMissed)
  yield* Deferred.succeed(gate, undefined)
  const [before, after] = yield* Fiber.joinAll([first, second])
  const calls = resolverCalls
  const later = yield* read
  return { before, mutation, after, later, resolverCalls: calls }
})
