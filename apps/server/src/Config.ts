/**
 * Everything the app reads from the environment, with the embedded defaults.
 *
 * @since 0.1.0
 */
import { Config, Duration } from "effect"

/**
 * Where the server listens: `PORT` (3000; 0 picks a free port) and `HOST` (127.0.0.1).
 *
 * @since 0.1.0
 * @category config
 */
export const server = Config.all({
  port: Config.integer("PORT").pipe(
    Config.validate({ message: "PORT must be 0..65535", validation: (port) => port >= 0 && port <= 65535 }),
    Config.withDefault(3000)
  ),
  host: Config.string("HOST").pipe(Config.withDefault("127.0.0.1"))
})

/**
 * The blog's database: `DATABASE_PATH` (`./data/blog.db`).
 *
 * @since 0.1.0
 * @category config
 */
export const databasePath = Config.string("DATABASE_PATH").pipe(Config.withDefault("./data/blog.db"))

/**
 * The size of the seed written into an empty database: `SEED_USERS` (200), `SEED_POSTS`
 * (2,000), `SEED_COMMENTS` (10,000).
 *
 * @since 0.1.0
 * @category config
 */
export const seed = Config.all({
  users: Config.integer("SEED_USERS").pipe(Config.withDefault(200), Config.validate({ message: "SEED_USERS must be >= 1", validation: (n) => n >= 1 })),
  posts: Config.integer("SEED_POSTS").pipe(Config.withDefault(2_000), Config.validate({ message: "SEED_POSTS must be >= 0", validation: (n) => n >= 0 })),
  comments: Config.integer("SEED_COMMENTS").pipe(Config.withDefault(10_000), Config.validate({ message: "SEED_COMMENTS must be >= 0", validation: (n) => n >= 0 }))
})

/**
 * The cache: `CACHE_STORE` (`memory` | `sqlite:PATH` | `redis://...` | `memcached://host:port`),
 * `CACHE_TTL` (5 minutes), `CACHE_GRACE` (1 minute), `CACHE_NAMESPACE` (`blog`),
 * `CACHE_STORE_TIMEOUT` (500 ms), `CACHE_ENABLED` (true; false makes every read fetch).
 *
 * @since 0.1.0
 * @category config
 */
export const cache = Config.all({
  store: Config.string("CACHE_STORE").pipe(Config.withDefault("memory")),
  ttl: Config.duration("CACHE_TTL").pipe(Config.withDefault(Duration.minutes(5))),
  grace: Config.duration("CACHE_GRACE").pipe(Config.withDefault(Duration.minutes(1))),
  namespace: Config.string("CACHE_NAMESPACE").pipe(Config.withDefault("blog")),
  storeTimeout: Config.duration("CACHE_STORE_TIMEOUT").pipe(Config.withDefault(Duration.millis(500))),
  enabled: Config.boolean("CACHE_ENABLED").pipe(Config.withDefault(true))
})
