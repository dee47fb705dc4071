/**
 * `EntityGraph.query`: a root field read under one of `@cachet/core`'s cache policies,
 * fetching (and writing) when the policy says so.
 * @internal
 */
import { Policy } from "@cachet/core"
import type { Scope } from "effect"
import { Effect, Stream } from "effect"

import type * as EG from "../EntityGraph.js"
import type { AnySchema, Operations } from "./operations.js"
import type { Write } from "./store.js"

/** The `query` of one graph; background refreshes are forked in `scope`. @internal */
export const makeQuery = (
  ops: Operations,
  reading: <A>(f: (now: number) => A) => Effect.Effect<A>,
  writing: <A>(f: (w: Write) => A) => Effect.Effect<A>,
  scope: Scope.Scope
): EG.Service["query"] => {
  const fetchAndRead = <A, I, E, R>(options: EG.QueryOptions<A, I, E, R>): Effect.Effect<EG.ReadResult<A>, E, R> =>
    Effect.flatMap(options.fetch, (data) =>
      writing((w) => {
        ops.writeQuery(w, options.field, options.args, options.schema as AnySchema, data)
        const read = ops.readQuery<A>(w.now, options.field, options.args, options.schema as AnySchema, false)
        return read.complete ? read : { data, complete: true, stale: false }
      }))

  const inBackground = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<void, never, R> =>
    effect.pipe(
      Effect.catchAllCause((cause) => Effect.logWarning("EntityGraph: background refresh failed", cause)),
      Effect.forkIn(scope),
      Effect.asVoid
    )

  return (<A, I, E, R>(options: EG.QueryOptions<A, I, E, R>) => {
    const policy = options.policy ?? Policy.CacheOrNetwork
    const partial = options.partial === true
    const read = reading((now) =>
      ops.readQuery<A>(now, options.field, options.args, options.schema as AnySchema, partial)
    )
    switch (policy) {
      case Policy.NoCache:
        return Effect.map(options.fetch, (data): EG.ReadResult<A> => ({ data, complete: true, stale: false }))
      case Policy.NetworkOnly:
        return fetchAndRead(options)
      case Policy.CacheOnly:
        return read
      case Policy.CacheAndNetwork:
        return Stream.concat(
          Stream.fromEffect(read).pipe(Stream.filter((result) => result.data !== null)),
          Stream.fromEffect(fetchAndRead(options))
        )
      case Policy.CacheOrNetwork:
        return Effect.flatMap(read, (cached) => {
          if (cached.complete && !cached.stale) return Effect.succeed(cached)
          if (cached.data !== null) return Effect.as(inBackground(fetchAndRead(options)), cached)
          return fetchAndRead(options)
        })
    }
  }) as EG.Service["query"]
}
