/**
 * SQLite as a persistent, embedded store (`@effect/sql-sqlite-node`): one table of entries
 * (key, encoded entry, expiry), one of tag versions and a counter; WAL mode; tag bumps in a
 * transaction; a schema migration that runs on open; expired rows purged by a scoped fiber.
 * Entries written before a restart are there after it.
 *
 * @since 0.1.0
 */
import { Store, TagVersions } from "@cachet/core"
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import * as SqlClient from "@effect/sql/SqlClient"
import type { ConfigError, Scope } from "effect"
import { Config, Duration, Effect, Layer, Schedule } from "effect"

import * as internal from "./internal/sqliteStore.js"

/**
 * Housekeeping of a SQLite store.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** How often rows past their expiry are deleted (default 1 minute). */
  readonly purgeInterval?: Duration.DurationInput
}

/**
 * Where the database lives (`":memory:"` for a private in-memory one) and its housekeeping.
 *
 * @since 0.1.0
 * @category models
 */
export interface FileOptions extends Options {
  readonly filename: string
}

/**
 * The services of a SQLite store, and a purge to run on demand.
 *
 * @since 0.1.0
 * @category models
 */
export interface SqliteStore extends Store.Backend {
  /** Deletes expired rows now; how many. */
  readonly purge: Effect.Effect<number, Store.StoreError>
}

/**
 * Builds the store on the current `SqlClient` (a SQLite one): migrates the schema, then purges
 * expired rows every `purgeInterval` for the life of the scope.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  options: Options = {}
): Effect.Effect<SqliteStore, Store.StoreError, SqlClient.SqlClient | Scope.Scope> =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    yield* internal.migrate(sql).pipe(
      Effect.zipLeft(sql`PRAGMA synchronous = NORMAL`),
      Effect.mapError(internal.storeError("migrate"))
    )
    const tagVersions = internal.makeTagVersions(sql)
    const store = internal.makeStore(sql, tagVersions)
    const purge = internal.purge(sql)
    yield* purge.pipe(
      Effect.catchAll((error) => Effect.as(Effect.logWarning("cachet sqlite purge failed", error), 0)),
      Effect.repeat(Schedule.spaced(Duration.decode(options.purgeInterval ?? Duration.minutes(1)))),
      Effect.interruptible,
      Effect.forkScoped
    )
    return { store, tagVersions, purge }
  })

/**
 * `Store` and `TagVersions` on an existing `SqlClient` (share the app's database).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerClient = (
  options: Options = {}
): Layer.Layer<Store.Store | TagVersions.TagVersions, Store.StoreError, SqlClient.SqlClient> =>
  Layer.scopedContext(Effect.map(make(options), Store.context))

/**
 * `Store` and `TagVersions` in a SQLite file of their own: `SqliteStore.layer({ filename })`.
 *
 * @example
 * ```ts
 * import { Cache } from "@cachet/core"
 * import { SqliteStore } from "@cachet/sqlite"
 * import { Layer } from "effect"
 *
 * // Entries survive restarts and are shared by the processes that open the same file.
 * export const CacheLive = Cache.layer({ ttl: "10 minutes" }).pipe(
 *   Layer.provide(SqliteStore.layer({ filename: "data/cache.db" }))
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: FileOptions
): Layer.Layer<Store.Store | TagVersions.TagVersions, Store.StoreError | ConfigError.ConfigError> => {
  const { filename, ...rest } = options
  return Layer.provide(layerClient(rest), SqliteClient.layer({ filename }))
}

/**
 * `Store` and `TagVersions` in the SQLite file named by config (`CACHET_SQLITE_FILE`).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  config: Config.Config<FileOptions> = Config.all({ filename: Config.string("CACHET_SQLITE_FILE") })
): Layer.Layer<Store.Store | TagVersions.TagVersions, Store.StoreError | ConfigError.ConfigError> =>
  Layer.unwrapEffect(Effect.map(config, layer))
