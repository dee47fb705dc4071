/**
 * A scoped `ioredis` connection configured to fail fast when the server is down, so the
 * cache's store timeout, fail-open and circuit breaker take over: commands time out
 * (`commandTimeout`), are not queued while disconnected (`enableOfflineQueue: false`), are
 * retried at most once, and the client reconnects by itself with a capped backoff.
 *
 * @since 0.1.0
 */
import { Config, Context, Effect, Layer, Runtime } from "effect"
import { ConfigError, type Scope } from "effect"
import { Redis } from "ioredis"
import type { RedisOptions } from "ioredis"

/**
 * How to connect: a `url` (`redis://host:port/db`) and/or any `ioredis` option, which win over
 * the fail-fast defaults. `keyPrefix` is Cachet's own prefix for every key it writes (default
 * `"cachet:"`); ioredis' `keyPrefix` option is not used.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options extends Omit<RedisOptions, "keyPrefix"> {
  readonly url?: string
  readonly keyPrefix?: string
}

/**
 * A connection and the key prefix its users share.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  readonly client: Redis
  readonly keyPrefix: string
  /** The options the connection was made with, to open more connections (the bus subscriber). */
  readonly options: Options
}

/**
 * The `RedisClient` service tag.
 *
 * @since 0.1.0
 * @category tags
 */
export class RedisClient extends Context.Tag("@cachet/redis/RedisClient")<RedisClient, Service>() {}

/**
 * The fail-fast connection settings used unless overridden.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaults: RedisOptions = {
  commandTimeout: 1_000,
  connectTimeout: 2_000,
  enableOfflineQueue: false,
  maxRetriesPerRequest: 1,
  lazyConnect: true,
  // Reconnect forever, 50 ms more per attempt, at most every 2 s.
  retryStrategy: (times) => Math.min(times * 50, 2_000)
}

/**
 * Opens a connection (waiting up to `connectTimeout` for it; a server down at start is logged,
 * not fatal: the client keeps reconnecting) and closes it when the scope closes.
 *
 * @since 0.1.0
 * @category constructors
 */
export const connect = (options: Options): Effect.Effect<Redis, never, Scope.Scope> =>
  Effect.gen(function* () {
    const { keyPrefix: _keyPrefix, url, ...rest } = options
    const redisOptions: RedisOptions = { ...defaults, ...rest }
    const runtime = yield* Effect.runtime<never>()
    const client = yield* Effect.acquireRelease(
      Effect.sync(() => (url === undefined ? new Redis(redisOptions) : new Redis(url, redisOptions))),
      (client) =>
        Effect.promise(() => client.quit().catch(() => "")).pipe(
          Effect.timeout(1_000),
          Effect.ignore,
          Effect.ensuring(Effect.sync(() => client.disconnect()))
        )
    )
    // Log one line per outage rather than one per reconnection attempt.
    let healthy = true
    client.on("error", (error: Error) => {
      if (!healthy) return
      healthy = false
      Runtime.runFork(runtime)(Effect.logWarning(`redis connection error: ${error.message}`))
    })
    client.on("ready", () => {
      if (healthy) return
      healthy = true
      Runtime.runFork(runtime)(Effect.logInfo("redis connection restored"))
    })
    yield* Effect.tryPromise(() => client.connect()).pipe(
      Effect.timeout(redisOptions.connectTimeout ?? 2_000),
      Effect.catchAll((error) => Effect.logWarning("redis not reachable at start; reconnecting in the background", error))
    )
    return client
  })

/**
 * Builds the service: a connection plus the key prefix.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options = {}): Effect.Effect<Service, never, Scope.Scope> =>
  Effect.map(connect(options), (client) => {
    const { keyPrefix, ...rest } = options
    return { client, keyPrefix: keyPrefix ?? "cachet:", options: rest }
  })

/**
 * A layer holding one connection for every Redis service of Cachet.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options = {}): Layer.Layer<RedisClient> => Layer.scoped(RedisClient, make(options))

/** `CACHET_<name>`, else the older `<alias>` when the prefixed name is missing. */
const prefixed = <A>(read: (name: string) => Config.Config<A>, name: string, alias: string): Config.Config<A> =>
  Config.orElseIf(read(`CACHET_${name}`), { if: ConfigError.isMissingDataOnly, orElse: () => read(alias) })

/**
 * A layer reading `url` (`CACHET_REDIS_URL`, alias `REDIS_URL`) and `keyPrefix`
 * (`CACHET_REDIS_KEY_PREFIX`, alias `REDIS_KEY_PREFIX`) from config.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  config: Config.Config<Options> = Config.all({
    url: prefixed(Config.string, "REDIS_URL", "REDIS_URL"),
    keyPrefix: prefixed(Config.string, "REDIS_KEY_PREFIX", "REDIS_KEY_PREFIX").pipe(Config.withDefault("cachet:"))
  })
): Layer.Layer<RedisClient, ConfigError.ConfigError> =>
  Layer.scoped(RedisClient, Effect.flatMap(config, make))

/**
 * Opens another connection with the same settings (for a subscriber), closed with the scope.
 *
 * @since 0.1.0
 * @category constructors
 */
export const duplicate = (service: Service): Effect.Effect<Redis, never, Scope.Scope> =>
  connect(service.options)
