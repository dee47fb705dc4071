/**
 * What the commands act on: a cache built in this process over the chosen store, or (with
 * `--remote`) a running reference app's admin API. Each command names its operation; the
 * logic lives in the core (`Cache`) or in the server.
 *
 * @since 0.1.0
 */
import * as Fs from "node:fs"

import { Cache, MemoryStore, Store } from "@cachet/core"
import type { Scope } from "effect"
import { Context, Duration, Effect, Layer, Option } from "effect"

import * as CliError from "./CliError.js"
import * as Remote from "./Remote.js"
import * as Settings from "./Settings.js"
import * as StoreFailures from "./StoreFailures.js"
import * as StoreSpec from "./StoreSpec.js"

/**
 * Options of a write.
 *
 * @since 0.1.0
 * @category models
 */
export interface SetOptions {
  readonly ttl: Option.Option<Duration.Duration>
  readonly grace: Option.Option<Duration.Duration>
  readonly tags: ReadonlyArray<string>
}

/**
 * The operations of the command line.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** Where the commands act, for messages. */
  readonly where: string
  readonly get: (key: string) => Effect.Effect<Option.Option<unknown>, CliError.CliError>
  readonly set: (key: string, value: unknown, options: SetOptions) => Effect.Effect<void, CliError.CliError>
  readonly delete: (key: string) => Effect.Effect<boolean, CliError.CliError>
  readonly invalidate: (tags: ReadonlyArray<string>, soft: boolean) => Effect.Effect<void, CliError.CliError>
  readonly clear: Effect.Effect<number, CliError.CliError>
  readonly inspect: (key: string) => Effect.Effect<Option.Option<Cache.EntryInfo>, CliError.CliError>
  readonly keys: (
    options: { readonly prefix: string; readonly limit: number }
  ) => Effect.Effect<ReadonlyArray<string>, CliError.CliError>
  readonly stats: Effect.Effect<Cache.Stats, CliError.CliError>
  /** Whose counters `stats` returns ("this process only", or a remote app's), for its label. */
  readonly counters: string
  /** What the store itself holds in the namespace, when it can tell. */
  readonly usage: Effect.Effect<Option.Option<Store.Usage>, CliError.CliError>
}

/**
 * The `Target` service tag.
 *
 * @since 0.1.0
 * @category tags
 */
export class Target extends Context.Tag("@cachet/cli/Target")<Target, Service>() {}

/**
 * Cache settings of the command line: a store call may take up to 5 s before the cache
 * fails open (a terminal user would rather wait than read a false miss).
 *
 * @since 0.1.0
 * @category constants
 */
export const cacheOptions = (namespace: string): Cache.Options => ({ namespace, storeTimeout: Duration.seconds(5) })

/**
 * A local cache with what the command line needs beside it: the store failures of each
 * command, and the store's own figures.
 *
 * @since 0.1.0
 * @category models
 */
export interface LocalCache {
  readonly cache: Cache.Service
  readonly failures: StoreFailures.StoreFailures
  readonly usage: Effect.Effect<Option.Option<Store.Usage>, Store.StoreError>
}

const emptyUsage: Store.Usage = { entries: 0, bytes: 0, oldestCreatedAt: null, newestCreatedAt: null }

/**
 * A target over a local cache: a command whose store failed fails with the store's reason
 * (the cache itself would fail open: a false miss, a write that did not happen).
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromCache = (local: LocalCache, where: string): Service => {
  const { cache, failures } = local
  const checked = <A>(effect: Effect.Effect<A, Store.StoreFailure>) =>
    Effect.mapError(failures.checked(effect), (error) => CliError.failed(`${where}: ${error.message}`))
  return {
    where,
    get: (key) => checked(cache.get(key)),
    set: (key, value, options) =>
      checked(cache.set(key, value, {
        tags: options.tags,
        ...Option.match(options.ttl, { onNone: () => ({}), onSome: (ttl) => ({ ttl }) }),
        ...Option.match(options.grace, { onNone: () => ({}), onSome: (grace) => ({ grace }) })
      })),
    delete: (key) => checked(cache.delete(key)),
    invalidate: (tags, soft) => checked(soft ? cache.expire(tags) : cache.invalidate(tags)),
    clear: checked(cache.clear),
    inspect: (key) => checked(cache.inspect(key)),
    keys: (options) => checked(cache.keys(options)),
    stats: cache.stats,
    counters: "this process only",
    usage: checked(local.usage)
  }
}

/**
 * A cache over the store of a spec, in a scope. With `readOnly`, a SQLite file that does not
 * exist is neither created nor its directory: the cache runs over an empty store instead.
 *
 * @since 0.1.0
 * @category constructors
 */
export const localCache = (
  spec: StoreSpec.StoreSpec,
  options: Cache.Options,
  { readOnly = false }: { readonly readOnly?: boolean } = {}
): Effect.Effect<LocalCache, CliError.CliError, Scope.Scope> =>
  Effect.gen(function*() {
    const absent = readOnly && spec._tag === "Sqlite" && !Fs.existsSync(spec.filename)
    const stores = yield* Layer.build(absent ? MemoryStore.layer() : StoreSpec.layer(spec, readOnly ? "read" : "write"))
    const failures = yield* StoreFailures.make(stores)
    const cache = yield* Layer.build(Cache.layer(options).pipe(Layer.provide(Layer.succeedContext(failures.context))))
      .pipe(
        Effect.map(Context.get(Cache.Cache))
      )
    const store = Context.get(failures.context, Store.Store)
    const usage = absent
      ? Effect.succeed(Option.some(emptyUsage))
      : store.usage === undefined
      ? Effect.succeed(Option.none())
      : Effect.asSome(store.usage(cache.prefix))
    return { cache, failures, usage }
  })

/**
 * The target of resolved settings, in a scope. `readOnly` commands create nothing.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  settings: Settings.Settings,
  options: { readonly readOnly?: boolean } = {}
): Effect.Effect<Service, CliError.CliError, Scope.Scope> => {
  const mode = settings.mode
  switch (mode._tag) {
    case "Local":
      return Effect.map(
        localCache(mode.store, cacheOptions(settings.namespace), options),
        (local) => fromCache(local, StoreSpec.format(mode.store))
      )
    case "Remote":
      return Remote.make(mode.url, mode.token)
  }
}

/**
 * Runs a command body with the target its options select, closing it afterwards. A
 * `readOnly` command (`get`, `keys`, `inspect`, `stats`) creates no directory or database.
 *
 * @since 0.1.0
 * @category combinators
 */
export const use = <A, E, R>(
  shared: Settings.Shared,
  body: (target: Service, settings: Settings.Settings) => Effect.Effect<A, E, R>,
  options: { readonly readOnly?: boolean } = {}
) =>
  Effect.gen(function*() {
    const settings = yield* Settings.resolve(shared)
    return yield* Effect.scoped(Effect.flatMap(make(settings, options), (target) => body(target, settings)))
  })
