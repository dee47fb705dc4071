import type { Scope } from "effect"
import { Effect, Option, Queue, Schedule } from "effect"

import type * as Bus from "../Bus.js"
import * as Store from "../Store.js"
import * as Tag from "../Tag.js"
import type * as TagVersions from "../TagVersions.js"
import { validityOf } from "./entryState.js"

/** @internal */
export type Remote = Store.Backend

interface CachedVersion {
  readonly version: TagVersions.Version
  readonly readAt: number
  /** A local sequence number before which the remote was last asked (see the revalidation tick). */
  readonly from: number
}

const maxVersion = (a: TagVersions.Version, b: TagVersions.Version): TagVersions.Version =>
  a.hard >= b.hard && a.soft >= b.soft ? a : { hard: Math.max(a.hard, b.hard), soft: Math.max(a.soft, b.soft) }

const bumpedVersion = (mode: TagVersions.Mode, counter: number): TagVersions.Version =>
  mode === "hard" ? { hard: counter, soft: 0 } : { hard: 0, soft: counter }

/** @internal */
export interface VersionCache {
  readonly tagVersions: TagVersions.Service
  /** Applies a bump seen on the bus. */
  readonly bumped: (paths: ReadonlyArray<string>, mode: TagVersions.Mode, counter: number) => void
  /** Records versions read together with an entry (`from`: `mark()` before the read). */
  readonly record: (
    paths: ReadonlyArray<string>,
    versions: ReadonlyArray<TagVersions.Version>,
    resets: number,
    from: number
  ) => void
  /** A new local sequence number, taken before asking the remote. */
  readonly mark: () => number
  /** The versions of paths when all are cached and current (as `versions` would answer them), else `undefined`. */
  readonly versionsNow: (paths: ReadonlyArray<string>) => ReadonlyArray<TagVersions.Version> | undefined
  /** Forgets everything (bus reset). */
  readonly reset: () => void
  /** How many resets so far: a read begun before a reset must not be cached. */
  readonly resets: () => number
}

/**
 * Tag versions cached per process for at most `ttlMillis` after they were read or last proven
 * current, raised at once by the bumps of this process and of the bus. Every half life one read
 * of the remote counter proves the whole cache current when no bump happened since the previous
 * tick; otherwise a version older than half its life is re-read in the background when used, so
 * hot tags rarely wait on the remote. Versions only grow, so a read and a bump crossing are
 * merged with `max`; a read begun before a reset is not cached.
 * @internal
 */
export const makeVersionCache = (
  remote: TagVersions.Service,
  bus: Bus.Service,
  ttlMillis: number
): Effect.Effect<VersionCache, never, Scope.Scope> =>
  Effect.gen(function*() {
    const clock = yield* Effect.clock
    const now = () => clock.unsafeCurrentTimeMillis()
    const cache = new Map<string, CachedVersion>()
    let resets = 0
    let seq = 0
    const mark = () => ++seq
    // The mark of the last bump applied: a read of versions that started before it may carry a
    // version older than the bump for a path that was not cached then, so it is not recorded.
    let lastBump = 0
    const refreshing = new Set<string>()
    const refresh = yield* Queue.unbounded<string>()

    const record = (
      paths: ReadonlyArray<string>,
      versions: ReadonlyArray<TagVersions.Version>,
      started: number,
      from: number
    ) => {
      if (resets !== started || from < lastBump) return
      const readAt = now()
      for (let i = 0; i < paths.length; i++) {
        const cached = cache.get(paths[i]!)
        cache.set(paths[i]!, {
          version: cached === undefined ? versions[i]! : maxVersion(cached.version, versions[i]!),
          readAt,
          from
        })
      }
    }
    const bumped = (paths: ReadonlyArray<string>, mode: TagVersions.Mode, counter: number) => {
      const bump = bumpedVersion(mode, counter)
      lastBump = mark()
      for (const path of paths) {
        const cached = cache.get(path)
        if (cached !== undefined) cache.set(path, { ...cached, version: maxVersion(cached.version, bump) })
      }
    }

    yield* Queue.takeBetween(refresh, 1, 512).pipe(
      Effect.flatMap((chunk) => {
        const paths = Array.from(chunk)
        const started = resets
        const from = mark()
        return remote.versions(paths).pipe(
          Effect.tap((versions) => Effect.sync(() => record(paths, versions, started, from))),
          Effect.ignore,
          Effect.ensuring(Effect.sync(() => paths.forEach((path) => refreshing.delete(path))))
        )
      }),
      Effect.forever,
      Effect.interruptible,
      Effect.forkScoped
    )
    // Every half life, one read of the counter revalidates the whole cache: when it has not moved
    // since the previous tick, no bump happened in between, so every version current at that tick
    // (read or revalidated since) is current now. Versions past their life are forgotten.
    // A version is current at the previous tick's counter read when it was read after that read's
    // answer arrived (`from` greater than its mark), or was proven current by that tick.
    let lastCounter: number | undefined
    let lastAnswered = 0
    yield* Effect.gen(function*() {
      const started = resets
      const counter = yield* Effect.option(remote.counter)
      const answered = mark()
      if (counter._tag === "Some" && counter.value === lastCounter && started === resets) {
        const readAt = now()
        for (const [path, cached] of cache) {
          if (cached.from > lastAnswered) cache.set(path, { version: cached.version, readAt, from: answered + 0.5 })
        }
      }
      lastCounter = counter._tag === "Some" ? counter.value : undefined
      lastAnswered = answered
      const time = now()
      for (const [path, cached] of cache) if (cached.readAt + ttlMillis <= time) cache.delete(path)
    }).pipe(Effect.repeat(Schedule.spaced(Math.max(50, ttlMillis / 2))), Effect.interruptible, Effect.forkScoped)

    /** A path's cached version while current (re-read in the background past half its life). */
    const cachedVersion = (path: string, time: number): TagVersions.Version | undefined => {
      const cached = cache.get(path)
      if (cached === undefined || cached.readAt + ttlMillis <= time) return undefined
      if (cached.readAt + ttlMillis / 2 <= time && !refreshing.has(path)) {
        refreshing.add(path)
        refresh.unsafeOffer(path)
      }
      return cached.version
    }

    const versionsNow = (paths: ReadonlyArray<string>): ReadonlyArray<TagVersions.Version> | undefined => {
      const time = now()
      const out = new Array<TagVersions.Version>(paths.length)
      for (let i = 0; i < paths.length; i++) {
        const version = cachedVersion(paths[i]!, time)
        if (version === undefined) return undefined
        out[i] = version
      }
      return out
    }

    const versions = (
      paths: ReadonlyArray<string>
    ): Effect.Effect<ReadonlyArray<TagVersions.Version>, Store.StoreError> =>
      Effect.suspend(() => {
        const time = now()
        const out = new Array<TagVersions.Version>(paths.length)
        let missing: Array<number> | undefined
        for (let i = 0; i < paths.length; i++) {
          const version = cachedVersion(paths[i]!, time)
          if (version !== undefined) out[i] = version
          else (missing ??= []).push(i)
        }
        if (missing === undefined) return Effect.succeed(out)
        const wanted = missing
        const started = resets
        const from = mark()
        const read = wanted.map((i) => paths[i]!)
        return Effect.map(remote.versions(read), (found) => {
          wanted.forEach((i, j) => out[i] = found[j]!)
          record(read, found, started, from)
          return out
        })
      })

    return {
      tagVersions: {
        counter: remote.counter,
        versions,
        bump: (paths, mode) =>
          Effect.gen(function*() {
            const counter = yield* remote.bump(paths, mode)
            bumped(paths, mode, counter)
            yield* bus.publish({ _tag: "TagsBumped", paths, mode, counter }).pipe(
              Effect.catchAll((error) => Effect.logWarning("tag versions: publishing a bump failed", error))
            )
            return counter
          })
      },
      bumped,
      record,
      mark,
      versionsNow,
      reset: () => {
        resets++
        cache.clear()
      },
      resets: () => resets
    }
  })

/**
 * Follows the bus for a version cache alone (no local entries).
 * @internal
 */
export const followBus = (
  bus: Bus.Service,
  onMessage: (message: Bus.Message) => Effect.Effect<unknown, Store.StoreError>
): Effect.Effect<void, never, Scope.Scope> =>
  Effect.flatMap(bus.subscribe, (messages) =>
    Queue.take(messages).pipe(
      Effect.flatMap(onMessage),
      Effect.catchAllCause((cause) => Effect.logWarning("tiered store: applying a bus message failed", cause)),
      Effect.forever,
      Effect.interruptible,
      Effect.forkScoped,
      Effect.asVoid
    ))

/** @internal */
export const makeCachedVersions = (
  remote: TagVersions.Service,
  bus: Bus.Service,
  ttlMillis: number
): Effect.Effect<TagVersions.Service, never, Scope.Scope> =>
  Effect.gen(function*() {
    const cache = yield* makeVersionCache(remote, bus, ttlMillis)
    yield* followBus(bus, (message) =>
      Effect.sync(() => {
        if (message._tag === "TagsBumped") cache.bumped(message.paths, message.mode, message.counter)
        else if (message._tag === "Reset") cache.reset()
      }))
    return cache.tagVersions
  })

/**
 * The tier orchestration: a local store in front of a remote one, each local copy held at
 * most `localTtlMillis`, tag versions cached as long, and the bus keeping both coherent. A
 * local copy is only made from a remote read when no bus message arrived during that read
 * (`epoch`), so a change announced mid-read is never cached over.
 * @internal
 */
export const make = (
  local: Store.Service,
  remote: Remote,
  bus: Bus.Service,
  localTtlMillis: number
): Effect.Effect<Remote, never, Scope.Scope> =>
  Effect.gen(function*() {
    const clock = yield* Effect.clock
    const now = () => clock.unsafeCurrentTimeMillis()
    const held = new Map<string, number>()
    const cache = yield* makeVersionCache(remote.tagVersions, bus, localTtlMillis)
    let epoch = 0

    const hold = (key: string, entry: Store.Entry, time: number) =>
      held.set(key, Math.min(time + localTtlMillis, Store.expiresAt(entry)))
    const isHeld = (key: string, time: number) => (held.get(key) ?? 0) > time

    const forget = (keys: ReadonlyArray<string>) =>
      Effect.sync(() => {
        for (const key of keys) held.delete(key)
      }).pipe(Effect.zipRight(local.deleteMany(keys)))

    const apply = (message: Bus.Message): Effect.Effect<unknown, Store.StoreError> => {
      epoch++
      switch (message._tag) {
        case "TagsBumped":
          return Effect.sync(() => cache.bumped(message.paths, message.mode, message.counter))
        case "KeysChanged":
          return forget(message.keys)
        case "Cleared":
          return Effect.sync(() => {
            for (const key of held.keys()) if (key.startsWith(message.prefix)) held.delete(key)
          }).pipe(Effect.zipRight(local.clear(message.prefix)))
        case "Reset":
          return Effect.sync(() => {
            held.clear()
            cache.reset()
          }).pipe(Effect.zipRight(local.clear("")))
      }
    }

    yield* followBus(bus, apply)
    // Forget expired holds (the local tier drops its own entries).
    yield* Effect.sync(() => {
      const time = now()
      for (const [key, until] of held) if (until <= time) held.delete(key)
    }).pipe(Effect.repeat(Schedule.spaced(Math.max(1_000, localTtlMillis))), Effect.interruptible, Effect.forkScoped)

    const keep = (key: string, entry: Store.Entry, started: number) =>
      epoch === started
        ? Effect.zipRight(local.set(key, entry), Effect.sync(() => hold(key, entry, now())))
        : Effect.void

    const announce = (message: Bus.Message) =>
      bus.publish(message).pipe(Effect.catchAll((error) => Effect.logWarning("tiered store: publishing failed", error)))

    const getMany = (keys: ReadonlyArray<string>) =>
      Effect.gen(function*() {
        const time = now()
        const found = yield* local.getMany(keys)
        const out: Array<Option.Option<Store.Entry>> = found.map((entry, i) =>
          Option.isSome(entry) && isHeld(keys[i]!, time) ? entry : Option.none()
        )
        const missing = keys.flatMap((_, i) => (Option.isNone(out[i]!) ? [i] : []))
        if (missing.length === 0) return out
        const started = epoch
        const read = yield* remote.store.getMany(missing.map((i) => keys[i]!))
        for (let j = 0; j < missing.length; j++) {
          const entry = read[j]!
          out[missing[j]!] = entry
          if (Option.isSome(entry)) yield* keep(keys[missing[j]!]!, entry.value, started)
        }
        return out
      })

    const readRemote = (key: string): Effect.Effect<Option.Option<Store.EntryWithVersions>, Store.StoreError> =>
      remote.store.getWithVersions === undefined
        ? Effect.flatMap(remote.store.get(key), (entry) =>
          Option.isNone(entry)
            ? Effect.succeedNone
            : Effect.map(
              remote.tagVersions.versions(Tag.prefixesOfAll(entry.value.tags)),
              (vs) => Option.some([entry.value, vs] as const)
            ))
        : remote.store.getWithVersions(key)

    const localSync = local.sync
    const store = Store.make({
      name: `tiered(${local.name}+${remote.store.name})`,
      local: false,
      // What the memory tier serves now, judged with the tag versions this process holds current.
      ...(localSync === undefined ? {} : {
        syncPeek: {
          read: (key, time) => (isHeld(key, time) ? localSync.read(key, time) : undefined),
          validity: (tags, stamp) => {
            const versions = cache.versionsNow(Tag.prefixesOfAll(tags))
            return versions === undefined ? undefined : validityOf(stamp, versions)
          }
        }
      }),
      get: (key) => Effect.map(getMany([key]), (found) => found[0]!),
      getMany,
      getWithVersions: (key) =>
        Effect.gen(function*() {
          const found = yield* local.get(key)
          if (Option.isSome(found) && isHeld(key, now())) {
            const vs = yield* cache.tagVersions.versions(Tag.prefixesOfAll(found.value.tags))
            return Option.some([found.value, vs] as const)
          }
          const started = epoch
          const resets = cache.resets()
          const from = cache.mark()
          const read = yield* readRemote(key)
          if (Option.isSome(read)) {
            const [entry, vs] = read.value
            yield* keep(key, entry, started)
            cache.record(Tag.prefixesOfAll(entry.tags), vs, resets, from)
          }
          return read
        }),
      set: (key, entry) =>
        Effect.gen(function*() {
          yield* local.set(key, entry)
          hold(key, entry, now())
          yield* remote.store.set(key, entry)
          yield* announce({ _tag: "KeysChanged", keys: [key] })
        }),
      setMany: (entries) =>
        entries.length === 0 ? Effect.void : Effect.gen(function*() {
          yield* local.setMany(entries)
          const time = now()
          entries.forEach(([key, entry]) => hold(key, entry, time))
          yield* remote.store.setMany(entries)
          yield* announce({ _tag: "KeysChanged", keys: entries.map(([key]) => key) })
        }),
      delete: (key) =>
        Effect.gen(function*() {
          yield* forget([key])
          const existed = yield* remote.store.delete(key)
          yield* announce({ _tag: "KeysChanged", keys: [key] })
          return existed
        }),
      deleteMany: (keys) =>
        keys.length === 0 ? Effect.succeed(0) : Effect.gen(function*() {
          yield* forget(keys)
          const existed = yield* remote.store.deleteMany(keys)
          yield* announce({ _tag: "KeysChanged", keys })
          return existed
        }),
      clear: (prefix) =>
        Effect.gen(function*() {
          yield* apply({ _tag: "Cleared", prefix })
          const removed = yield* remote.store.clear(prefix)
          yield* announce({ _tag: "Cleared", prefix })
          return removed
        }),
      keys: (options) => remote.store.keys(options)
    })

    return { store, tagVersions: cache.tagVersions }
  })

/** @internal */
export const announcing = (remote: Remote, bus: Bus.Service): Remote => {
  const announce = <A, E>(effect: Effect.Effect<A, E>, message: (a: A) => Bus.Message) =>
    Effect.tap(
      effect,
      (a) =>
        bus.publish(message(a)).pipe(
          Effect.catchAll((error) => Effect.logWarning("store: publishing a change failed", error))
        )
    )
  const { store, tagVersions } = remote
  return {
    store: {
      ...store,
      set: (key, entry) => announce(store.set(key, entry), () => ({ _tag: "KeysChanged", keys: [key] })),
      setMany: (entries) =>
        entries.length === 0
          ? Effect.void
          : announce(store.setMany(entries), () => ({ _tag: "KeysChanged", keys: entries.map(([key]) => key) })),
      delete: (key) => announce(store.delete(key), () => ({ _tag: "KeysChanged", keys: [key] })),
      deleteMany: (keys) =>
        keys.length === 0 ? Effect.succeed(0) : announce(store.deleteMany(keys), () => ({ _tag: "KeysChanged", keys })),
      clear: (prefix) => announce(store.clear(prefix), () => ({ _tag: "Cleared", prefix }))
    },
    tagVersions: {
      ...tagVersions,
      bump: (paths, mode) =>
        announce(tagVersions.bump(paths, mode), (counter) => ({ _tag: "TagsBumped", paths, mode, counter }))
    }
  }
}
