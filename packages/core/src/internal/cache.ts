/** @internal */
import {
  Cause,
  Data,
  Deferred,
  Duration,
  Effect,
  Either,
  Exit,
  Fiber,
  FiberId,
  FiberRef,
  Metric,
  Option,
  PubSub,
  Schedule,
  Schema,
  Stream
} from "effect"
import type * as Cache from "../Cache.js"
import * as CacheMetrics from "../CacheMetrics.js"
import * as Codec from "../Codec.js"
import * as Key from "../Key.js"
import * as Lock from "../Lock.js"
import * as PendingInvalidations from "./pendingInvalidations.js"
import type * as Policy from "../Policy.js"
import * as Store from "../Store.js"
import * as Tag from "../Tag.js"
import * as TagVersions from "../TagVersions.js"

type AnySchema = Schema.Schema<unknown, unknown, never>

/** A decoded entry: the value, or a cached typed failure. */
type Decoded = { readonly failed: false; readonly value: unknown } | { readonly failed: true; readonly error: unknown }

/** What a read of one key found. */
type Lookup =
  | { readonly _tag: "Miss" }
  | {
    readonly _tag: "Fresh"
    readonly decoded: Decoded
    readonly createdAt: number
    readonly served?: Effect.Effect<unknown, unknown>
  }
  | {
    readonly _tag: "Stale"
    readonly decoded: Decoded
    readonly createdAt: number
    readonly served?: Effect.Effect<unknown, unknown>
  }

const miss: Lookup = { _tag: "Miss" }

/** The read could not reach the store: fetch directly, and do not try to write. */
const storeDown: Lookup = { _tag: "Miss" }

/** A stored entry that no longer decodes. */
const corrupt = { _tag: "Corrupt" } as const

interface Flight {
  readonly deferred: Deferred.Deferred<unknown, unknown>
  fiber: Fiber.RuntimeFiber<void> | undefined
  waiters: number
  background: boolean
}

interface Resolved {
  readonly schema: AnySchema
  readonly failureSchema: AnySchema | undefined
  readonly failureTtl: number
  readonly failureWhen: ((error: unknown) => boolean) | undefined
  readonly ttl: number | ((exit: Exit.Exit<unknown, unknown>) => Duration.DurationInput)
  readonly grace: number
  readonly tags: Tag.Input | ((exit: Exit.Exit<unknown, unknown>) => Tag.Input) | undefined
  readonly when: ((value: unknown) => boolean) | undefined
  readonly soft: number | undefined
  readonly hard: number | undefined
  readonly writes: boolean
}

type AnyFetchOptions = Cache.FetchOptions<unknown, unknown, unknown, unknown, Policy.Policy, Cache.Timeout, unknown>

const millis = (input: Duration.DurationInput): number => Duration.toMillis(Duration.decode(input))

const deepFreeze = <A>(value: A): A => {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    const proto = Object.getPrototypeOf(value)
    if (Array.isArray(value) || proto === Object.prototype || proto === null) {
      Object.freeze(value)
      for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key])
    }
  }
  return value
}

/** Told how each read of a `CacheOrNetwork` call was served. */
type Observer = (served: Cache.Served) => void

/** @internal */
export const servedObserver: FiberRef.FiberRef<Observer | undefined> = FiberRef.unsafeMake<Observer | undefined>(undefined)

/** @internal */
export const requestMemo: FiberRef.FiberRef<Map<string, Effect.Effect<unknown>> | undefined> = FiberRef.unsafeMake<
  Map<string, Effect.Effect<unknown>> | undefined
>(undefined)

/** Effect's default tracer, which records nothing. */
const nativeTracer = Effect.runSync(Effect.tracer)

/** @internal */
export const make = (options: Cache.Options = {}) =>
  Effect.gen(function* () {
    const store = yield* Store.Store
    const tagVersions = yield* TagVersions.TagVersions
    const lock = yield* Effect.serviceOption(Lock.Lock)
    const scope = yield* Effect.scope
    const clock = yield* Effect.clock
    const now = () => clock.unsafeCurrentTimeMillis()

    const namespace = options.namespace ?? "cachet"
    const version = String(options.version ?? "1")
    const prefix = `${Key.escapeSegment(namespace)}:${Key.escapeSegment(version)}:`
    const defaultTtl = millis(options.ttl ?? Duration.minutes(5))
    const defaultGrace = millis(options.grace ?? Duration.zero)
    const storeTimeout = millis(options.storeTimeout ?? Duration.millis(500))
    const enabled = options.enabled ?? true
    const breakerThreshold = options.breakerThreshold ?? 5
    const breakerCooldown = millis(options.breakerCooldown ?? Duration.seconds(10))
    const lockOptions: Lock.Options = { ...Lock.defaults, ...options.lock }

    const counters = {
      hits: 0,
      staleHits: 0,
      misses: 0,
      fetches: 0,
      fetchFailures: 0,
      staleIfError: 0,
      writes: 0,
      storeErrors: 0,
      storeSkips: 0,
      decodeFailures: 0,
      invalidations: 0,
      expirations: 0,
      deletes: 0,
      backgroundRefreshes: 0,
      deferredInvalidations: 0
    }
    const inflight = new Map<string, Flight>()
    const invalidationHub = yield* PubSub.unbounded<Cache.Invalidation>()

    // Effect metrics follow the tallies: deltas are published every second and on `stats`.
    const publishedSoFar = new Map<string, number>()
    const publishMetrics = Effect.forEach(CacheMetrics.published, ([name, counter]) => {
      const total = name === "invalidations" ? counters.invalidations + counters.expirations : counters[name]
      const delta = total - (publishedSoFar.get(name) ?? 0)
      publishedSoFar.set(name, total)
      return delta > 0 ? Metric.incrementBy(Metric.tagged(counter, "namespace", prefix), delta) : Effect.void
    }, { discard: true })
    yield* publishMetrics.pipe(Effect.repeat(Schedule.spaced(Duration.seconds(1))), Effect.interruptible, Effect.forkIn(scope))
    const decodedMemo = new WeakMap<Store.Entry, { readonly schema: AnySchema; readonly decoded: Decoded }>()
    let consecutiveFailures = 0
    let breakerOpenUntil = 0

    // Store keys are interned per key text: a freshly concatenated string would have to be
    // flattened and hashed on every lookup, which costs more than the rest of a hit.
    const storeKeys = new Map<string, string>()
    const storeKeyOf = (input: Key.Input): string => {
      const text = Key.encode(input)
      let storeKey = storeKeys.get(text)
      if (storeKey === undefined) {
        storeKey = Key.bound(prefix + text)
        if (storeKeys.size >= 100_000) storeKeys.clear()
        storeKeys.set(text, storeKey)
      }
      return storeKey
    }

    // ---------------------------------------------------------------------------------------
    // Store calls: timeouts, fail-open, circuit breaker
    // ---------------------------------------------------------------------------------------

    const recordFailure = (error: Store.StoreError) =>
      Effect.suspend(() => {
        counters.storeErrors++
        consecutiveFailures++
        if (consecutiveFailures >= breakerThreshold && breakerOpenUntil <= now()) {
          breakerOpenUntil = now() + breakerCooldown
          return Effect.logWarning(
            `cachet: store ${store.name} failed ${consecutiveFailures} times in a row; skipping it for ${breakerCooldown} ms`
          ).pipe(Effect.annotateLogs("error", error.message))
        }
        return Effect.logWarning(`cachet: ${error.message}; continuing without the store`)
      })

    const protect = <A>(operation: string, effect: Effect.Effect<A, Store.StoreError>): Effect.Effect<A, Store.StoreError> => {
      if (store.local) return effect
      return Effect.suspend(() => {
        if (breakerOpenUntil > now()) {
          counters.storeSkips++
          return Effect.fail(new Store.StoreError({ operation, reason: "circuit breaker open" }))
        }
        return effect.pipe(
          Effect.timeoutFail({
            duration: storeTimeout,
            onTimeout: () => new Store.StoreError({ operation, reason: `timed out after ${storeTimeout} ms` })
          }),
          Effect.tapBoth({
            onSuccess: () => Effect.sync(() => {
              consecutiveFailures = 0
            }),
            onFailure: (error) => error.reason === "circuit breaker open" ? Effect.void : recordFailure(error)
          })
        )
      })
    }

    /** A store call that never fails the caller: on error it logs, counts and returns the fallback. */
    const failOpen = <A>(operation: string, effect: Effect.Effect<A, Store.StoreError>, fallback: A): Effect.Effect<A> =>
      store.local
        ? Effect.catchAll(effect, (error) => Effect.as(recordFailure(error), fallback))
        : Effect.orElseSucceed(protect(operation, effect), () => fallback)

    // ---------------------------------------------------------------------------------------
    // Invalidations the store did not acknowledge: recorded, honoured locally, replayed
    // ---------------------------------------------------------------------------------------

    const describeInvalidation = (invalidation: PendingInvalidations.Invalidation) =>
      invalidation._tag === "Delete"
        ? `delete of ${invalidation.keys.join(", ")}`
        : `${invalidation.mode === "hard" ? "invalidation" : "expiry"} of ${invalidation.paths.join(", ")}`

    const withStoreTimeout = <A>(operation: string, effect: Effect.Effect<A, Store.StoreError>) =>
      store.local ? effect : Effect.timeoutFail(effect, {
        duration: storeTimeout,
        onTimeout: () => new Store.StoreError({ operation, reason: `timed out after ${storeTimeout} ms` })
      })

    const pending = yield* PendingInvalidations.make({
      apply: (batch) =>
        Effect.forEach(batch, (invalidation) =>
          invalidation._tag === "Bump"
            ? withStoreTimeout("bump", tagVersions.bump(invalidation.paths, invalidation.mode))
            : withStoreTimeout("deleteMany", store.deleteMany(invalidation.keys)), { discard: true }),
      retry: PendingInvalidations.defaultRetry(options.invalidationRetry ?? Duration.seconds(1)),
      onAcknowledged: (batch) =>
        Effect.suspend(() => {
          // The store answered: it is back, whatever the breaker thought.
          consecutiveFailures = 0
          breakerOpenUntil = 0
          return Effect.logInfo(`cachet: the store acknowledged ${batch.length} deferred invalidation(s)`).pipe(
            Effect.annotateLogs("invalidations", batch.map(describeInvalidation).join("; "))
          )
        }),
      onLost: (lost) =>
        Effect.logError(`cachet: ${lost.length} invalidation(s) never reached store ${store.name}; entries they cover may be served until their ttl`).pipe(
          Effect.annotateLogs("invalidations", lost.map(describeInvalidation).join("; "))
        )
    })

    /** An invalidation the store did not take: remembered, honoured here, replayed by the relay. */
    const defer = (invalidation: PendingInvalidations.Invalidation, error: Store.StoreError) =>
      Effect.suspend(() => {
        pending.record(invalidation)
        counters.deferredInvalidations++
        return Effect.logWarning(
          `cachet: ${describeInvalidation(invalidation)} deferred (${error.message}); entries it covers are not served by this process until the store acknowledges it`
        )
      })

    // ---------------------------------------------------------------------------------------
    // Reading and classifying entries
    // ---------------------------------------------------------------------------------------

    const decodeEntry = (entry: Store.Entry, schema: AnySchema, failureSchema: AnySchema | undefined): Option.Option<Decoded> => {
      const memo = decodedMemo.get(entry)
      if (memo !== undefined && memo.schema === schema) return Option.some(memo.decoded)
      let decoded: Decoded
      if (entry.failed) {
        if (failureSchema === undefined) return Option.none()
        const result = Codec.decode(failureSchema, entry.value)
        if (Either.isLeft(result)) return Option.none()
        decoded = { failed: true, error: result.right }
      } else {
        const result = Codec.decode(schema, entry.value)
        if (Either.isLeft(result)) return Option.none()
        decoded = { failed: false, value: deepFreeze(result.right) }
      }
      decodedMemo.set(entry, { schema, decoded })
      return Option.some(decoded)
    }

    const stateOf = (
      storeKey: string,
      entry: Store.Entry,
      versions: ReadonlyArray<TagVersions.Version>,
      time: number
    ): Cache.State => {
      const covered = pending.coverage(storeKey, entry.tags)
      if (covered === "invalidated" || TagVersions.isInvalidated(entry.stamp, versions)) return "invalidated"
      const expiresAt = entry.createdAt + entry.ttl
      if (time < expiresAt && covered === "none" && !TagVersions.isSoftExpired(entry.stamp, versions)) return "fresh"
      return time < expiresAt + entry.grace ? "stale" : "expired"
    }

    /** Reads an entry and its tag versions: `None` when absent, `undefined` when the store failed. */
    const readRaw = (storeKey: string): Effect.Effect<Option.Option<Store.EntryWithVersions> | undefined> => {
      if (store.getWithVersions !== undefined) {
        return failOpen("get", store.getWithVersions(storeKey), undefined)
      }
      return Effect.flatMap(failOpen("get", store.get(storeKey), undefined), (found): Effect.Effect<Option.Option<Store.EntryWithVersions> | undefined> => {
        if (found === undefined || Option.isNone(found)) return Effect.succeed(found === undefined ? undefined : Option.none())
        const entry = found.value
        if (entry.tags.length === 0) return Effect.succeed(Option.some([entry, []] as const))
        return failOpen(
          "versions",
          Effect.map(tagVersions.versions(Tag.prefixesOfAll(entry.tags)), (versions) => Option.some([entry, versions] as const)),
          undefined
        )
      })
    }

    /** The hot path's synchronous access, for in-process stores that offer one. */
    const sync = store.local ? store.sync : undefined

    /** The decoded value of an in-process slot, kept on the slot, with its two possible lookups. */
    interface SlotMemo {
      readonly schema: AnySchema
      readonly fresh: Lookup
      readonly stale: Lookup
    }

    const judgeSlot = (
      access: Store.SyncAccess,
      storeKey: string,
      schema: AnySchema,
      failureSchema: AnySchema | undefined
    ): Lookup | typeof corrupt => {
      const time = now()
      const slot = access.read(storeKey, time)
      if (slot === undefined) return miss
      const entry = slot.entry
      let validity = entry.tags.length === 0 ? "valid" : access.validity(entry.tags, entry.stamp)
      if (pending.size() !== 0) {
        const covered = pending.coverage(storeKey, entry.tags)
        if (covered === "invalidated") validity = "invalidated"
        else if (covered === "expired" && validity === "valid") validity = "expired"
      }
      if (validity === "invalidated") return miss
      const expiresAt = entry.createdAt + entry.ttl
      const fresh = time < expiresAt && validity === "valid"
      if (!fresh && time >= expiresAt + entry.grace) return miss
      let memo = slot.memo as SlotMemo | undefined
      if (memo === undefined || memo.schema !== schema) {
        const decoded = decodeEntry(entry, schema, failureSchema)
        if (Option.isNone(decoded)) return entry.failed && failureSchema === undefined ? miss : corrupt
        // The effect that serves the value is immutable too: built once per entry, not per hit.
        const served = valueOf(decoded.value)
        memo = {
          schema,
          fresh: { _tag: "Fresh", decoded: decoded.value, createdAt: entry.createdAt, served },
          stale: { _tag: "Stale", decoded: decoded.value, createdAt: entry.createdAt, served }
        }
        slot.memo = memo
      }
      return fresh ? memo.fresh : memo.stale
    }

    const dropCorrupt = (storeKey: string) =>
      Effect.suspend(() => {
        counters.decodeFailures++
        return Effect.zipRight(
          Effect.logWarning(`cachet: entry ${storeKey} could not be decoded; treating it as a miss`),
          failOpen("delete", store.delete(storeKey), false)
        )
      })

    /** What an entry read means for a caller with these schemas (pure). */
    const judge = (
      storeKey: string,
      found: Store.EntryWithVersions | undefined,
      schema: AnySchema,
      failureSchema: AnySchema | undefined
    ): Lookup | typeof corrupt => {
      if (found === undefined) return miss
      const entry = found[0]
      const state = stateOf(storeKey, entry, found[1], now())
      if (state === "invalidated" || state === "expired") return miss
      const decoded = decodeEntry(entry, schema, failureSchema)
      if (Option.isNone(decoded)) {
        // A cached failure read without a failure schema is simply not usable here.
        return entry.failed && failureSchema === undefined ? miss : corrupt
      }
      return { _tag: state === "fresh" ? "Fresh" : "Stale", decoded: decoded.value, createdAt: entry.createdAt }
    }

    const classify = (
      storeKey: string,
      found: Option.Option<Store.EntryWithVersions> | undefined,
      schema: AnySchema,
      failureSchema: AnySchema | undefined
    ): Effect.Effect<Lookup> => {
      if (found === undefined) return Effect.succeed(storeDown)
      const judged = judge(storeKey, Option.getOrUndefined(found), schema, failureSchema)
      return judged._tag === "Corrupt" ? Effect.as(dropCorrupt(storeKey), miss) : Effect.succeed(judged)
    }

    const lookup = (storeKey: string, schema: AnySchema, failureSchema: AnySchema | undefined): Effect.Effect<Lookup> =>
      sync !== undefined
        ? Effect.suspend(() => {
          const judged = judgeSlot(sync, storeKey, schema, failureSchema)
          return judged._tag === "Corrupt" ? Effect.as(dropCorrupt(storeKey), miss) : Effect.succeed(judged)
        })
        : Effect.flatMap(readRaw(storeKey), (found) => classify(storeKey, found, schema, failureSchema))

    // ---------------------------------------------------------------------------------------
    // Writing
    // ---------------------------------------------------------------------------------------

    const makeEntry = (
      storeKey: string,
      schema: AnySchema,
      value: unknown,
      failed: boolean,
      stamp: number,
      ttl: number,
      grace: number,
      tags: ReadonlyArray<string>
    ): Effect.Effect<Option.Option<Store.Entry>> => {
      const text = Codec.encode(schema, value)
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
      Option.isNone(entry) || pending.coverage(storeKey, entry.value.tags) !== "none"
        ? Effect.void
        : Effect.zipRight(
          Effect.sync(() => {
            counters.writes++
          }),
          failOpen("set", store.set(storeKey, entry.value), undefined)
        )

    const readStamp = Effect.map(failOpen("counter", tagVersions.counter, -1), (counter) =>
      counter < 0 ? -1 : TagVersions.stampOf(counter))

    const writeOutcome = (
      storeKey: string,
      resolved: Resolved,
      stamp: number,
      exit: Exit.Exit<unknown, unknown>,
      epoch: number
    ) => {
      // A bump deferred while the fetch ran may not outrank its stamp (a store that restarted
      // empty counts from zero again): such a result is served, never written.
      if (stamp < 0 || !resolved.writes || pending.epoch() !== epoch) return Effect.void
      if (Exit.isSuccess(exit)) {
        const value = exit.value
        if (resolved.when !== undefined && !resolved.when(value)) return Effect.void
        const ttl = typeof resolved.ttl === "number" ? resolved.ttl : millis(resolved.ttl(exit))
        const tags = Tag.normalize(typeof resolved.tags === "function" ? resolved.tags(exit) : resolved.tags)
        return Effect.flatMap(
          makeEntry(storeKey, resolved.schema, value, false, stamp, ttl, resolved.grace, tags),
          (entry) => writeEntry(storeKey, entry)
        )
      }
      if (resolved.failureSchema === undefined) return Effect.void
      const failure = Cause.failureOption(exit.cause)
      if (Option.isNone(failure)) return Effect.void
      if (resolved.failureWhen !== undefined && !resolved.failureWhen(failure.value)) return Effect.void
      const tags = Tag.normalize(typeof resolved.tags === "function" ? resolved.tags(exit) : resolved.tags)
      const ttl = typeof resolved.ttl === "function" ? millis(resolved.ttl(exit)) : resolved.failureTtl
      return Effect.flatMap(
        makeEntry(storeKey, resolved.failureSchema, failure.value, true, stamp, ttl, 0, tags),
        (entry) => writeEntry(storeKey, entry)
      )
    }

    // ---------------------------------------------------------------------------------------
    // Fetching: single-flight, timeouts, cross-process lock
    // ---------------------------------------------------------------------------------------

    const withHardTimeout = <A, E, R>(storeKey: string, fetch: Effect.Effect<A, E, R>, hard: number | undefined) =>
      hard === undefined
        ? fetch
        : Effect.timeoutFail(fetch, {
          duration: Duration.millis(hard),
          onTimeout: () => new FetchTimeoutError({ key: storeKey, timeoutMillis: hard })
        })

    /** Waits for the holder of the cross-process lock to write the value, polling with backoff. */
    const awaitLockHolder = (storeKey: string, resolved: Resolved): Effect.Effect<Option.Option<unknown>> => {
      const deadline = now() + lockOptions.waitMillis
      const poll: Effect.Effect<Option.Option<unknown>, undefined> = Effect.flatMap(
        lookup(storeKey, resolved.schema, resolved.failureSchema),
        (found) => {
          if (found._tag === "Fresh" && !found.decoded.failed) return Effect.succeed(Option.some(found.decoded.value))
          return now() >= deadline ? Effect.succeed(Option.none()) : Effect.fail(undefined)
        }
      )
      return poll.pipe(
        Effect.retry(
          Schedule.exponential(Duration.millis(10), 1.5).pipe(
            Schedule.union(Schedule.spaced(Duration.millis(200))),
            Schedule.upTo(Duration.millis(lockOptions.waitMillis + 200))
          )
        ),
        Effect.orElseSucceed(() => Option.none())
      )
    }

    const fetchAndWrite = <R>(storeKey: string, fetch: Effect.Effect<unknown, unknown, R>, resolved: Resolved) =>
      Effect.gen(function* () {
        const epoch = pending.epoch()
        const stamp = resolved.writes ? yield* readStamp : -1
        counters.fetches++
        const exit = yield* Effect.exit(withHardTimeout(storeKey, fetch, resolved.hard))
        if (Exit.isFailure(exit) && !Cause.isInterruptedOnly(exit.cause)) counters.fetchFailures++
        yield* writeOutcome(storeKey, resolved, stamp, exit, epoch)
        return exit
      }).pipe(
        Metric.trackDuration(CacheMetrics.fetchDuration),
        (program) =>
          // A span costs tens of microseconds; only pay for it when a real tracer will record it.
          Effect.tracerWith((tracer) =>
            tracer === nativeTracer
              ? program
              : Effect.withSpan(program, "cachet.fetch", { attributes: { "cachet.key": storeKey }, captureStackTrace: false })
          )
      )

    const runFetch = <R>(storeKey: string, fetch: Effect.Effect<unknown, unknown, R>, resolved: Resolved) => {
      if (Option.isNone(lock) || store.local || !resolved.writes) return fetchAndWrite(storeKey, fetch, resolved)
      const locks = lock.value
      const lockKey = `${storeKey}:lock`
      return Effect.flatMap(failOpen("lock", locks.acquire(lockKey, lockOptions.ttlMillis), Option.none<string>()), (token) => {
        if (Option.isSome(token)) {
          return Effect.ensuring(
            fetchAndWrite(storeKey, fetch, resolved),
            failOpen("unlock", locks.release(lockKey, token.value), undefined)
          )
        }
        return Effect.flatMap(awaitLockHolder(storeKey, resolved), (written) =>
          Option.isSome(written)
            ? Effect.succeed(Exit.succeed(written.value) as Exit.Exit<unknown, unknown>)
            : fetchAndWrite(storeKey, fetch, resolved))
      })
    }

    const awaitFlight = (flight: Flight): Effect.Effect<unknown, unknown> =>
      Effect.suspend(() => {
        flight.waiters++
        return Effect.onInterrupt(Deferred.await(flight.deferred), () =>
          Effect.suspend(() => {
            flight.waiters--
            return flight.waiters === 0 && !flight.background && flight.fiber !== undefined
              ? Fiber.interruptFork(flight.fiber)
              : Effect.void
          }))
      })

    /** Joins the flight of a key, or starts one whose fiber lives in the cache's scope. */
    const flightFor = <R>(
      storeKey: string,
      fetch: Effect.Effect<unknown, unknown, R>,
      resolved: Resolved,
      background: boolean
    ): Effect.Effect<Flight, never, R> =>
      Effect.uninterruptible(Effect.suspend(() => {
        const existing = inflight.get(storeKey)
        if (existing !== undefined) return Effect.succeed(existing)
        const flight: Flight = {
          deferred: Deferred.unsafeMake<unknown, unknown>(FiberId.none),
          fiber: undefined,
          waiters: 0,
          background
        }
        inflight.set(storeKey, flight)
        if (background) counters.backgroundRefreshes++
        const program = Effect.exit(runFetch(storeKey, fetch, resolved)).pipe(
          // Whatever happens in the flight (even a defect in the cache itself) reaches its waiters.
          Effect.flatMap((exit) => Deferred.done(flight.deferred, Exit.isSuccess(exit) ? exit.value : exit)),
          Effect.onInterrupt(() => Deferred.interrupt(flight.deferred)),
          Effect.ensuring(Effect.sync(() => {
            if (inflight.get(storeKey) === flight) inflight.delete(storeKey)
          })),
          Effect.asVoid
        )
        return Effect.map(Effect.forkIn(Effect.interruptible(program), scope), (fiber) => {
          flight.fiber = fiber
          return flight
        })
      }))

    const fetchThrough = <R>(
      storeKey: string,
      fetch: Effect.Effect<unknown, unknown, R>,
      resolved: Resolved,
      stale: Option.Option<unknown>
    ): Effect.Effect<unknown, unknown, R> =>
      Effect.flatMap(flightFor(storeKey, fetch, resolved, false), (flight) => {
        const awaited = Option.isSome(stale) && resolved.soft !== undefined
          ? Effect.race(
            awaitFlight(flight),
            Effect.sleep(Duration.millis(resolved.soft)).pipe(
              Effect.zipRight(Effect.sync(() => {
                flight.background = true
                counters.staleIfError++
                return stale.value
              }))
            )
          )
          : awaitFlight(flight)
        if (Option.isNone(stale)) return awaited
        return Effect.catchAllCause(awaited, (cause) => {
          if (Cause.isInterruptedOnly(cause)) return Effect.failCause(cause)
          counters.staleIfError++
          return Effect.as(
            Effect.logWarning(`cachet: fetch of ${storeKey} failed; serving the stale value`).pipe(
              Effect.annotateLogs("cause", Cause.pretty(cause))
            ),
            stale.value
          )
        })
      })

    const refreshInBackground = <R>(storeKey: string, fetch: Effect.Effect<unknown, unknown, R>, resolved: Resolved) =>
      inflight.has(storeKey)
        ? Effect.void
        : Effect.flatMap(flightFor(storeKey, fetch, resolved, true), (flight) =>
          Effect.forkIn(
            Deferred.await(flight.deferred).pipe(
              Effect.catchAllCause((cause) =>
                Cause.isInterruptedOnly(cause)
                  ? Effect.void
                  : Effect.logWarning(`cachet: background refresh of ${storeKey} failed; the stale value stays`).pipe(
                    Effect.annotateLogs("cause", Cause.pretty(cause))
                  )
              )
            ),
            scope
          ))

    // ---------------------------------------------------------------------------------------
    // Options
    // ---------------------------------------------------------------------------------------

    const resolve = (options: AnyFetchOptions | undefined, writes: boolean): Resolved => ({
      schema: (options?.schema ?? Codec.json) as AnySchema,
      failureSchema: options?.failures?.schema as AnySchema | undefined,
      failureTtl: options?.failures?.ttl !== undefined ? millis(options.failures.ttl) : 30_000,
      failureWhen: options?.failures?.when,
      ttl: options?.ttl === undefined ? defaultTtl : typeof options.ttl === "function" ? options.ttl : millis(options.ttl),
      grace: options?.grace === undefined ? defaultGrace : millis(options.grace),
      tags: options?.tags,
      when: options?.when,
      soft: options?.timeout?.soft !== undefined ? millis(options.timeout.soft) : undefined,
      hard: options?.timeout?.hard !== undefined ? millis(options.timeout.hard) : undefined,
      writes
    })

    const valueOf = (decoded: Decoded): Effect.Effect<unknown, unknown> =>
      decoded.failed ? Effect.fail(decoded.error) : Effect.succeed(decoded.value)

    // ---------------------------------------------------------------------------------------
    // Policies
    // ---------------------------------------------------------------------------------------

    const serve = <R>(
      storeKey: string,
      fetch: Effect.Effect<unknown, unknown, R>,
      options: AnyFetchOptions | undefined,
      found: Lookup,
      observer: Observer | undefined
    ): Effect.Effect<unknown, unknown, R> => {
      switch (found._tag) {
        case "Fresh":
          counters.hits++
          if (observer !== undefined) observe(observer, "hit", storeKey, found.createdAt)
          return found.served ?? valueOf(found.decoded)
        case "Stale":
          counters.staleHits++
          if (observer !== undefined) observe(observer, "stale", storeKey, found.createdAt)
          return Effect.zipRight(refreshInBackground(storeKey, fetch, resolve(options, true)), valueOf(found.decoded))
        case "Miss": {
          counters.misses++
          const fetched = fetchThrough(storeKey, fetch, resolve(options, found !== storeDown), Option.none())
          return observer === undefined
            ? fetched
            : Effect.tap(fetched, () => Effect.sync(() => observe(observer, "miss", storeKey, now())))
        }
      }
    }

    const observe = (observer: Observer, outcome: Cache.Served["outcome"], storeKey: string, createdAt: number) =>
      observer({ outcome, key: storeKey.slice(prefix.length), createdAt, ageMillis: Math.max(0, now() - createdAt) })

    const cacheOrNetwork = <R>(storeKey: string, fetch: Effect.Effect<unknown, unknown, R>, options: AnyFetchOptions | undefined) => {
      const schema = (options?.schema ?? Codec.json) as AnySchema
      const failureSchema = options?.failures?.schema as AnySchema | undefined
      return Effect.withFiberRuntime<unknown, unknown, R>((fiber) => {
        const observer = fiber.getFiberRef(servedObserver)
        const memo = fiber.getFiberRef(requestMemo)
        if (memo !== undefined) {
          const remembered = memo.get(storeKey)
          if (remembered !== undefined) return remembered
        }
        let read: Effect.Effect<unknown, unknown, R>
        if (sync !== undefined) {
          // The hit path of an in-process store: one synchronous read, no effect of the store's.
          const judged = judgeSlot(sync, storeKey, schema, failureSchema)
          read = judged._tag === "Corrupt"
            ? Effect.zipRight(dropCorrupt(storeKey), serve(storeKey, fetch, options, miss, observer))
            : serve(storeKey, fetch, options, judged, observer)
        } else {
          read = Effect.flatMap(lookup(storeKey, schema, failureSchema), (found) => serve(storeKey, fetch, options, found, observer))
        }
        return memo === undefined ? read : Effect.tap(read, (value) => Effect.sync(() => memo.set(storeKey, Effect.succeed(value))))
      })
    }

    const staleValue = (found: Lookup): Option.Option<unknown> =>
      found._tag !== "Miss" && !found.decoded.failed ? Option.some(found.decoded.value) : Option.none()

    const networkOnly = <R>(storeKey: string, fetch: Effect.Effect<unknown, unknown, R>, resolved: Resolved) =>
      Effect.flatMap(
        lookup(storeKey, resolved.schema, resolved.failureSchema),
        (found) => fetchThrough(storeKey, fetch, found === storeDown ? { ...resolved, writes: false } : resolved, staleValue(found))
      )

    const cacheOnly = (storeKey: string, resolved: Resolved) =>
      Effect.map(lookup(storeKey, resolved.schema, resolved.failureSchema), (found) => {
        if (found._tag === "Miss") counters.misses++
        else if (found._tag === "Fresh") counters.hits++
        else counters.staleHits++
        return staleValue(found)
      })

    const cacheAndNetwork = <R>(storeKey: string, fetch: Effect.Effect<unknown, unknown, R>, resolved: Resolved) =>
      Stream.unwrap(Effect.map(lookup(storeKey, resolved.schema, resolved.failureSchema), (found) => {
        const cached = staleValue(found)
        const fresh = Stream.fromEffect(fetchThrough(storeKey, fetch, resolved, cached))
        if (Option.isNone(cached)) {
          counters.misses++
          return fresh
        }
        if (found._tag === "Fresh") counters.hits++
        else counters.staleHits++
        return Stream.concat(Stream.succeed(cached.value), fresh)
      }))

    const fetchDirect = <R>(storeKey: string, fetch: Effect.Effect<unknown, unknown, R>, resolved: Resolved) =>
      Effect.suspend(() => {
        counters.fetches++
        return withHardTimeout(storeKey, fetch, resolved.hard)
      })

    const getOrFetch = (
      key: Key.Input,
      fetch: Effect.Effect<unknown, unknown, unknown>,
      options?: AnyFetchOptions
    ): Effect.Effect<unknown, unknown, unknown> | Stream.Stream<unknown, unknown, unknown> => {
      const policy = options?.policy ?? "CacheOrNetwork"
      const context = options?.context
      // The common case first, without building anything else.
      if (policy === "CacheOrNetwork" && enabled && context === undefined) return cacheOrNetwork(storeKeyOf(key), fetch, options)
      const run = (storeKey: string) => {
        if (policy === "CacheOrNetwork" && enabled) return cacheOrNetwork(storeKey, fetch, options)
        const resolved = resolve(options, policy !== "NoCache" && enabled)
        if (!enabled) {
          if (policy === "CacheOnly") return Effect.succeed(Option.none())
          if (policy === "CacheAndNetwork") return Stream.fromEffect(fetchDirect(storeKey, fetch, resolved))
          return fetchDirect(storeKey, fetch, resolved)
        }
        switch (policy) {
          case "CacheOrNetwork":
            return cacheOrNetwork(storeKey, fetch, options)
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
      if (context === undefined) return run(storeKeyOf(key))
      const keyWith = (part: Key.Part) => storeKeyOf([Key.encode(key), part])
      return policy === "CacheAndNetwork"
        ? Stream.unwrap(Effect.map(context, (part) => run(keyWith(part)) as Stream.Stream<unknown, unknown, unknown>))
        : Effect.flatMap(context, (part) => run(keyWith(part)) as Effect.Effect<unknown, unknown, unknown>)
    }

    // ---------------------------------------------------------------------------------------
    // Direct reads and writes, invalidation, inspection
    // ---------------------------------------------------------------------------------------

    const set = (key: Key.Input, value: unknown, options?: Cache.EntryOptions<unknown, unknown>) =>
      Effect.gen(function* () {
        if (!enabled) return
        const resolved = resolve(options as AnyFetchOptions | undefined, true)
        const storeKey = storeKeyOf(key)
        const epoch = pending.epoch()
        const stamp = yield* readStamp
        yield* forgetRequestMemo
        if (stamp < 0) return
        yield* writeOutcome(storeKey, resolved, stamp, Exit.succeed(value), epoch)
      })

    const setMany = (
      entries: ReadonlyArray<Cache.ManyEntry<unknown>>,
      options?: { readonly schema?: AnySchema; readonly stamp?: number }
    ) =>
      Effect.gen(function* () {
        if (!enabled || entries.length === 0) return
        const schema = options?.schema ?? (Codec.json as AnySchema)
        const stamp = options?.stamp ?? (yield* readStamp)
        yield* forgetRequestMemo
        if (stamp < 0) return
        const writes: Array<readonly [string, Store.Entry]> = []
        for (const { grace, key, tags, ttl, value } of entries) {
          const storeKey = storeKeyOf(key)
          const entry = yield* makeEntry(
            storeKey,
            schema,
            value,
            false,
            stamp,
            ttl === undefined ? defaultTtl : millis(ttl),
            grace === undefined ? defaultGrace : millis(grace),
            Tag.normalize(tags)
          )
          if (Option.isSome(entry)) writes.push([storeKey, entry.value])
        }
        if (writes.length === 0) return
        counters.writes += writes.length
        yield* failOpen("setMany", store.setMany(writes), undefined)
      })

    /** A write, delete or invalidation in a request-memo region makes the region read afresh. */
    const forgetRequestMemo: Effect.Effect<void> = Effect.withFiberRuntime((fiber) => {
      fiber.getFiberRef(requestMemo)?.clear()
      return Effect.void
    })

    const bump = (input: Tag.Input, mode: TagVersions.Mode) =>
      Effect.suspend(() => {
        const paths = Tag.normalize(input)
        if (paths.length === 0) return Effect.void
        if (mode === "hard") counters.invalidations += paths.length
        else counters.expirations += paths.length
        return Effect.zipRight(forgetRequestMemo, protect(mode === "hard" ? "invalidate" : "expire", tagVersions.bump(paths, mode)).pipe(
          Effect.catchAll((error) => defer({ _tag: "Bump", paths, mode }, error)),
          Effect.zipRight(PubSub.publish(invalidationHub, { tags: paths, mode })),
          Effect.asVoid
        ))
      })

    const getMany = (keys: ReadonlyArray<Key.Input>, options?: Cache.EntryOptions<unknown, unknown>) =>
      Effect.gen(function* () {
        if (!enabled || keys.length === 0) return keys.map(() => Option.none<unknown>())
        const resolved = resolve(options as AnyFetchOptions | undefined, true)
        const storeKeys = keys.map(storeKeyOf)
        const lookups = yield* readMany(storeKeys, resolved)
        return lookups.map((found) => {
          if (found._tag === "Fresh") counters.hits++
          else if (found._tag === "Stale") counters.staleHits++
          else counters.misses++
          return staleValue(found)
        })
      })

    const readMany = (storeKeys: ReadonlyArray<string>, resolved: Resolved) =>
      Effect.gen(function* () {
        const entries = yield* failOpen("getMany", store.getMany(storeKeys), storeKeys.map(() => Option.none<Store.Entry>()))
        const paths = new Set<string>()
        for (const entry of entries) {
          if (Option.isSome(entry)) for (const path of Tag.prefixesOfAll(entry.value.tags)) paths.add(path)
        }
        const pathList = Array.from(paths)
        const versions = pathList.length === 0
          ? Option.some<ReadonlyArray<TagVersions.Version>>([])
          : yield* failOpen("versions", Effect.map(tagVersions.versions(pathList), Option.some), Option.none())
        if (Option.isNone(versions)) return storeKeys.map(() => miss)
        const byPath = new Map(pathList.map((path, i) => [path, versions.value[i]!] as const))
        return yield* Effect.forEach(storeKeys, (storeKey, i) => {
          const entry = entries[i]!
          if (Option.isNone(entry)) return Effect.succeed(miss)
          const entryVersions = Tag.prefixesOfAll(entry.value.tags).map((path) => byPath.get(path) ?? TagVersions.initial)
          return classify(storeKey, Option.some([entry.value, entryVersions] as const), resolved.schema, undefined)
        })
      })

    const getOrFetchMany = (
      items: ReadonlyArray<unknown>,
      fetchMany: (missing: ReadonlyArray<unknown>) => Effect.Effect<ReadonlyArray<unknown>, unknown, unknown>,
      options: Cache.ManyOptions<unknown, unknown, unknown>
    ) =>
      Effect.gen(function* () {
        if (!enabled) {
          counters.fetches++
          return yield* fetchMany(items)
        }
        const resolved = resolve(options as AnyFetchOptions, true)
        const storeKeys = items.map((item) => storeKeyOf(options.key(item)))
        const lookups = yield* readMany(storeKeys, resolved)
        const results = new Array<unknown>(items.length)
        const missing: Array<number> = []
        const stale: Array<number> = []
        lookups.forEach((found, i) => {
          if (found._tag === "Miss" || found.decoded.failed) {
            missing.push(i)
            counters.misses++
          } else {
            results[i] = found.decoded.value
            if (found._tag === "Stale") {
              stale.push(i)
              counters.staleHits++
            } else counters.hits++
          }
        })
        const fetchAndStore = (indexes: ReadonlyArray<number>) =>
          Effect.gen(function* () {
            const epoch = pending.epoch()
            const stamp = yield* readStamp
            counters.fetches++
            const wanted = indexes.map((i) => items[i])
            const values = yield* fetchMany(wanted)
            if (values.length !== wanted.length) {
              return yield* Effect.dieMessage(
                `cachet: getOrFetchMany's fetch returned ${values.length} values for ${wanted.length} items`
              )
            }
            if (stamp >= 0 && pending.epoch() === epoch) {
              const writes: Array<readonly [string, Store.Entry]> = []
              for (let j = 0; j < indexes.length; j++) {
                const value = values[j]
                if (resolved.when !== undefined && !resolved.when(value)) continue
                const i = indexes[j]!
                const tags = Tag.normalize(options.tagsOf ? options.tagsOf(items[i], value) : options.tags)
                const ttl = typeof resolved.ttl === "number" ? resolved.ttl : millis(resolved.ttl(Exit.succeed(value)))
                const entry = yield* makeEntry(storeKeys[i]!, resolved.schema, value, false, stamp, ttl, resolved.grace, tags)
                if (Option.isSome(entry) && pending.coverage(storeKeys[i]!, tags) === "none") writes.push([storeKeys[i]!, entry.value])
              }
              if (writes.length > 0) {
                counters.writes += writes.length
                yield* failOpen("setMany", store.setMany(writes), undefined)
              }
            }
            return values
          })
        if (missing.length > 0) {
          const values = yield* fetchAndStore(missing)
          missing.forEach((i, j) => {
            results[i] = values[j]
          })
        }
        if (stale.length > 0) {
          counters.backgroundRefreshes++
          yield* Effect.forkIn(
            fetchAndStore(stale).pipe(
              Effect.catchAllCause((cause) =>
                Effect.logWarning("cachet: background refresh of a batch failed; the stale values stay").pipe(
                  Effect.annotateLogs("cause", Cause.pretty(cause))
                )
              )
            ),
            scope
          )
        }
        return results
      })

    const inspect = (key: Key.Input) =>
      Effect.gen(function* () {
        const storeKey = storeKeyOf(key)
        const found = yield* readRaw(storeKey)
        if (found === undefined || Option.isNone(found)) return Option.none<Cache.EntryInfo>()
        const [entry, versions] = found.value
        const time = now()
        return Option.some<Cache.EntryInfo>({
          key: storeKey.slice(prefix.length),
          storeKey,
          tags: entry.tags,
          createdAt: entry.createdAt,
          ageMillis: Math.max(0, time - entry.createdAt),
          ttlMillis: Number.isFinite(entry.ttl) ? entry.ttl : null,
          graceMillis: Number.isFinite(entry.grace) ? entry.grace : null,
          state: stateOf(storeKey, entry, versions, time),
          failed: entry.failed,
          size: Store.sizeOf(storeKey, entry),
          stamp: entry.stamp,
          value: entry.value
        })
      })

    const service: Cache.Service = {
      prefix,
      getOrFetch: getOrFetch as Cache.Service["getOrFetch"],
      get: ((key: Key.Input, options?: Cache.EntryOptions<unknown, unknown>) =>
        enabled ? cacheOnly(storeKeyOf(key), resolve(options as AnyFetchOptions | undefined, false)) : Effect.succeed(Option.none())) as Cache.Service["get"],
      set: set as Cache.Service["set"],
      stamp: readStamp,
      setMany: setMany as Cache.Service["setMany"],
      delete: (key) =>
        Effect.suspend(() => {
          counters.deletes++
          const storeKey = storeKeyOf(key)
          return Effect.zipRight(
            forgetRequestMemo,
            Effect.catchAll(protect("delete", store.delete(storeKey)), (error) =>
              Effect.as(defer({ _tag: "Delete", keys: [storeKey] }, error), false))
          )
        }),
      invalidate: (tags) => bump(tags, "hard"),
      expire: (tags) => bump(tags, "soft"),
      awaitPendingInvalidations: pending.awaitAll,
      getMany: getMany as Cache.Service["getMany"],
      getOrFetchMany: getOrFetchMany as Cache.Service["getOrFetchMany"],
      findMany: ((key: Key.Input, latest: Effect.Effect<Key.Part, unknown, unknown>, fetch: Effect.Effect<unknown, unknown, unknown>, options?: Cache.EntryOptions<unknown, unknown>) =>
        Effect.flatMap(latest, (version) =>
          getOrFetch([Key.encode(key), version], fetch, options as AnyFetchOptions) as Effect.Effect<unknown, unknown, unknown>)) as Cache.Service["findMany"],
      inspect,
      keys: (options) =>
        Effect.map(
          failOpen("keys", store.keys({ prefix: prefix + (options?.prefix ?? ""), limit: options?.limit ?? 100 }), []),
          (keys) => keys.map((key) => key.slice(prefix.length))
        ),
      clear: protect("clear", store.clear(prefix)),
      invalidations: PubSub.subscribe(invalidationHub),
      stats: Effect.zipRight(publishMetrics, Effect.sync(() => ({
        store: store.name,
        namespace: prefix,
        enabled,
        ...counters,
        pendingInvalidations: pending.size(),
        breaker: breakerOpenUntil > now() ? "open" as const : "closed" as const,
        inflight: inflight.size
      })))
    }
    return service
  })

/** @internal */
export class FetchTimeoutError extends Data.TaggedError("FetchTimeoutError")<{
  readonly key: string
  readonly timeoutMillis: number
}> {
  override get message(): string {
    return `fetch of ${this.key} timed out after ${this.timeoutMillis} ms`
  }
}
