/**
 * A scoped `ioredis` connection — to one node (`url`) or to a Redis Cluster (`cluster`) —
 * configured to fail fast when a server is down, so the cache's store timeout, fail-open and
 * circuit breaker take over: commands time out (`commandTimeout`), are not queued while
 * disconnected (`enableOfflineQueue: false`), are retried at most once, and the client
 * reconnects by itself with a capped backoff. A cluster client follows `MOVED`/`ASK`
 * redirections and slot changes (failovers) itself, and pipelines the commands of one tick per
 * node (`enableAutoPipelining`), so a batch costs one round trip per shard, in parallel.
 *
 * @since 0.1.0
 */
import { Setting, Store } from "@cachet/core"
import { Config, Context, Duration, Effect, Layer, Runtime } from "effect"
import type { ConfigError, Scope } from "effect"
import type { ClusterOptions, RedisOptions } from "ioredis"
import { Cluster, Redis } from "ioredis"

/**
 * A node of a Redis Cluster to start from (any master or replica; the rest is discovered).
 *
 * @since 0.1.0
 * @category models
 */
export interface ClusterNode {
  readonly host: string
  readonly port: number
}

/**
 * How to connect: a `url` (`redis://host:port/db`), or `cluster` (some nodes of a Redis
 * Cluster), and any `ioredis` option, which win over the fail-fast defaults. `keyPrefix` is
 * Cachet's own prefix for every key it writes (default `"cachet:"`); ioredis' `keyPrefix` option
 * is not used.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options extends Omit<RedisOptions, "keyPrefix"> {
  readonly url?: string
  /** The nodes of a Redis Cluster: connect to the cluster instead of one node. */
  readonly cluster?: ReadonlyArray<ClusterNode>
  readonly keyPrefix?: string
  /**
   * Cluster only: how long a process trusts a tag version it cached without hearing of a bump
   * on the bus (default 1 s). This bounds cross-process staleness when bus messages are lost.
   */
  readonly versionTtl?: Duration.DurationInput
  /**
   * Cluster only: how long an invalidation waits for a replica of the tag-versions shard to
   * acknowledge it (`WAIT 1`, default 250 ms). Unacknowledged, the tag-versions bump fails
   * rather than return, and `Cache.invalidate` / `expire` defer it: honoured at once by the
   * process, replayed until a replica acknowledges it (see `Cache.Service.invalidate`).
   */
  readonly replicaAckTimeout?: Duration.DurationInput
  /**
   * Cluster only: maps the addresses the nodes announce (`"host:port"`) to the ones this process
   * reaches them at (behind NAT, Docker or a proxy); ioredis' `natMap`.
   */
  readonly natMap?: ClusterOptions["natMap"]
}

/**
 * A connection to one node or to a cluster: the commands Cachet sends are the same.
 *
 * @since 0.1.0
 * @category models
 */
export type Client = Redis | Cluster

/**
 * A connection and the key prefix its users share.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  readonly client: Client
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
  // Reconnect forever, 50 ms more per attempt, at most every 500 ms: a server that is back is
  // reconnected within half a second, however long it was away.
  retryStrategy: (times) => Math.min(times * 50, 500)
}

/** Logs connection losses and recoveries; returns the cause of the last connection error. */
const watch = (client: Client, runtime: Runtime.Runtime<never>): () => string | undefined => {
  // Log one line per outage rather than one per reconnection attempt.
  let healthy = true
  let last: string | undefined
  const lost = (error: Error) => {
    last = Store.describeCause(error)
    if (!healthy) return
    healthy = false
    Runtime.runFork(runtime)(Effect.logWarning(`redis connection error: ${last}`))
  }
  client.on("error", lost)
  client.on("node error", lost)
  client.on("ready", () => {
    if (healthy) return
    healthy = true
    Runtime.runFork(runtime)(Effect.logInfo("redis connection restored"))
  })
  return () => last
}

/**
 * The fail-fast settings of a cluster client: no offline queue, commands retried on
 * `MOVED`/`ASK`/`TRYAGAIN` and on failover within the command timeout, reconnection forever
 * with a backoff capped at 2 s (a full cluster restart is survived), auto-pipelining per node.
 *
 * @since 0.1.0
 * @category constants
 */
export const clusterDefaults = (redisOptions: RedisOptions): ClusterOptions => {
  const { enableOfflineQueue: _q, retryStrategy: _r, lazyConnect: _l, ...nodeOptions } = redisOptions
  return {
    enableOfflineQueue: false,
    enableAutoPipelining: true,
    lazyConnect: true,
    maxRedirections: 16,
    retryDelayOnFailover: 100,
    retryDelayOnClusterDown: 100,
    retryDelayOnTryAgain: 100,
    slotsRefreshTimeout: 1_000,
    clusterRetryStrategy: (times) => Math.min(100 + times * 50, 2_000),
    redisOptions: nodeOptions
  }
}

/**
 * Opens a connection (waiting up to `connectTimeout` for it; a server down at start is logged,
 * not fatal: the client keeps reconnecting) and closes it when the scope closes.
 *
 * @since 0.1.0
 * @category constructors
 */
export const connect = (options: Options): Effect.Effect<Client, never, Scope.Scope> =>
  Effect.gen(function*() {
    const { keyPrefix: _keyPrefix, url, cluster, versionTtl: _v, replicaAckTimeout: _a, natMap, ...rest } = options
    const redisOptions: RedisOptions = { ...defaults, ...rest }
    const runtime = yield* Effect.runtime<never>()
    const client = yield* Effect.acquireRelease(
      Effect.sync((): Client =>
        cluster !== undefined
          ? new Cluster(
            cluster.map(({ host, port }) => ({ host, port })),
            natMap === undefined ? clusterDefaults(redisOptions) : { ...clusterDefaults(redisOptions), natMap }
          )
          : url === undefined
          ? new Redis(redisOptions)
          : new Redis(url, redisOptions)
      ),
      (client) =>
        Effect.promise(() => client.quit().catch(() => "")).pipe(
          Effect.timeout(1_000),
          Effect.ignore,
          Effect.ensuring(Effect.sync(() => client.disconnect()))
        )
    )
    const lastError = watch(client, runtime)
    yield* Effect.tryPromise(() => client.connect()).pipe(
      Effect.timeout(redisOptions.connectTimeout ?? 2_000),
      Effect.catchAll((error) =>
        Effect.logWarning(
          `redis not reachable at start (${lastError() ?? Store.describeCause(error)}); reconnecting in the background`
        )
      )
    )
    return client
  })

/**
 * Whether a client is a cluster client.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isCluster = (client: Client): client is Cluster => client instanceof Cluster

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

/**
 * A layer reading `url` (`CACHET_REDIS_URL`) and `keyPrefix` (`CACHET_REDIS_KEY_PREFIX`) from config.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  config: Config.Config<Options> = Config.all({
    url: Setting.read(Config.string, "REDIS_URL"),
    keyPrefix: Setting.read(Config.string, "REDIS_KEY_PREFIX").pipe(Config.withDefault("cachet:"))
  })
): Layer.Layer<RedisClient, ConfigError.ConfigError> => Layer.scoped(RedisClient, Effect.flatMap(config, make))

/**
 * Opens another connection with the same settings (for a subscriber), closed with the scope.
 *
 * @since 0.1.0
 * @category constructors
 */
export const duplicate = (service: Service): Effect.Effect<Client, never, Scope.Scope> => connect(service.options)
