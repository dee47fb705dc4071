/**
 * Invalidations the store has not acknowledged yet. An invalidation (a hard or soft bump of tag
 * paths, or the delete of a key) that could not reach the store is recorded here instead of
 * being lost; while it is pending, the cache treats every entry it covers as invalidated (hard)
 * or expired (soft) and writes none of them; a relay fiber replays the pending invalidations, in
 * order, with backoff, until the store acknowledges them.
 *
 * @internal
 */
import type { Duration, Scope } from "effect"
import { Deferred, Effect, FiberId, Queue, Schedule } from "effect"

import type * as Outbox from "../Outbox.js"
import * as Tag from "../Tag.js"

/** One invalidation waiting for the store: a bump of tag paths, or the delete of store keys. */
export type Invalidation = Outbox.Invalidation

/** How a pending invalidation covers an entry. */
export type Coverage = "none" | "expired" | "invalidated"

/** @internal */
export interface PendingInvalidations {
  /** How many invalidations wait for the store. */
  readonly size: () => number
  /**
   * Bumped each time an invalidation is recorded: a fetch that started before a bump was
   * recorded must not write its result (its stamp may predate a store that lost its counter).
   */
  readonly epoch: () => number
  /** Records an invalidation the store did not acknowledge, and wakes the relay. */
  readonly record: (invalidation: Invalidation) => void
  /** How the pending invalidations cover an entry with these tags under this store key. */
  readonly coverage: (storeKey: string, tags: ReadonlyArray<string>) => Coverage
  /** Succeeds once every invalidation pending now has been acknowledged by the store. */
  readonly awaitAll: Effect.Effect<void>
  /** The pending invalidations, oldest first. */
  readonly list: () => ReadonlyArray<Invalidation>
}

interface Item {
  readonly invalidation: Invalidation
  readonly done: Deferred.Deferred<void>
}

const increment = (counts: Map<string, number>, key: string): void => {
  counts.set(key, (counts.get(key) ?? 0) + 1)
}

const decrement = (counts: Map<string, number>, key: string): void => {
  const n = counts.get(key) ?? 0
  if (n <= 1) counts.delete(key)
  else counts.set(key, n - 1)
}

/** @internal */
export interface RelayOptions {
  /**
   * Applies a batch of invalidations to the store, in order; fails when the store did not
   * acknowledge all of them (the whole batch is then retried: bumps and deletes are idempotent
   * in effect, a second bump only invalidates more).
   */
  readonly apply: (batch: ReadonlyArray<Invalidation>) => Effect.Effect<void, unknown>
  /** The delays between failed attempts (Clock-driven). */
  readonly retry: Schedule.Schedule<unknown, unknown>
  /** Told of each batch the store acknowledged. */
  readonly onAcknowledged: (batch: ReadonlyArray<Invalidation>) => Effect.Effect<void>
  /** Told, when the cache's scope closes, of the invalidations that never reached the store. */
  readonly onLost: (lost: ReadonlyArray<Invalidation>) => Effect.Effect<void>
}

/**
 * A batch with adjacent invalidations of one kind merged: consecutive bumps of one mode become
 * one bump of all their paths, consecutive deletes one delete of all their keys. The store sees
 * the same invalidations in the same order, in one round trip per run instead of one per
 * invalidation, so a backlog built up during an outage drains at once when the store is back.
 *
 * @internal
 */
export const coalesce = (batch: ReadonlyArray<Invalidation>): ReadonlyArray<Invalidation> => {
  const merged: Array<Invalidation> = []
  for (const invalidation of batch) {
    const last = merged[merged.length - 1]
    if (last?._tag === "Bump" && invalidation._tag === "Bump" && last.mode === invalidation.mode) {
      merged[merged.length - 1] = { ...last, paths: [...new Set([...last.paths, ...invalidation.paths])] }
    } else if (last?._tag === "Delete" && invalidation._tag === "Delete") {
      merged[merged.length - 1] = { ...last, keys: [...new Set([...last.keys, ...invalidation.keys])] }
    } else merged.push(invalidation)
  }
  return merged
}

/**
 * The default retry schedule of the relay: 50 ms doubling up to one attempt per second.
 *
 * @internal
 */
export const defaultRetry = (cap: Duration.DurationInput): Schedule.Schedule<unknown, unknown> =>
  Schedule.exponential("50 millis", 2).pipe(Schedule.union(Schedule.spaced(cap)))

/**
 * The pending set and its relay fiber, which lives in the scope; when the scope closes the
 * relay makes a last attempt and reports what it could not deliver.
 *
 * @internal
 */
export const make = (options: RelayOptions): Effect.Effect<PendingInvalidations, never, Scope.Scope> =>
  Effect.gen(function*() {
    const items: Array<Item> = []
    const hard = new Map<string, number>()
    const soft = new Map<string, number>()
    const keys = new Map<string, number>()
    let epoch = 0
    const wake = yield* Queue.sliding<void>(1)

    const counted = (invalidation: Invalidation, step: typeof increment) => {
      if (invalidation._tag === "Delete") { for (const key of invalidation.keys) step(keys, key) }
      else for (const path of invalidation.paths) step(invalidation.mode === "hard" ? hard : soft, path)
    }

    const coverage = (storeKey: string, tags: ReadonlyArray<string>): Coverage => {
      if (items.length === 0) return "none"
      if (keys.has(storeKey)) return "invalidated"
      if (tags.length === 0) return "none"
      let expired = false
      for (const path of Tag.prefixesOfAll(tags)) {
        if (hard.has(path)) return "invalidated"
        if (soft.has(path)) expired = true
      }
      return expired ? "expired" : "none"
    }

    /** One delivery of everything pending now; true when the store acknowledged it. */
    const attempt = Effect.suspend(() => {
      const batch = items.slice()
      if (batch.length === 0) return Effect.succeed(true)
      const invalidations = batch.map((item) => item.invalidation)
      return options.apply(invalidations).pipe(
        Effect.matchEffect({
          onFailure: () => Effect.succeed(false),
          onSuccess: () =>
            Effect.suspend(() => {
              // New invalidations are only ever appended, so the batch is still the head.
              items.splice(0, batch.length)
              for (const item of batch) counted(item.invalidation, decrement)
              // Waiters are released once the acknowledgement is recorded (e.g. in the journal).
              return options.onAcknowledged(invalidations).pipe(
                Effect.ensuring(Effect.sync(() => {
                  for (const item of batch) Deferred.unsafeDone(item.done, Effect.void)
                })),
                Effect.as(true)
              )
            })
        })
      )
    })

    const relay = Effect.gen(function*() {
      const driver = yield* Schedule.driver(options.retry)
      while (true) {
        if (items.length === 0) {
          yield* Queue.take(wake)
          continue
        }
        if (yield* attempt) {
          yield* driver.reset
          continue
        }
        // Wait for the next retry, or for a reason to try at once (a new invalidation, a waiter).
        yield* Effect.raceFirst(Effect.ignore(driver.next(undefined)), Queue.take(wake))
      }
    })
    yield* Effect.forkScoped(Effect.interruptible(relay))
    yield* Effect.addFinalizer(() =>
      Effect.suspend(() =>
        items.length === 0 ?
          Effect.void :
          Effect.flatMap(
            attempt,
            (delivered) => delivered ? Effect.void : options.onLost(items.map((item) => item.invalidation))
          )
      )
    )

    return {
      size: () => items.length,
      epoch: () => epoch,
      record: (invalidation) => {
        items.push({ invalidation, done: Deferred.unsafeMake<void>(FiberId.none) })
        counted(invalidation, increment)
        epoch++
        Queue.unsafeOffer(wake, undefined)
      },
      coverage,
      awaitAll: Effect.suspend(() => {
        if (items.length === 0) return Effect.void
        const waits = items.map((item) => item.done)
        Queue.unsafeOffer(wake, undefined)
        return Effect.forEach(waits, Deferred.await, { discard: true })
      }),
      list: () => items.map((item) => item.invalidation)
    }
  })
