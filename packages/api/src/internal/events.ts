/**
 * The live event stream of a cache: its invalidations as they happen, and once a second the
 * counters' deltas (plus fetch-failure and breaker events when those changed), encoded as
 * Server-Sent Events.
 * @internal
 */
import type { Cache } from "@cachet/core"
import { HttpServerResponse } from "@effect/platform"
import { Clock, Duration, Effect, Schedule, Stream } from "effect"
import type { Event } from "../CacheBrowse.js"

/**
 * The events of a cache, subscribed to its invalidations before the stream's first element
 * (`null`, the "open" mark) is emitted.
 * @internal
 */
export const events = (
  cache: Cache.Service,
  interval: Duration.DurationInput = Duration.seconds(1)
): Stream.Stream<Event | null> =>
  Stream.unwrapScoped(
    Effect.map(cache.invalidations, (queue) => {
      const invalidations = Stream.mapEffect(Stream.fromQueue(queue), (invalidation) =>
        Effect.map(Clock.currentTimeMillis, (at): Event => ({
          _tag: "invalidation",
          at,
          tags: invalidation.tags,
          mode: invalidation.mode
        })))
      return Stream.concat(Stream.make(null), Stream.merge(invalidations, ticks(cache, interval)))
    })
  )

/** `hits + staleHits` over every read, 0 when nothing was read. @internal */
export const hitRatio = (stats: Cache.Stats): number => {
  const reads = stats.hits + stats.staleHits + stats.misses
  return reads === 0 ? 0 : (stats.hits + stats.staleHits) / reads
}

const ticks = (cache: Cache.Service, interval: Duration.DurationInput): Stream.Stream<Event> =>
  Stream.unwrap(
    Effect.map(cache.stats, (initial) => {
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
  )

const encoder = new TextEncoder()

/** A `text/event-stream` response of the cache's events (an `open` event first, once the stream is subscribed). @internal */
export const response = (cache: Cache.Service): HttpServerResponse.HttpServerResponse =>
  HttpServerResponse.stream(
    Stream.map(events(cache), (event) =>
      encoder.encode(event === null ? "event: open\ndata: {}\n\n" : `event: ${event._tag}\ndata: ${JSON.stringify(event)}\n\n`)),
    { contentType: "text/event-stream", headers: { "cache-control": "no-cache", "x-accel-buffering": "no" } }
  )
