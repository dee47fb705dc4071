/**
 * The cache, wired from its parts: the store guard (timeouts, fail-open, circuit breaker), the
 * pending invalidations and their relay, reads and the entry classifier, writes, single-flight,
 * policies and batches; plus the direct calls (set, delete, invalidate, inspect, stats).
 *
 * @internal
 */
import { Duration, Effect, Exit, Option, PubSub, Schedule } from "effect"

import type * as Cache from "../Cache.js"
import * as CircuitBreaker from "../CircuitBreaker.js"
import * as Codec from "../Codec.js"
import * as Key from "../Key.js"
import * as Lock from "../Lock.js"
import * as Outbox from "../Outbox.js"
import * as Store from "../Store.js"
import * as Tag from "../Tag.js"
import * as TagVersions from "../TagVersions.js"
import * as Batches from "./batches.js"
import { type AnySchema, classify } from "./entryState.js"
import * as Flight from "./flight.js"
import { type AnyFetchOptions, resolver } from "./options.js"
import * as PendingInvalidations from "./pendingInvalidations.js"
import * as Policies from "./policies.js"
import * as Reads from "./reads.js"
import * as Stats from "./stats.js"
import * as StoreGuard from "./storeGuard.js"
import * as Writes from "./writes.js"

/** @internal */
export const requestMemo = Policies.requestMemo

/** @internal */
export const FetchTimeoutError = Writes.FetchTimeoutError

/** @internal */
export type FetchTimeoutError = Writes.FetchTimeoutError

const describe = (invalidation: PendingInvalidations.Invalidation) =>
  invalidation._tag === "Delete"
    ? `delete of ${invalidation.keys.join(", ")}`
    : `${invalidation.mode === "hard" ? "invalidation" : "expiry"} of ${invalidation.paths.join(", ")}`

/** A write, delete or invalidation in a request-memo region makes the region read afresh. */
const forgetRequestMemo: Effect.Effect<void> = Effect.withFiberRuntime((fiber) => {
  fiber.getFiberRef(requestMemo)?.clear()
  return Effect.void
})

/** @internal */
export const make = (options: Cache.Options = {}) =>
  Effect.gen(function*() {
    const store = yield* Store.Store
    const tagVersions = yield* TagVersions.TagVersions
    const lock = yield* Effect.serviceOption(Lock.Lock)
    const scope = yield* Effect.scope
    const clock = yield* Effect.clock
    const now = () => clock.unsafeCurrentTimeMillis()

    const namespace = options.namespace ?? "cachet"
    const version = String(options.version ?? "1")
    const prefix = `${Key.escapeSegment(namespace)}:${Key.escapeSegment(version)}:`
    const enabled = options.enabled ?? true
    const defaults = {
      ttl: Duration.decode(options.ttl ?? Duration.minutes(5)),
      grace: Duration.decode(options.grace ?? Duration.zero)
    }
    const resolve = resolver({
      ttl: Duration.toMillis(defaults.ttl),
      grace: Duration.toMillis(defaults.grace),
      graceBackoff: options.graceBackoff === undefined ? undefined : Duration.toMillis(options.graceBackoff)
    })

    const counters = Stats.makeCounters()
    const publishMetrics = Stats.publisher(counters, prefix)
    yield* publishMetrics.pipe(
      Effect.repeat(Schedule.spaced(Duration.seconds(1))),
      Effect.interruptible,
      Effect.forkIn(scope)
    )
    const invalidationHub = yield* PubSub.unbounded<Cache.Invalidation>()

    const breaker = yield* CircuitBreaker.make({
      threshold: options.breakerThreshold ?? 5,
      cooldown: options.breakerCooldown ?? Duration.seconds(1)
    })
    const guard = StoreGuard.make({
      store,
      breaker,
      counters,
      timeoutMillis: Duration.toMillis(options.storeTimeout ?? Duration.millis(500)),
      onFailure: options.onStoreError
    })

    // The journal of deferred invalidations, when an outbox is provided: what a previous process
    // left in it is recorded below, before the cache serves its first read.
    const outbox = yield* Effect.serviceOption(Outbox.Outbox)
    const journal = Option.isSome(outbox) ? yield* Effect.orDie(outbox.value.open(prefix)) : undefined
    const journaled = (effect: Effect.Effect<void, Outbox.OutboxError>) =>
      Effect.catchAll(effect, (error) => Effect.logError(`cachet: ${error.message}`))

    const pending = yield* PendingInvalidations.make({
      // One store call per run of alike invalidations: a backlog drains in a few round trips.
      apply: (batch) =>
        Effect.forEach(PendingInvalidations.coalesce(batch), (invalidation) =>
          invalidation._tag === "Bump"
            ? guard.timed("bump", tagVersions.bump(invalidation.paths, invalidation.mode))
            : guard.timed("deleteMany", store.deleteMany(invalidation.keys)), { discard: true }),
      retry: PendingInvalidations.defaultRetry(options.invalidationRetry ?? Duration.seconds(1)),
      onAcknowledged: (batch) =>
        Effect.suspend(() => {
          // The store answered: it is back, whatever the breaker thought.
          breaker.recordSuccess()
          return Effect.zipRight(
            journal === undefined ? Effect.void : journaled(journal.acknowledge(batch)),
            Effect.logInfo(`cachet: the store acknowledged ${batch.length} deferred invalidation(s)`).pipe(
              Effect.annotateLogs("invalidations", batch.map(describe).join("; "))
            )
          )
        }),
      onLost: (lost) =>
        Effect.logError(
          journal === undefined
            ? `cachet: ${lost.length} invalidation(s) never reached store ${store.name}; entries they cover may be ` +
              `served until their ttl`
            : `cachet: ${lost.length} invalidation(s) never reached store ${store.name}; kept in ${journal.path}, ` +
              `replayed when a cache starts over it`
        ).pipe(
          Effect.annotateLogs("invalidations", lost.map(describe).join("; "))
        )
    })

    if (journal !== undefined && journal.recovered.length > 0) {
      for (const invalidation of journal.recovered) pending.record(invalidation)
      yield* Effect.logWarning(
        `cachet: ${journal.recovered.length} invalidation(s) found in ${journal.path} not acknowledged by the ` +
          "store; entries they cover are not served until it acknowledges them"
      ).pipe(Effect.annotateLogs("invalidations", journal.recovered.map(describe).join("; ")))
    }

    /**
     * An invalidation the store did not take: journaled (flushed to disk) when there is an
     * outbox, then remembered, honoured here and replayed by the relay.
     */
    const defer = (invalidation: PendingInvalidations.Invalidation, error: Store.StoreFailure) =>
      Effect.zipRight(
        journal === undefined ? Effect.void : journaled(journal.append(invalidation)),
        Effect.suspend(() => {
          pending.record(invalidation)
          counters.deferredInvalidations++
          return Effect.logWarning(
            `cachet: ${describe(invalidation)} deferred (${error.message}); ` +
              "entries it covers are not served by this process until the store acknowledges it"
          )
        })
      )

    const storeKeyOf = (input: Key.Input): string => Key.bound(prefix + Key.encode(input))

    const nanos = () => clock.unsafeCurrentTimeNanos()
    const parts: Reads.StoreParts = { prefix, store, tagVersions, guard, pending, counters, now, nanos }
    const reads = Reads.make(parts)
    const writes = Writes.make(parts)
    // Invalidations, expiries and deletes so far: a read never joins a fetch older than the last one.
    let generation = 0
    const flights = yield* Flight.make({
      scope,
      counters,
      reads,
      writes,
      guard,
      lock,
      lockMillis: Lock.millisOf(options.lock),
      storeLocal: store.local,
      now,
      generation: () => generation
    })
    const policies = Policies.make({ prefix, enabled, counters, reads, writes, flights, resolve, storeKeyOf, now })
    const batches = Batches.make({ enabled, scope, store, guard, counters, reads, writes, resolve, storeKeyOf })

    const set = (key: Key.Input, value: unknown, entryOptions?: Cache.EntryOptions<unknown, unknown>) =>
      Effect.gen(function*() {
        if (!enabled) return
        const resolved = resolve(entryOptions as AnyFetchOptions | undefined, true)
        const ticket = yield* writes.ticket
        yield* forgetRequestMemo
        yield* writes.writeOutcome(storeKeyOf(key), resolved, ticket, Exit.succeed(value))
      })

    /** The public stamp: -1 when the tag versions cannot be read (such a value is not written). */
    const stamp = Effect.map(writes.ticket, Option.match({ onNone: () => -1, onSome: (ticket) => ticket.stamp }))

    const setMany = (
      entries: ReadonlyArray<Cache.ManyEntry<unknown>>,
      manyOptions?: { readonly schema?: AnySchema; readonly stamp?: number }
    ) =>
      Effect.gen(function*() {
        if (!enabled || entries.length === 0) return
        const schema = manyOptions?.schema ?? (Codec.json as AnySchema)
        const given = manyOptions?.stamp ?? (yield* stamp)
        yield* forgetRequestMemo
        if (given < 0) return
        const defaults = resolve(undefined, true)
        const batch: Array<readonly [string, Store.Entry]> = []
        for (const { grace, key, tags, ttl, value } of entries) {
          const storeKey = storeKeyOf(key)
          const paths = Tag.normalize(tags)
          // What a pending invalidation covers is not written (it would be invalid once replayed).
          if (!writes.uncovered(storeKey, paths)) continue
          const entry = yield* writes.makeEntry(
            storeKey,
            schema,
            value,
            false,
            given,
            ttl === undefined ? defaults.ttl as number : Duration.toMillis(ttl),
            grace === undefined ? defaults.grace : Duration.toMillis(grace),
            paths
          )
          if (Option.isSome(entry)) batch.push([storeKey, entry.value])
        }
        if (batch.length === 0) return
        counters.writes += batch.length
        yield* guard.failOpen("setMany", store.setMany(batch), undefined)
      })

    const bump = (input: Tag.Input, mode: TagVersions.Mode) =>
      Effect.suspend(() => {
        const paths = Tag.normalize(input)
        if (paths.length === 0) return Effect.void
        generation++
        if (mode === "hard") counters.invalidations += paths.length
        else counters.expirations += paths.length
        return Effect.zipRight(
          forgetRequestMemo,
          guard.protect(mode === "hard" ? "invalidate" : "expire", tagVersions.bump(paths, mode)).pipe(
            Effect.catchAll((error) => defer({ _tag: "Bump", paths, mode }, error)),
            Effect.zipRight(PubSub.publish(invalidationHub, { tags: paths, mode })),
            Effect.asVoid
          )
        )
      })

    const infoOf = (
      storeKey: string,
      entry: Store.Entry,
      versions: ReadonlyArray<TagVersions.Version>,
      time: number
    ): Cache.EntryInfo => ({
      key: storeKey.slice(prefix.length),
      storeKey,
      tags: entry.tags,
      createdAt: entry.createdAt,
      ageMillis: Math.max(0, time - entry.createdAt),
      ttlMillis: Number.isFinite(entry.ttl) ? entry.ttl : null,
      graceMillis: Number.isFinite(entry.grace) ? entry.grace : null,
      state: classify(entry, reads.validityOfRaw(storeKey, entry, versions), time),
      failed: entry.failed,
      size: Store.sizeOf(storeKey, entry),
      stamp: entry.stamp,
      value: entry.value
    })

    const inspect = (key: Key.Input) =>
      Effect.map(reads.readRaw(storeKeyOf(key)), (raw): Option.Option<Cache.EntryInfo> => {
        if (raw._tag !== "Found") return Option.none()
        return Option.some(infoOf(storeKeyOf(key), raw.entry, raw.versions, now()))
      })

    const inspectMany = (keys: ReadonlyArray<Key.Input>) =>
      Effect.gen(function*() {
        if (keys.length === 0) return []
        const storeKeys = keys.map(storeKeyOf)
        const entries = yield* guard.failOpen(
          "getMany",
          Effect.map(store.getMany(storeKeys), Option.some),
          Option.none()
        )
        if (Option.isNone(entries)) return storeKeys.map(() => Option.none<Cache.EntryInfo>())
        const found = entries.value.flatMap((entry, i) =>
          Option.isSome(entry) ? [[storeKeys[i]!, entry.value] as const] : []
        )
        const infos = yield* Effect.option(infosOf(found, (paths) =>
          Effect.flatten(
            guard.failOpen("versions", Effect.map(tagVersions.versions(paths), Option.some), Option.none())
          )))
        if (Option.isNone(infos)) return storeKeys.map(() => Option.none<Cache.EntryInfo>())
        const byKey = new Map(infos.value.map((info) => [info.storeKey, info] as const))
        return storeKeys.map((storeKey) => Option.fromNullable(byKey.get(storeKey)))
      })

    /** What `inspect` tells of entries already read, with one read of their tags' versions. */
    const infosOf = <E>(
      entries: ReadonlyArray<readonly [string, Store.Entry]>,
      readVersions: (paths: Array<string>) => Effect.Effect<ReadonlyArray<TagVersions.Version>, E>
    ): Effect.Effect<ReadonlyArray<Cache.EntryInfo>, E> =>
      Effect.gen(function*() {
        const paths = new Set<string>()
        for (const [, entry] of entries) for (const path of Tag.prefixesOfAll(entry.tags)) paths.add(path)
        const pathList = Array.from(paths)
        const versions = pathList.length === 0 ? [] : yield* readVersions(pathList)
        const byPath = new Map(pathList.map((path, i) => [path, versions[i]!] as const))
        const time = now()
        return entries.map(([storeKey, entry]) =>
          infoOf(
            storeKey,
            entry,
            Tag.prefixesOfAll(entry.tags).map((path) => byPath.get(path) ?? TagVersions.initial),
            time
          )
        )
      })

    const inspectListing = (
      options: { readonly prefix?: string | undefined; readonly limit: number; readonly tag?: string | undefined }
    ): Effect.Effect<Option.Option<Cache.EntryListing>, Store.StoreFailure> => {
      const listEntries = store.listEntries
      if (listEntries === undefined) return Effect.succeed(Option.none())
      return Effect.gen(function*() {
        const listed = yield* guard.protect(
          "listEntries",
          listEntries({ prefix: prefix + (options.prefix ?? ""), limit: options.limit, tag: options.tag })
        )
        const entries = yield* infosOf(
          listed.entries,
          (paths) => guard.protect("versions", tagVersions.versions(paths))
        )
        return Option.some({ scanned: listed.scanned, entries })
      })
    }

    const service: Cache.Service = {
      prefix,
      defaults,
      getOrFetch: policies.getOrFetch as Cache.Service["getOrFetch"],
      peekFresh: policies.peekFresh as Cache.Service["peekFresh"],
      get: ((key: Key.Input, entryOptions?: Cache.EntryOptions<unknown, unknown>) =>
        enabled
          ? policies.cacheOnly(storeKeyOf(key), resolve(entryOptions as AnyFetchOptions | undefined, false))
          : Effect.succeed(Option.none())) as Cache.Service["get"],
      set: set as Cache.Service["set"],
      stamp,
      setMany: setMany as Cache.Service["setMany"],
      delete: (key) =>
        Effect.suspend(() => {
          counters.deletes++
          generation++
          const storeKey = storeKeyOf(key)
          return Effect.zipRight(
            forgetRequestMemo,
            Effect.catchAll(
              guard.protect("delete", store.delete(storeKey)),
              (error) => Effect.as(defer({ _tag: "Delete", keys: [storeKey] }, error), false)
            )
          )
        }),
      invalidate: (tags) => bump(tags, "hard"),
      expire: (tags) => bump(tags, "soft"),
      awaitPendingInvalidations: pending.awaitAll,
      getMany: batches.getMany as Cache.Service["getMany"],
      getOrFetchMany: batches.getOrFetchMany as Cache.Service["getOrFetchMany"],
      findMany: ((
        key: Key.Input,
        latest: Effect.Effect<Key.Part, unknown, unknown>,
        fetch: Effect.Effect<unknown, unknown, unknown>,
        entryOptions?: Cache.EntryOptions<unknown, unknown>
      ) =>
        Effect.flatMap(latest, (part) =>
          policies.getOrFetch([Key.encode(key), part], fetch, entryOptions as AnyFetchOptions) as Effect.Effect<
            unknown,
            unknown,
            unknown
          >)) as Cache.Service["findMany"],
      inspect,
      inspectMany,
      inspectListing,
      keys: (keyOptions) =>
        Effect.map(
          guard.failOpen(
            "keys",
            store.keys({ prefix: prefix + (keyOptions?.prefix ?? ""), limit: keyOptions?.limit ?? 100 }),
            []
          ),
          (keys) =>
            keys.map((key) =>
              key.slice(prefix.length)
            )
        ),
      clear: guard.protect("clear", store.clear(prefix)),
      invalidations: PubSub.subscribe(invalidationHub),
      stats: Effect.zipRight(
        publishMetrics,
        Effect.sync(() => ({
          store: store.name,
          namespace: prefix,
          enabled,
          ...counters,
          pendingInvalidations: pending.size(),
          breaker: breaker.state(),
          inflight: flights.size()
        }))
      )
    }
    return service
  })
