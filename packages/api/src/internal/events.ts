/**
 * The live event stream of a cache: its invalidations as they happen, and once a second the
 * counters' deltas (plus fetch-failure and breaker events when those changed), encoded as
 * Server-Sent Events.
 * @internal
 */
import type { Cache } from "@cachet/core"
import { HttpServerResponse } from "@effect/platform"
import { Clock, Duration, Effect, Schedule, type Scope, Stream } from "effect"

import type { Event } from "../CacheBrowse.js"

/**
 * Subscribes to the cache's events: once this returns, every invalidation is in the stream
 * (the subscription lasts as long as the scope).
 * @internal
 */
export const subscribe = (
  cache: Cache.Service,
  interval: Duration.DurationInput = Duration.seconds(1)
): Effect.Effect<Stream.Stream<Event>, never, Scope.Scope> =>
  Effect.map(Effect.zip(cache.invalidations, cache.stats), ([queue, initial]) => {
    const invalidations = Stream.mapEffect(
      Stream.fromQueue(queue),
      (invalidation) =>
        Effect.map(Clock.currentTimeMillis, (at): Event => ({
          _tag: "invalidation",
          at,
          tags: invalidation.tags,
          mode: invalidation.mode
        }))
    )
    return Stream.merge(invalidations, ticks(cache, initial, interval))
  })

/** `hits + staleHits` over every read, 0 when nothing was read. @internal */
export const hitRatio = (stats: Cache.Stats): number => {
  const reads = stats.hits + stats.staleHits + stats.misses
  return reads === 0 ? 0 : (stats.hits + stats.staleHits) / reads
}

const ticks = (cache: Cache.Service, initial: Cache.Stats, interval: Duration.DurationInput): Stream.Stream<Event> =>
  Stream.suspend(() => {
    let last = initial
    return Stream.fromSchedule(Schedule.spaced(interval)).pipe(
      Stream.mapEffect(() => Effect.zip(cache.stats, Clock.currentTimeMillis)),
      Stream.mapConcat(([stats, at]): ReadonlyArray<Event> => {
        const previous = last
        last = stats
        const failures = stats.fetchFailures - previous.fetchFailures
        const out: Array<Event> = [{
          _tag: "tick",
          at,
          hits: stats.hits - previous.hits,
          staleHits: stats.staleHits - previous.staleHits,
          misses: stats.misses - previous.misses,
          fetchFailures: failures,
          breaker: stats.breaker,
          hitRatio: hitRatio(stats),
          totals: {
            hits: stats.hits,
            staleHits: stats.staleHits,
            misses: stats.misses,
            fetchFailures: stats.fetchFailures,
            writes: stats.writes,
            invalidations: stats.invalidations,
            expirations: stats.expirations
          }
        }]
        if (failures > 0) out.push({ _tag: "fetchFailures", at, count: failures })
        if (stats.breaker !== previous.breaker) out.push({ _tag: "breaker", at, state: stats.breaker })
        return out
      })
    )
  })

const encoder = new TextEncoder()

/**
 * A `text/event-stream` response of the cache's events (an `open` event first, once the stream is subscribed).
 * @internal
 */
export const response = (cache: Cache.Service): HttpServerResponse.HttpServerResponse =>
  HttpServerResponse.stream(
    Stream.unwrapScoped(
      Effect.map(subscribe(cache), (events) =>
        Stream.concat(
          Stream.make("event: open\ndata: {}\n\n"),
          Stream.map(events, (event) => `event: ${event._tag}\ndata: ${JSON.stringify(event)}\n\n`)
        ))
    ).pipe(Stream.map((text) => encoder.encode(text))),
    { contentType: "text/event-stream", headers: { "cache-control": "no-cache", "x-accel-buffering": "no" } }
  )
