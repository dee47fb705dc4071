import { MemoryStore, Store, Tag, TagVersions } from "@cachet/core"
import { Effect, Option, Queue, Schedule } from "effect"
import type { Scope } from "effect"
import type * as RedisBus from "../RedisBus.js"

/** @internal */
export interface Settings {
  readonly local: MemoryStore.Options
  readonly localTtlMillis: number
}

interface CachedVersion {
  readonly version: TagVersions.Version
  readonly until: number
}

const maxVersion = (a: TagVersions.Version, b: TagVersions.Version): TagVersions.Version =>
  a.hard >= b.hard && a.soft >= b.soft ? a : { hard: Math.max(a.hard, b.hard), soft: Math.max(a.soft, b.soft) }

/**
 * The tier orchestration: a memory tier in front of a remote store, each local copy held at
 * most `localTtlMillis`, tag versions cached as long, and the bus keeping both coherent. A
 * local copy is only made from a remote read when no bus message arrived during that read
 * (`epoch`), so a change announced mid-read is never cached over.
 * @internal
 */
export const make = (
  remote: { readonly store: Store.Service; readonly tagVersions: TagVersions.Service },
  bus: RedisBus.Service,
  settings: Settings
): Effect.Effect<{ readonly store: Store.Service; readonly tagVersions: TagVersions.Service }, never, Scope.Scope> =>
  Effect.gen(function* () {
    const memory = yield* MemoryStore.make(settings.local)
    const local = memory.store
    const clock = yield* Effect.clock
    const now = () => clock.unsafeCurrentTimeMillis()
    const held = new Map<string, number>()
    const versionCache = new Map<string, CachedVersion>()
    let epoch = 0

    const hold = (key: string, entry: Store.Entry, time: number) =>
      held.set(key, Math.min(time + settings.localTtlMillis, Store.expiresAt(entry)))
    const isHeld = (key: string, time: number) => (held.get(key) ?? 0) > time

    const forget = (keys: ReadonlyArray<string>) =>
      Effect.sync(() => {
        for (const key of keys) held.delete(key)
      }).pipe(Effect.zipRight(local.deleteMany(keys)))

    const apply = (message: RedisBus.Message): Effect.Effect<unknown, Store.StoreError> => {
      epoch++
      switch (message._tag) {
        case "TagsBumped":
          return Effect.sync(() => {
            for (const path of message.paths) {
              const cached = versionCache.get(path)
              if (cached === undefined) continue
              const bumped = message.mode === "hard"
                ? { hard: message.counter, soft: 0 }
                : { hard: 0, soft: message.counter }
              versionCache.set(path, { version: maxVersion(cached.version, bumped), until: cached.until })
            }
          })
        case "KeysChanged":
          return forget(message.keys)
        case "Cleared":
          return Effect.sync(() => {
            for (const key of held.keys()) if (key.startsWith(message.prefix)) held.delete(key)
          }).pipe(Effect.zipRight(local.clear(message.prefix)))
        case "Reset":
          return Effect.sync(() => {
            held.clear()
            versionCache.clear()
          }).pipe(Effect.zipRight(local.clear("")))
      }
    }

    const messages = yield* bus.subscribe
    yield* Queue.take(messages).pipe(
      Effect.flatMap(apply),
      Effect.catchAllCause((cause) => Effect.logWarning("tiered store: applying a bus message failed", cause)),
      Effect.forever,
      Effect.interruptible,
      Effect.forkScoped
    )
    // Forget expired holds and versions (the memory tier sweeps its own entries).
    yield* Effect.sync(() => {
      const time = now()
      for (const [key, until] of held) if (until <= time) held.delete(key)
      for (const [path, cached] of versionCache) if (cached.until <= time) versionCache.delete(path)
    }).pipe(
      Effect.repeat(Schedule.spaced(Math.max(1_000, settings.localTtlMillis))),
      Effect.interruptible,
      Effect.forkScoped
    )

    const versions = (paths: ReadonlyArray<string>): Effect.Effect<ReadonlyArray<TagVersions.Version>, Store.StoreError> =>
      Effect.suspend(() => {
        const time = now()
        const out = new Array<TagVersions.Version>(paths.length)
        const missing: Array<number> = []
        for (let i = 0; i < paths.length; i++) {
          const cached = versionCache.get(paths[i]!)
          if (cached !== undefined && cached.until > time) out[i] = cached.version
          else missing.push(i)
        }
        if (missing.length === 0) return Effect.succeed(out)
        const started = epoch
        return Effect.map(remote.tagVersions.versions(missing.map((i) => paths[i]!)), (read) => {
          const until = now() + settings.localTtlMillis
          missing.forEach((i, j) => {
            out[i] = read[j]!
            if (epoch === started) versionCache.set(paths[i]!, { version: read[j]!, until })
          })
          return out
        })
      })

    const tagVersions: TagVersions.Service = {
      counter: remote.tagVersions.counter,
      versions,
      bump: (paths, mode) =>
        Effect.gen(function* () {
          const counter = yield* remote.tagVersions.bump(paths, mode)
          const bumped = mode === "hard" ? { hard: counter, soft: 0 } : { hard: 0, soft: counter }
          for (const path of paths) {
            const cached = versionCache.get(path)
            if (cached !== undefined) versionCache.set(path, { version: maxVersion(cached.version, bumped), until: cached.until })
          }
          yield* bus.publish({ _tag: "TagsBumped", paths, mode, counter }).pipe(
            Effect.catchAll((error) => Effect.logWarning("tiered store: publishing a tag bump failed", error))
          )
          return counter
        })
    }

    const keep = (key: string, entry: Store.Entry, started: number) =>
      epoch === started ? Effect.zipRight(local.set(key, entry), Effect.sync(() => hold(key, entry, now()))) : Effect.void

    const announce = (message: RedisBus.Message) =>
      bus.publish(message).pipe(Effect.catchAll((error) => Effect.logWarning("tiered store: publishing failed", error)))

    const getMany = (keys: ReadonlyArray<string>) =>
      Effect.gen(function* () {
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

    const store = Store.make({
      name: `tiered(memory+${remote.store.name})`,
      local: false,
      get: (key) => Effect.map(getMany([key]), (found) => found[0]!),
      getMany,
      getWithVersions: (key) =>
        Effect.gen(function* () {
          const found = yield* local.get(key)
          if (Option.isSome(found) && isHeld(key, now())) {
            const vs = yield* versions(Tag.prefixesOfAll(found.value.tags))
            return Option.some([found.value, vs] as const)
          }
          const started = epoch
          const read = remote.store.getWithVersions === undefined
            ? yield* Effect.flatMap(remote.store.get(key), (entry) =>
              Option.isNone(entry)
                ? Effect.succeedNone
                : Effect.map(remote.tagVersions.versions(Tag.prefixesOfAll(entry.value.tags)), (vs) =>
                  Option.some([entry.value, vs] as const)))
            : yield* remote.store.getWithVersions(key)
          if (Option.isSome(read)) {
            const [entry, vs] = read.value
            yield* keep(key, entry, started)
            if (epoch === started) {
              const until = now() + settings.localTtlMillis
              Tag.prefixesOfAll(entry.tags).forEach((path, i) => {
                const cached = versionCache.get(path)
                versionCache.set(path, { version: cached === undefined ? vs[i]! : maxVersion(cached.version, vs[i]!), until })
              })
            }
          }
          return read
        }),
      set: (key, entry) =>
        Effect.gen(function* () {
          yield* local.set(key, entry)
          yield* Effect.sync(() => hold(key, entry, now()))
          yield* remote.store.set(key, entry)
          yield* announce({ _tag: "KeysChanged", keys: [key] })
        }),
      setMany: (entries) =>
        entries.length === 0 ? Effect.void : Effect.gen(function* () {
          yield* local.setMany(entries)
          yield* Effect.sync(() => entries.forEach(([key, entry]) => hold(key, entry, now())))
          yield* remote.store.setMany(entries)
          yield* announce({ _tag: "KeysChanged", keys: entries.map(([key]) => key) })
        }),
      delete: (key) =>
        Effect.gen(function* () {
          yield* forget([key])
          const existed = yield* remote.store.delete(key)
          yield* announce({ _tag: "KeysChanged", keys: [key] })
          return existed
        }),
      deleteMany: (keys) =>
        keys.length === 0 ? Effect.succeed(0) : Effect.gen(function* () {
          yield* forget(keys)
          const existed = yield* remote.store.deleteMany(keys)
          yield* announce({ _tag: "KeysChanged", keys })
          return existed
        }),
      clear: (prefix) =>
        Effect.gen(function* () {
          yield* apply({ _tag: "Cleared", prefix })
          const removed = yield* remote.store.clear(prefix)
          yield* announce({ _tag: "Cleared", prefix })
          return removed
        }),
      keys: (options) => remote.store.keys(options)
    })

    return { store, tagVersions }
  })

