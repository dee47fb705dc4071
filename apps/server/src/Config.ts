/**
 * Everything the app reads from the environment, with the embedded defaults. Every name has
 * the `CACHET_` prefix (core's `Setting.read`); unprefixed names are not read.
 *
 * @since 0.1.0
 */
import { CacheAdmin } from "@cachet/api"
import { Setting } from "@cachet/core"
import { Config, type ConfigError, Duration, Effect, Option, Redacted } from "effect"

/**
 * Where the server listens: `CACHET_PORT` (3000, 0 picks a free port) and
 * `CACHET_HOST` (127.0.0.1).
 *
 * @since 0.1.0
 * @category config
 */
export const server = Config.all({
  port: Setting.read(Config.integer, "PORT").pipe(
    Config.validate({ message: "CACHET_PORT must be 0..65535", validation: (port) => port >= 0 && port <= 65535 }),
    Config.withDefault(3000)
  ),
  host: Setting.read(Config.string, "HOST").pipe(Config.withDefault("127.0.0.1"))
})

/**
 * Whether cached reads are answered at the front door, before Effect's HTTP server:
 * `CACHET_FRONT_DOOR` (true; false serves every request through the app).
 *
 * @since 0.1.0
 * @category config
 */
export const frontDoor = Setting.read(Config.boolean, "FRONT_DOOR").pipe(Config.withDefault(true))

/**
 * The blog's database: `CACHET_DATABASE_PATH` (`./data/blog.db`).
 *
 * @since 0.1.0
 * @category config
 */
export const databasePath = Setting.read(Config.string, "DATABASE_PATH").pipe(
  Config.withDefault("./data/blog.db")
)

const count = (name: string, fallback: number, min: number) =>
  Setting.read(Config.integer, name).pipe(
    Config.withDefault(fallback),
    Config.validate({ message: `CACHET_${name} must be >= ${min}`, validation: (n) => n >= min })
  )

/**
 * The size of the seed written into an empty database: `CACHET_SEED_USERS` (200),
 * `CACHET_SEED_POSTS` (2,000), `CACHET_SEED_COMMENTS` (10,000).
 *
 * @since 0.1.0
 * @category config
 */
export const seed = Config.all({
  users: count("SEED_USERS", 200, 1),
  posts: count("SEED_POSTS", 2_000, 0),
  comments: count("SEED_COMMENTS", 10_000, 0)
})

/**
 * The cache: `CACHET_STORE` (`memory` | `sqlite:PATH` | `redis://...` | `memcached://host:port`),
 * `CACHET_TTL` (5 minutes), `CACHET_GRACE` (1 minute), `CACHET_GRACE_BACKOFF` (5 seconds: how long a
 * stale value is served without fetching after a failed refresh), `CACHET_NAMESPACE` (`blog`),
 * `CACHET_STORE_TIMEOUT` (500 ms), `CACHET_ENABLED` (true; false makes every read fetch),
 * `CACHET_OUTBOX` (unset: a directory where invalidations the store did not acknowledge are
 * journaled, so they survive a crash; give each process its own).
 *
 * @since 0.1.0
 * @category config
 */
export const cache = Config.all({
  store: Setting.read(Config.string, "STORE").pipe(Config.withDefault("memory")),
  ttl: Setting.read(Config.duration, "TTL").pipe(Config.withDefault(Duration.minutes(5))),
  grace: Setting.read(Config.duration, "GRACE").pipe(Config.withDefault(Duration.minutes(1))),
  graceBackoff: Setting.read(Config.duration, "GRACE_BACKOFF").pipe(Config.withDefault(Duration.seconds(5))),
  namespace: Setting.read(Config.string, "NAMESPACE").pipe(Config.withDefault("blog")),
  storeTimeout: Setting.read(Config.duration, "STORE_TIMEOUT").pipe(
    Config.withDefault(Duration.millis(500))
  ),
  enabled: Setting.read(Config.boolean, "ENABLED").pipe(Config.withDefault(true)),
  outbox: Setting.read(Config.string, "OUTBOX").pipe(
    Config.option,
    Config.map(Option.filter((dir) => dir.trim() !== ""))
  )
})

/**
 * The bounds of the `memory` store: `CACHET_MEMORY_MAX_ENTRIES` (100,000) and
 * `CACHET_MEMORY_MAX_BYTES` (128 MiB of encoded values); the least recently used entries go
 * first past either.
 *
 * @since 0.1.0
 * @category config
 */
export const memoryBounds = Config.all({
  maxEntries: count("MEMORY_MAX_ENTRIES", 100_000, 1),
  maxBytes: count("MEMORY_MAX_BYTES", 128 * 1024 * 1024, 1024)
})

/**
 * Tokens shorter than this are accepted with a warning at start-up.
 *
 * @since 0.1.0
 * @category constants
 */
export const minAdminTokenLength = 16

/**
 * The bearer token of the `/cache` admin endpoints: `CACHET_ADMIN_TOKEN`. An
 * empty or blank value counts as unset (admin disabled): no client could send it.
 *
 * @since 0.1.0
 * @category config
 */
export const adminToken: Config.Config<Option.Option<Redacted.Redacted>> = CacheAdmin.tokenConfig

/**
 * Warnings about the admin token for the start-up log: unset (the endpoints answer 403) or
 * shorter than `minAdminTokenLength`.
 *
 * @since 0.1.0
 * @category utils
 */
export const adminTokenWarning = (token: Option.Option<Redacted.Redacted>): Option.Option<string> =>
  Option.match(token, {
    onNone: () => Option.some("CACHET_ADMIN_TOKEN is not set (or blank): the /cache admin endpoints answer 403"),
    onSome: (token) =>
      Redacted.value(token).length < minAdminTokenLength
        ? Option.some(`CACHET_ADMIN_TOKEN is shorter than ${minAdminTokenLength} characters: use a long random token`)
        : Option.none()
  })

/**
 * How long shutdown waits for in-flight requests: `CACHET_SHUTDOWN_TIMEOUT`
 * (10 seconds); and how long idle keep-alive connections are kept open
 * meanwhile so a request a client already sent on one is answered (with `Connection: close`)
 * rather than reset: `CACHET_SHUTDOWN_IDLE_GRACE` (1 second).
 *
 * @since 0.1.0
 * @category config
 */
export const shutdown = Config.all({
  timeout: Setting.read(Config.duration, "SHUTDOWN_TIMEOUT").pipe(
    Config.withDefault(Duration.seconds(10))
  ),
  idleGrace: Setting.read(Config.duration, "SHUTDOWN_IDLE_GRACE").pipe(Config.withDefault(Duration.seconds(1)))
})

/**
 * `CACHET_LOG_LEVEL` as text, and `CACHET_LOG_FORMAT`.
 *
 * @since 0.1.0
 * @category config
 */
export const logging = {
  level: Setting.read(Config.string, "LOG_LEVEL"),
  format: Setting.read(Config.literal("logfmt", "json", "pretty"), "LOG_FORMAT").pipe(
    Config.withDefault("logfmt" as const)
  )
}

/**
 * Logs the admin token warning, if any.
 *
 * @since 0.1.0
 * @category utils
 */
export const warnAboutAdminToken: Effect.Effect<void, ConfigError.ConfigError> = Effect.flatMap(
  adminToken,
  (token) => Option.match(adminTokenWarning(token), { onNone: () => Effect.void, onSome: Effect.logWarning })
)

/**
 * The `/graphql` endpoint's limits, checked before an operation runs (`@cachet/graphql`'s cost
 * model): `CACHET_GRAPHQL_MAX_DEPTH` (10), `CACHET_GRAPHQL_MAX_COST` (10,000 field resolutions,
 * lists multiplied by their size), `CACHET_GRAPHQL_MAX_FIELDS` (500, fragments expanded),
 * `CACHET_GRAPHQL_MAX_ALIASES` (100) and `CACHET_GRAPHQL_LIST_SIZE` (10: the size assumed of a
 * list whose field gives none).
 *
 * @since 0.1.0
 * @category config
 */
export const graphql = Config.all({
  maxDepth: count("GRAPHQL_MAX_DEPTH", 10, 1),
  maxCost: count("GRAPHQL_MAX_COST", 10_000, 1),
  maxFields: count("GRAPHQL_MAX_FIELDS", 500, 1),
  maxAliases: count("GRAPHQL_MAX_ALIASES", 100, 0),
  defaultListSize: count("GRAPHQL_LIST_SIZE", 10, 1)
})
