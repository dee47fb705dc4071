/**
 * What the commands act on: a cache built in this process over the chosen store, or (with
 * `--remote`) a running reference app's admin API. Each command names its operation; the
 * logic lives in the core (`Cache`) or in the server.
 *
 * @since 0.1.0
 */
import { Cache } from "@cachet/core"
import { Context, Duration, Effect, Layer, Option } from "effect"
import type { Scope } from "effect"
import * as CliError from "./CliError.js"
import * as Remote from "./Remote.js"
import * as Settings from "./Settings.js"
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
  readonly keys: (options: { readonly prefix: string; readonly limit: number }) => Effect.Effect<ReadonlyArray<string>, CliError.CliError>
  readonly stats: Effect.Effect<Cache.Stats, CliError.CliError>
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
 * A target over a local cache.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromCache = (cache: Cache.Service, where: string): Service => {
  const storeFailure = (error: { readonly message: string }) => CliError.failed(`${where}: ${error.message}`)
  return {
    where,
    get: (key) => cache.get(key),
    set: (key, value, options) =>
      cache.set(key, value, {
        tags: options.tags,
        ...Option.match(options.ttl, { onNone: () => ({}), onSome: (ttl) => ({ ttl }) }),
        ...Option.match(options.grace, { onNone: () => ({}), onSome: (grace) => ({ grace }) })
      }),
    delete: (key) => cache.delete(key),
    invalidate: (tags, soft) => Effect.mapError(soft ? cache.expire(tags) : cache.invalidate(tags), storeFailure),
    clear: Effect.mapError(cache.clear, storeFailure),
    inspect: (key) => cache.inspect(key),
    keys: (options) => cache.keys(options),
    stats: cache.stats
  }
}

/**
 * A cache over the store of a spec, in a scope.
 *
 * @since 0.1.0
 * @category constructors
 */
export const localCache = (
  spec: StoreSpec.StoreSpec,
  options: Cache.Options
): Effect.Effect<Cache.Service, CliError.CliError, Scope.Scope> =>
  Layer.build(Layer.provide(Cache.layer(options), StoreSpec.layer(spec))).pipe(
    Effect.map(Context.get(Cache.Cache))
  )

/**
 * The target of resolved settings, in a scope.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (settings: Settings.Settings): Effect.Effect<Service, CliError.CliError, Scope.Scope> => {
  const mode = settings.mode
  switch (mode._tag) {
    case "Local":
      return Effect.map(
        localCache(mode.store, cacheOptions(settings.namespace)),
        (cache) => fromCache(cache, StoreSpec.format(mode.store))
      )
    case "Remote":
      return Remote.make(mode.url, mode.token)
  }
}

/**
 * Runs a command body with the target its options select, closing it afterwards.
 *
 * @since 0.1.0
 * @category combinators
 */
export const use = <A, E, R>(
  shared: Settings.Shared,
  body: (target: Service, settings: Settings.Settings) => Effect.Effect<A, E, R>
) =>
  Effect.gen(function* () {
    const settings = yield* Settings.resolve(shared)
    return yield* Effect.scoped(Effect.flatMap(make(settings), (target) => body(target, settings)))
  })
