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
