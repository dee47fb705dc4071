/**
 * Fetching a value and writing its outcome: the stamp read before the fetch, the hard timeout,
 * the entry (or cached typed failure) written through the guard — unless a pending
 * invalidation covers it or was deferred while the fetch ran.
 *
 * @internal
 */
import { Cause, Data, Duration, Effect, Either, Exit, Option } from "effect"

import * as CacheMetrics from "../CacheMetrics.js"
import * as Codec from "../Codec.js"
import type * as Store from "../Store.js"
import * as Tag from "../Tag.js"
import * as TagVersions from "../TagVersions.js"
import * as Tracing from "../Tracing.js"
import { type AnySchema, deepFreeze } from "./entryState.js"
import type { Resolved } from "./options.js"
import type { StoreParts } from "./reads.js"

/** @internal */
export class FetchTimeoutError extends Data.TaggedError("FetchTimeoutError")<{
  readonly key: string
  readonly timeoutMillis: number
}> {
  override get message(): string {
    return `fetch of ${this.key} timed out after ${this.timeoutMillis} ms`
  }
}

/**
 * When a fetch's result may be written: the stamp it was read with, and the deferred-invalidation
 * epoch at that moment. `None` when the stamp could not be read (the store is down).
 *
 * @internal
 */
export type Ticket = Option.Option<{ readonly stamp: number; readonly epoch: number }>

/** @internal */
export interface Writes {
  /** Reads the stamp a fetch starting now writes with. */
  readonly ticket: Effect.Effect<Ticket>
  /** Whether a result fetched under this ticket may still be written. */
  readonly stillWritable: (ticket: Ticket) => ticket is Option.Some<{ readonly stamp: number; readonly epoch: number }>
  /** Encodes a value into an entry (`None`, logged, when it does not encode). */
  readonly makeEntry: (
    storeKey: string,
    schema: AnySchema,
    value: unknown,
    failed: boolean,
    stamp: number,
    ttl: number,
    grace: number,
    tags: ReadonlyArray<string>,
    text?: string
  ) => Effect.Effect<Option.Option<Store.Entry>>
  /** Whether no pending invalidation covers an entry with these tags under this key. */
  readonly uncovered: (storeKey: string, tags: ReadonlyArray<string>) => boolean
  /** Writes the outcome of a fetch (a value, or a typed failure when failures are cached). */
  readonly writeOutcome: (
    storeKey: string,
    resolved: Resolved,
    ticket: Ticket,
    exit: Exit.Exit<unknown, unknown>,
    text?: string
  ) => Effect.Effect<void>
  /** A fetched value as a hit would serve it: without a schema, its JSON read back (frozen). */
  readonly asServed: (schema: AnySchema, value: unknown) => unknown
  /** Runs a fetch under its hard timeout. */
  readonly withHardTimeout: <A, E, R>(
    storeKey: string,
    fetch: Effect.Effect<A, E, R>,
    hard: number | undefined
  ) => Effect.Effect<A, E | FetchTimeoutError, R>
  /** Fetches and writes the outcome; the exit of the fetch. */
  readonly fetchAndWrite: <R>(
    storeKey: string,
    fetch: Effect.Effect<unknown, unknown, R>,
    resolved: Resolved
  ) => Effect.Effect<Exit.Exit<unknown, unknown>, never, R>
}

/** @internal */
export const make = (options: StoreParts): Writes => {
  const { counters, guard, nanos, now, pending, store, tagVersions } = options

  const ticket: Effect.Effect<Ticket> = Effect.suspend(() => {
    const epoch = pending.epoch()
    return Effect.map(
      guard.failOpen("counter", Effect.map(tagVersions.counter, Option.some), Option.none()),
      Option.map((counter) => ({ stamp: TagVersions.stampOf(counter), epoch }))
    )
  })

  // A bump deferred while the fetch ran may not outrank its stamp (a store that restarted
  // empty counts from zero again): such a result is served, never written.
  const stillWritable = (ticket: Ticket): ticket is Option.Some<{ readonly stamp: number; readonly epoch: number }> =>
    Option.isSome(ticket) && ticket.value.epoch === pending.epoch()

  const uncovered = (storeKey: string, tags: ReadonlyArray<string>) => pending.coverage(storeKey, tags) === "none"

  const makeEntry: Writes["makeEntry"] = (storeKey, schema, value, failed, stamp, ttl, grace, tags, known) => {
    const text = known !== undefined ? Either.right(known) : Codec.encode(schema, value)
    if (Either.isLeft(text)) {
      return Effect.as(
        Effect.logWarning(`cachet: value for ${storeKey} not cached: ${text.left.message}`),
        Option.none()
      )
    }
    return Effect.succeed(Option.some({ value: text.right, stamp, createdAt: now(), ttl, grace, tags, failed }))
  }

  const writeEntry = (storeKey: string, entry: Option.Option<Store.Entry>) =>
    // An entry a pending invalidation covers would be invalid once the store takes the bump.
    Option.isNone(entry) || !uncovered(storeKey, entry.value.tags)
      ? Effect.void
      : Effect.suspend(() => {
        counters.writes++
        return guard.failOpen("set", store.set(storeKey, entry.value), undefined)
      })

  const tagsOf = (resolved: Resolved, exit: Exit.Exit<unknown, unknown>) =>
    Tag.normalize(typeof resolved.tags === "function" ? resolved.tags(exit) : resolved.tags)

  const writeOutcome: Writes["writeOutcome"] = (storeKey, resolved, ticket, exit, text) => {
    if (!resolved.writes || !stillWritable(ticket)) return Effect.void
    const stamp = ticket.value.stamp
    if (Exit.isSuccess(exit)) {
      const value = exit.value
      if (resolved.when !== undefined && !resolved.when(value)) return Effect.void
      const ttl = typeof resolved.ttl === "number" ? resolved.ttl : Duration.toMillis(resolved.ttl(exit))
      return Effect.flatMap(
        makeEntry(storeKey, resolved.schema, value, false, stamp, ttl, resolved.grace, tagsOf(resolved, exit), text),
        (entry) => writeEntry(storeKey, entry)
      )
    }
    if (resolved.failureSchema === undefined) return Effect.void
    const failure = Cause.failureOption(exit.cause)
    if (Option.isNone(failure)) return Effect.void
    if (resolved.failureWhen !== undefined && !resolved.failureWhen(failure.value)) return Effect.void
    const ttl = typeof resolved.ttl === "function" ? Duration.toMillis(resolved.ttl(exit)) : resolved.failureTtl
    return Effect.flatMap(
      makeEntry(storeKey, resolved.failureSchema, failure.value, true, stamp, ttl, 0, tagsOf(resolved, exit)),
      (entry) => writeEntry(storeKey, entry)
    )
  }

  const withHardTimeout = <A, E, R>(storeKey: string, fetch: Effect.Effect<A, E, R>, hard: number | undefined) =>
    hard === undefined
      ? fetch
      : Effect.timeoutFail(fetch, {
        duration: Duration.millis(hard),
        onTimeout: () => new FetchTimeoutError({ key: storeKey, timeoutMillis: hard })
      })

  /**
   * Without a schema, a fetched value is served as its JSON reads back (deeply frozen): what a
   * hit on the entry returns, so a miss and a hit agree. A value with no JSON form is never
   * stored (so never hit) and is served as fetched.
   */
  const asStored = (text: string, exit: Exit.Exit<unknown, unknown>): Exit.Exit<unknown, unknown> => {
    const back = Codec.decode(Codec.json, text)
    return Either.isLeft(back) ? exit : Exit.succeed(deepFreeze(back.right))
  }

  const asServed = (schema: AnySchema, value: unknown): unknown => {
    if (schema !== Codec.json) return value
    const text = Codec.encode(schema, value)
    if (Either.isLeft(text)) return value
    const back = Codec.decode(Codec.json, text.right)
    return Either.isLeft(back) ? value : deepFreeze(back.right)
  }

  /** Fetches, counts, times and writes the outcome (a chain of a few steps: it is the miss path). */
  const fetchWriting = <R>(
    storeKey: string,
    fetch: Effect.Effect<unknown, unknown, R>,
    resolved: Resolved,
    writable: Ticket
  ) =>
    Effect.suspend(() => {
      counters.fetches++
      const started = nanos()
      return Effect.flatMap(Effect.exit(withHardTimeout(storeKey, fetch, resolved.hard)), (exit) => {
        CacheMetrics.fetchDuration.unsafeUpdate(Duration.nanos(nanos() - started), [])
        if (Exit.isFailure(exit) && !Cause.isInterruptedOnly(exit.cause)) counters.fetchFailures++
        if (resolved.schema !== Codec.json || Exit.isFailure(exit)) {
          return Effect.as(writeOutcome(storeKey, resolved, writable, exit), exit)
        }
        const text = Codec.encode(resolved.schema, exit.value)
        if (Either.isLeft(text)) return Effect.as(writeOutcome(storeKey, resolved, writable, exit), exit)
        const served = asStored(text.right, exit)
        return Effect.as(writeOutcome(storeKey, resolved, writable, served, text.right), served)
      })
    })

  const fetchAndWrite = <R>(storeKey: string, fetch: Effect.Effect<unknown, unknown, R>, resolved: Resolved) => {
    const program = resolved.writes
      ? Effect.flatMap(ticket, (writable) => fetchWriting(storeKey, fetch, resolved, writable))
      : fetchWriting(storeKey, fetch, resolved, Option.none())
    return Tracing.traced("cachet.fetch", { attributes: { "cachet.key": storeKey } })(program)
  }

  return { ticket, stillWritable, makeEntry, uncovered, writeOutcome, asServed, withHardTimeout, fetchAndWrite }
}
