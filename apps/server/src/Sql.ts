/**
 * The blog's database: SQLite at `CACHET_DATABASE_PATH` (its folder created if missing), foreign
 * keys on, migrated, and seeded when empty.
 *
 * @since 0.1.0
 */
import * as Fs from "node:fs"
import * as Path from "node:path"

import { NodeContext } from "@effect/platform-node"
import { SqlClient } from "@effect/sql"
import { SqliteClient, SqliteMigrator } from "@effect/sql-sqlite-node"
import { Effect, Layer } from "effect"

import * as AppConfig from "./Config.js"
import CreateBlog from "./migrations/0001_create_blog.js"
import LowercaseEmails from "./migrations/0002_lowercase_emails.js"
import * as Seed from "./Seed.js"

const ClientLive = Layer.unwrapEffect(
  Effect.gen(function*() {
    const filename = yield* AppConfig.databasePath
    if (filename !== ":memory:" && !filename.startsWith("file:")) {
      yield* Effect.sync(() => Fs.mkdirSync(Path.dirname(Path.resolve(filename)), { recursive: true }))
    }
    yield* Effect.logDebug("opening database").pipe(Effect.annotateLogs("filename", filename))
    return SqliteClient.layer({ filename })
  })
)

const ForeignKeysLive = Layer.effectDiscard(
  Effect.flatMap(SqlClient.SqlClient, (sql) => sql`PRAGMA foreign_keys = ON`)
)

const MigratorLive = SqliteMigrator.layer({
  loader: SqliteMigrator.fromRecord({ "0001_create_blog": CreateBlog, "0002_lowercase_emails": LowercaseEmails })
}).pipe(Layer.provide(NodeContext.layer))

const SeedLive = Layer.effectDiscard(Effect.flatMap(AppConfig.seed, Seed.run)).pipe(Layer.provide(MigratorLive))

/**
 * `SqlClient` on the migrated, seeded database.
 *
 * @since 0.1.0
 * @category layers
 */
export const SqlLive = Layer.mergeAll(SeedLive, ForeignKeysLive).pipe(Layer.provideMerge(ClientLive))
