/**
 * The read policies of `getOrFetch` (CacheOrNetwork, CacheAndNetwork, NetworkOnly, CacheOnly,
 * NoCache), the per-call served report, the request-memo region, and the hit path.
 *
 * @internal
 */
import { Effect, Effectable, Fiber, FiberRef, Option, Stream, Utils } from "effect"

import type * as Cache from "../Cache.js"
import * as Key from "../Key.js"
import { type AnySchema, type Lookup, miss, valueOf } from "./entryState.js"
import type { Flights } from "./flight.js"
import { type AnyFetchOptions, failureSchemaOf, type Resolved, schemaOf } from "./options.js"
import type { Reads } from "./reads.js"
import { type Counters, countRead } from "./stats.js"
import type { Writes } from "./writes.js"

/** Told how a `CacheOrNetwork` read was served (the call's `onServed`). */
type Observer = (served: Cache.Served) => void

/** @internal */
export const requestMemo: FiberRef.FiberRef<Map<string, Effect.Effect<unknown>> | undefined> = FiberRef.unsafeMake<
  Map<string, Effect.Effect<unknown>> | undefined
>(undefined)

/**
 * Reads a `CacheOrNetwork` call when it runs, in the fiber that runs it: the effect that
 * completes the read, or (asked for `yield*`, on the hit path) the generator step of a hit.
 */
type ReadNow = <R>(
  key: Key.Input,
  fetch: Effect.Effect<unknown, unknown, R>,
  options: AnyFetchOptions | undefined,
  fiber: Fiber.RuntimeFiber<unknown, unknown> | undefined,
  asStep: boolean
) => Effect.Effect<unknown, unknown, R> | HitStep

/**
 * A `yield*` that hit: its first step is the entry's own (made once), so a hit allocates this
 * small iterator and the final step only. The Effect internals this relies on are pinned by
 * `test/EffectInternals.test.ts`.
 */
class HitStep implements Iterator<unknown, unknown, unknown> {
  constructor(private first: IteratorYieldResult<unknown> | undefined) {}
  next(value?: unknown): IteratorResult<unknown, unknown> {
    const first = this.first
    if (first === undefined) return { value, done: true }
    this.first = undefined
    return first
  }
  return(value?: unknown): IteratorResult<unknown, unknown> {
    return { value, done: true }
  }
  [Symbol.iterator](): HitStep {
    return this
  }
}

/**
 * A `CacheOrNetwork` read as one small lazy effect: the hit path allocates this object and
 * nothing else of its own (cheaper than `Effect.withFiberRuntime` and its closure).
 */
class CacheOrNetworkRead<R> extends Effectable.Class<unknown, unknown, R> {
  constructor(
    readonly readNow: ReadNow,
    readonly key: Key.Input,
    readonly fetch: Effect.Effect<unknown, unknown, R>,
    readonly options: AnyFetchOptions | undefined
  ) {
    super()
  }
  commit(): Effect.Effect<unknown, unknown, R> {
    return this.readNow(
      this.key,
      this.fetch,
      this.options,
      Option.getOrUndefined(Fiber.getCurrentFiber()),
      false
    ) as Effect.Effect<
      unknown,
      unknown,
      R
    >
  }
  /**
   * `yield*` in `Effect.gen` reads when the generator reaches it, in the fiber running it: a hit
   * is then a completed effect the generator resumes from at once, without a turn of the run loop.
   */
  override [Symbol.iterator](): Iterator<Utils.YieldWrap<Effect.Effect<unknown, unknown, R>>, unknown> {
    const read = this.readNow(this.key, this.fetch, this.options, Option.getOrUndefined(Fiber.getCurrentFiber()), true)
    return (read instanceof HitStep ? read : new Utils.SingleShotGen(new Utils.YieldWrap(read))) as Iterator<
      Utils.YieldWrap<Effect.Effect<unknown, unknown, R>>,
      unknown
    >
  }
}

/** @internal */
export interface Policies {
  readonly getOrFetch: (
    key: Key.Input,
    fetch: Effect.Effect<unknown, unknown, unknown>,
    options?: AnyFetchOptions
  ) => Effect.Effect<unknown, unknown, unknown> | Stream.Stream<unknown, unknown, unknown>
  /** The hit path, synchronously: a fresh hit's value readable now without I/O, else `undefined`. */
  readonly peekFresh: (key: Key.Input, schema: AnySchema) => Cache.Peeked<unknown> | undefined
  /** `CacheOnly` on a store key: the value if fresh or in grace. */
  readonly cacheOnly: (storeKey: string, resolved: Resolved) => Effect.Effect<Option.Option<unknown>>
}

/** @internal */
export const make = (options: {
  readonly prefix: string
  readonly enabled: boolean
  readonly counters: Counters
  readonly reads: Reads
  readonly writes: Writes
  readonly flights: Flights
  readonly resolve: (options: AnyFetchOptions | undefined, writes: boolean) => Resolved
  readonly storeKeyOf: (input: Key.Input) => string
  readonly now: () => number
}): Policies => {
  const { counters, enabled, flights, now, prefix, reads, resolve, storeKeyOf, writes } = options
  const sync = reads.sync

  const observe = (observer: Observer, outcome: Cache.Served["outcome"], storeKey: string, createdAt: number) =>
    observer({ outcome, key: storeKey.slice(prefix.length), createdAt, ageMillis: Math.max(0, now() - createdAt) })

  const serve = <R>(
    storeKey: string,
    fetch: Effect.Effect<unknown, unknown, R>,
    options: AnyFetchOptions | undefined,
    found: Lookup,
    observer: Observer | undefined
  ): Effect.Effect<unknown, unknown, R> => {
    countRead(counters, found)
    switch (found._tag) {
      case "Fresh":
        if (observer !== undefined) observe(observer, "hit", storeKey, found.createdAt)
        return found.served
      case "Stale":
        if (observer !== undefined) observe(observer, "stale", storeKey, found.createdAt)
        return Effect.zipRight(flights.refreshInBackground(storeKey, fetch, resolve(options, true)), found.served)
      case "Miss":
      case "Unavailable": {
        // When the store could not be read, fetch directly and do not try to write.
        const fetched = flights.fetchThrough(storeKey, fetch, resolve(options, found._tag === "Miss"), Option.none())
        return observer === undefined
          ? fetched
          : Effect.tap(fetched, () => Effect.sync(() => observe(observer, "miss", storeKey, now())))
      }
    }
  }

  const { freshHit } = reads

  const readNow: ReadNow = <R>(
    key: Key.Input,
    fetch: Effect.Effect<unknown, unknown, R>,
    options: AnyFetchOptions | undefined,
    fiber: Fiber.RuntimeFiber<unknown, unknown> | undefined,
    asStep: boolean
  ): Effect.Effect<unknown, unknown, R> | HitStep => {
    const memo = fiber?.getFiberRef(requestMemo)
    const schema = schemaOf(options)
    const failureSchema = failureSchemaOf(options)
    const observer = options?.onServed
    const text = Key.encode(key)
    if (freshHit !== undefined && memo === undefined) {
      // The hit path: a fresh, already-decoded entry of the cache's own namespace.
      const hit = freshHit(text, schema, failureSchema)
      if (hit !== undefined) {
        counters.hits++
        if (observer !== undefined) observe(observer, "hit", storeKeyOf(text), hit.createdAt)
        return asStep ? new HitStep(hit.step) : hit.served
      }
    }
    const storeKey = storeKeyOf(text)
    if (memo !== undefined) {
      const remembered = memo.get(storeKey)
      if (remembered !== undefined) return remembered
    }
    let read: Effect.Effect<unknown, unknown, R>
    if (sync !== undefined) {
      // The hit path of an in-process store: one synchronous read, no effect of the store's.
      const judged = reads.judgeSync(sync, storeKey, schema, failureSchema)
      read = judged._tag === "Corrupt"
        ? Effect.zipRight(reads.dropCorrupt(storeKey), serve(storeKey, fetch, options, miss, observer))
        : serve(storeKey, fetch, options, judged, observer)
    } else {
      read = Effect.flatMap(
        reads.lookup(storeKey, schema, failureSchema),
        (found) => serve(storeKey, fetch, options, found, observer)
      )
    }
    return memo === undefined
      ? read
      : Effect.tap(read, (value) => Effect.sync(() => memo.set(storeKey, Effect.succeed(value))))
  }

  /** `readNow`'s hit path without a fiber: the same two synchronous reads, nothing else. */
  const { peekJudge } = reads
  const peekFresh = (key: Key.Input, schema: AnySchema): Cache.Peeked<unknown> | undefined => {
    if (!enabled) return undefined
    const text = Key.encode(key)
    let found: Lookup | undefined
    if (sync !== undefined) {
      found = freshHit?.(text, schema, undefined)?.fresh
      if (found === undefined) {
        const judged = reads.judgeSync(sync, storeKeyOf(text), schema, undefined)
        if (judged._tag !== "Fresh") return undefined
        found = judged
      }
    } else {
      // A store with an in-process tier: what that tier can tell now, judged as any entry is.
      const judged = peekJudge?.(storeKeyOf(text), schema)
      if (judged === undefined || judged._tag !== "Fresh") return undefined
      found = judged
    }
    if (found._tag !== "Fresh" || found.decoded.failed) return undefined
    counters.hits++
    return { value: found.decoded.value, createdAt: found.createdAt, ageMillis: Math.max(0, now() - found.createdAt) }
  }

  const cacheOrNetwork = <R>(
    key: Key.Input,
    fetch: Effect.Effect<unknown, unknown, R>,
    options: AnyFetchOptions | undefined
  ) => new CacheOrNetworkRead(readNow, key, fetch, options)

  const networkOnly = <R>(storeKey: string, fetch: Effect.Effect<unknown, unknown, R>, resolved: Resolved) =>
    Effect.flatMap(
      reads.lookup(storeKey, resolved.schema, resolved.failureSchema),
      (found) =>
        flights.fetchThrough(
          storeKey,
          fetch,
          found._tag === "Unavailable" ? { ...resolved, writes: false } : resolved,
          valueOf(found)
        )
    )

  const cacheOnly = (storeKey: string, resolved: Resolved) =>
    Effect.map(reads.lookup(storeKey, resolved.schema, resolved.failureSchema), (found) => {
      countRead(counters, found)
      return valueOf(found)
    })

  const cacheAndNetwork = <R>(storeKey: string, fetch: Effect.Effect<unknown, unknown, R>, resolved: Resolved) =>
    Stream.unwrap(Effect.map(reads.lookup(storeKey, resolved.schema, resolved.failureSchema), (found) => {
      const cached = valueOf(found)
      const fresh = Stream.fromEffect(flights.fetchThrough(storeKey, fetch, resolved, cached))
      countRead(counters, Option.isNone(cached) ? miss : found)
      return Option.isNone(cached) ? fresh : Stream.concat(Stream.succeed(cached.value), fresh)
    }))

  const fetchDirect = <R>(storeKey: string, fetch: Effect.Effect<unknown, unknown, R>, resolved: Resolved) =>
    Effect.suspend(() => {
      counters.fetches++
      return writes.withHardTimeout(storeKey, fetch, resolved.hard)
    })

  const getOrFetch: Policies["getOrFetch"] = (key, fetch, options) => {
    const policy = options?.policy ?? "CacheOrNetwork"
    const context = options?.context
    // The common case first, without building anything else.
    if (policy === "CacheOrNetwork" && enabled && context === undefined) return cacheOrNetwork(key, fetch, options)
    const run = (readKey: Key.Input) => {
      if (policy === "CacheOrNetwork" && enabled) return cacheOrNetwork(readKey, fetch, options)
      const storeKey = storeKeyOf(readKey)
      const resolved = resolve(options, policy !== "NoCache" && enabled)
      if (!enabled) {
        if (policy === "CacheOnly") return Effect.succeed(Option.none())
        if (policy === "CacheAndNetwork") return Stream.fromEffect(fetchDirect(storeKey, fetch, resolved))
        return fetchDirect(storeKey, fetch, resolved)
      }
      switch (policy) {
        case "CacheOrNetwork":
          return cacheOrNetwork(readKey, fetch, options)
        case "NetworkOnly":
          return networkOnly(storeKey, fetch, resolved)
        case "CacheOnly":
          return cacheOnly(storeKey, resolved)
        case "CacheAndNetwork":
          return cacheAndNetwork(storeKey, fetch, resolved)
        case "NoCache":
          return fetchDirect(storeKey, fetch, resolved)
      }
    }
    if (context === undefined) return run(key)
    const keyWith = (part: Key.Part): Key.Input => [Key.encode(key), part]
    return policy === "CacheAndNetwork"
      ? Stream.unwrap(Effect.map(context, (part) => run(keyWith(part)) as Stream.Stream<unknown, unknown, unknown>))
      : Effect.flatMap(context, (part) => run(keyWith(part)) as Effect.Effect<unknown, unknown, unknown>)
  }

  return { getOrFetch, peekFresh, cacheOnly }
}
