import { Store, Tag, TagVersions } from "@cachet/core"
import * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import { Clock, Effect, Option } from "effect"

/** @internal */
export const storeError = (operation: string) => (cause: SqlError): Store.StoreError =>
  new Store.StoreError({ operation, reason: String(cause.cause ?? cause.message), cause })

const CHUNK = 500

const chunks = <A>(items: ReadonlyArray<A>): Array<ReadonlyArray<A>> => {
  const out: Array<ReadonlyArray<A>> = []
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK))
  return out
}

/**
 * Each migration runs once, in order, in a transaction, recorded in `cachet_meta`.
 * @internal
 */
export const migrations: ReadonlyArray<(sql: SqlClient.SqlClient) => Effect.Effect<unknown, SqlError>> = [
  (sql) =>
    Effect.all([
      sql`CREATE TABLE IF NOT EXISTS cachet_entries (
        key TEXT PRIMARY KEY NOT NULL,
        value TEXT NOT NULL,
        expires_at INTEGER
      ) WITHOUT ROWID`,
      sql`CREATE INDEX IF NOT EXISTS cachet_entries_expires_at
        ON cachet_entries (expires_at) WHERE expires_at IS NOT NULL`,
      sql`CREATE TABLE IF NOT EXISTS cachet_tag_versions (
        path TEXT PRIMARY KEY NOT NULL,
        hard INTEGER NOT NULL DEFAULT 0,
        soft INTEGER NOT NULL DEFAULT 0
      ) WITHOUT ROWID`,
      sql`INSERT OR IGNORE INTO cachet_meta (name, value) VALUES ('counter', 0)`
    ], { discard: true })
]

/** @internal */
export const migrate = (sql: SqlClient.SqlClient): Effect.Effect<number, SqlError> =>
  Effect.gen(function*() {
    yield* sql`CREATE TABLE IF NOT EXISTS cachet_meta (name TEXT PRIMARY KEY NOT NULL, value INTEGER NOT NULL)`
    const rows = yield* sql<{ value: number }>`SELECT value FROM cachet_meta WHERE name = 'schema'`
    const from = rows[0]?.value ?? 0
    for (let version = from; version < migrations.length; version++) {
      yield* sql.withTransaction(
        Effect.zipRight(
          migrations[version]!(sql),
          sql`INSERT INTO cachet_meta (name, value) VALUES ('schema', ${version + 1})
              ON CONFLICT (name) DO UPDATE SET value = excluded.value`
        )
      )
      yield* Effect.logDebug(`cachet sqlite schema migrated to version ${version + 1}`)
    }
    return migrations.length
  })

interface Row {
  readonly key: string
  readonly value: string
}

/** @internal */
export const makeTagVersions = (sql: SqlClient.SqlClient): TagVersions.Service => {
  const versions = (paths: ReadonlyArray<string>) =>
    paths.length === 0 ? Effect.succeed([] as ReadonlyArray<TagVersions.Version>) : Effect.map(
      Effect.forEach(
        chunks(paths),
        (chunk) =>
          sql<
            { path: string; hard: number; soft: number }
          >`SELECT path, hard, soft FROM cachet_tag_versions WHERE path IN ${sql.in(chunk)}`
      ),
      (results) => {
        const found = new Map<string, TagVersions.Version>()
        for (const rows of results) {
          for (const row of rows) found.set(row.path, { hard: Number(row.hard), soft: Number(row.soft) })
        }
        return paths.map((path) => found.get(path) ?? TagVersions.initial)
      }
    ).pipe(Effect.mapError(storeError("versions")))
  return {
    counter: sql<{ value: number }>`SELECT value FROM cachet_meta WHERE name = 'counter'`.pipe(
      Effect.map((rows) => Number(rows[0]?.value ?? 0)),
      Effect.mapError(storeError("counter"))
    ),
    versions,
    bump: (paths, mode) =>
      sql.withTransaction(Effect.gen(function*() {
        const rows = yield* sql<
          { value: number }
        >`UPDATE cachet_meta SET value = value + 1 WHERE name = 'counter' RETURNING value`
        const counter = Number(rows[0]!.value)
        for (const path of new Set(paths)) {
          yield* mode === "hard"
            ? sql`INSERT INTO cachet_tag_versions (path, hard, soft) VALUES (${path}, ${counter}, 0)
                  ON CONFLICT (path) DO UPDATE SET hard = excluded.hard`
            : sql`INSERT INTO cachet_tag_versions (path, hard, soft) VALUES (${path}, 0, ${counter})
                  ON CONFLICT (path) DO UPDATE SET soft = excluded.soft`
        }
        return counter
      })).pipe(Effect.mapError(storeError("bump")))
  }
}

/** @internal */
export const makeStore = (sql: SqlClient.SqlClient, tagVersions: TagVersions.Service): Store.Service => {
  // A row that does not decode (corrupted, or written by a future schema) reads as a miss.
  const decode = (text: string | undefined): Option.Option<Store.Entry> =>
    text === undefined ? Option.none() : Store.decodeEntry(text)

  const getMany = (keys: ReadonlyArray<string>) =>
    keys.length === 0 ? Effect.succeed([]) : Effect.gen(function*() {
      const now = yield* Clock.currentTimeMillis
      const found = new Map<string, string>()
      for (const chunk of chunks(keys)) {
        const rows = yield* sql<Row>`SELECT key, value FROM cachet_entries
          WHERE key IN ${sql.in(chunk)} AND (expires_at IS NULL OR expires_at > ${now})`
        for (const row of rows) found.set(row.key, row.value)
      }
      return keys.map((key) => decode(found.get(key)))
    }).pipe(Effect.mapError(storeError("getMany")))

  const get = (key: string) =>
    Effect.gen(function*() {
      const now = yield* Clock.currentTimeMillis
      const rows = yield* sql<Row>`SELECT key, value FROM cachet_entries
        WHERE key = ${key} AND (expires_at IS NULL OR expires_at > ${now})`
      return decode(rows[0]?.value)
    }).pipe(Effect.mapError(storeError("get")))

  const write = (key: string, entry: Store.Entry, now: number) => {
    const expiresAt = Store.expiresAt(entry)
    return expiresAt <= now
      ? sql`DELETE FROM cachet_entries WHERE key = ${key}`
      : sql`INSERT INTO cachet_entries (key, value, expires_at)
            VALUES (${key}, ${Store.encodeEntry(entry)}, ${Number.isFinite(expiresAt) ? Math.ceil(expiresAt) : null})
            ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at`
  }

  const live = (now: number) => sql`(expires_at IS NULL OR expires_at > ${now})`
  const underPrefix = (prefix: string) => sql`key >= ${prefix} AND substr(key, 1, length(${prefix})) = ${prefix}`

  return Store.make({
    name: "sqlite",
    local: false,
    get,
    getMany,
    getWithVersions: (key) =>
      Effect.flatMap(get(key), (entry) =>
        Option.isNone(entry)
          ? Effect.succeed(Option.none())
          : Effect.map(
            tagVersions.versions(Tag.prefixesOfAll(entry.value.tags)),
            (versions) => Option.some([entry.value, versions] as const)
          )),
    set: (key, entry) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) => write(key, entry, now)).pipe(
        Effect.asVoid,
        Effect.mapError(storeError("set"))
      ),
    setMany: (entries) =>
      entries.length === 0 ?
        Effect.void :
        Effect.flatMap(Clock.currentTimeMillis, (now) =>
          sql.withTransaction(Effect.forEach(entries, ([key, entry]) =>
            write(key, entry, now), { discard: true }))).pipe(
            Effect.mapError(storeError("setMany"))
          ),
    delete: (key) =>
      Effect.flatMap(
        Clock.currentTimeMillis,
        (now) =>
          sql<{ expires_at: number | null }>`DELETE FROM cachet_entries WHERE key = ${key} RETURNING expires_at`.pipe(
            Effect.map((rows) => rows.some((row) => row.expires_at === null || row.expires_at > now))
          )
      ).pipe(Effect.mapError(storeError("delete"))),
    deleteMany: (keys) =>
      keys.length === 0 ? Effect.succeed(0) : Effect.flatMap(Clock.currentTimeMillis, (now) =>
        Effect.map(
          Effect.forEach(chunks(keys), (chunk) =>
            sql<{ expires_at: number | null }>`DELETE FROM cachet_entries WHERE key IN ${
              sql.in(chunk)
            } RETURNING expires_at`),
          (results) =>
            results.flat().filter((row) =>
              row.expires_at === null || row.expires_at > now
            ).length
        )).pipe(Effect.mapError(storeError("deleteMany"))),
    clear: (prefix) =>
      Effect.flatMap(
        Clock.currentTimeMillis,
        (now) =>
          sql<{ expires_at: number | null }>`DELETE FROM cachet_entries WHERE ${
            underPrefix(prefix)
          } RETURNING expires_at`.pipe(
            Effect.map((rows) => rows.filter((row) => row.expires_at === null || row.expires_at > now).length)
          )
      ).pipe(Effect.mapError(storeError("clear"))),
    keys: ({ limit, prefix }) =>
      Effect.flatMap(
        Clock.currentTimeMillis,
        (now) =>
          sql<{ key: string }>`SELECT key FROM cachet_entries WHERE ${underPrefix(prefix)} AND ${
            live(now)
          } LIMIT ${limit}`.pipe(
            Effect.map((rows) => rows.map((row) => row.key))
          )
      ).pipe(Effect.mapError(storeError("keys"))),
    // One query for keys and entries; with a tag, rows whose text cannot carry it come back
    // without their value, so they are counted but neither sent nor decoded.
    listEntries: ({ limit, prefix, tag }) =>
      Effect.flatMap(
        Clock.currentTimeMillis,
        (now) =>
          (tag === undefined
            ? sql<{ key: string; value: string | null }>`SELECT key, value FROM cachet_entries
              WHERE ${underPrefix(prefix)} AND ${live(now)} LIMIT ${limit}`
            : sql<{ key: string; value: string | null }>`SELECT key,
              CASE WHEN instr(value, ${Store.tagNeedle(tag)}) > 0 THEN value END AS value FROM cachet_entries
              WHERE ${underPrefix(prefix)} AND ${live(now)} LIMIT ${limit}`).pipe(
              Effect.map((rows): Store.Listed => {
                const entries: Array<readonly [string, Store.Entry]> = []
                for (const row of rows) {
                  if (row.value === null) continue
                  const entry = Store.decodeEntry(row.value)
                  if (Option.isSome(entry) && (tag === undefined || Store.carriesTag(entry.value, tag))) {
                    entries.push([row.key, entry.value])
                  }
                }
                return { scanned: rows.length, entries }
              })
            )
      ).pipe(Effect.mapError(storeError("listEntries"))),
    // The creation time is the fourth element of the encoded entry (Store.encodeEntry).
    usage: (prefix) =>
      Effect.flatMap(
        Clock.currentTimeMillis,
        (now) =>
          sql<{ entries: number; bytes: number | null; oldest: number | null; newest: number | null }>`
          SELECT count(*) AS entries, sum(length(CAST(value AS BLOB))) AS bytes,
                 min(json_extract(value, '$[3]')) AS oldest, max(json_extract(value, '$[3]')) AS newest
          FROM cachet_entries WHERE ${underPrefix(prefix)} AND ${live(now)}`.pipe(
            Effect.map(([row]): Store.Usage => ({
              entries: Number(row?.entries ?? 0),
              bytes: Number(row?.bytes ?? 0),
              oldestCreatedAt: row?.oldest == null ? null : Number(row.oldest),
              newestCreatedAt: row?.newest == null ? null : Number(row.newest)
            }))
          )
      ).pipe(Effect.mapError(storeError("usage")))
  })
}

/** Deletes rows past their expiry; how many. @internal */
export const purge = (sql: SqlClient.SqlClient): Effect.Effect<number, Store.StoreError> =>
  Effect.flatMap(
    Clock.currentTimeMillis,
    (now) =>
      sql<
        { key: string }
      >`DELETE FROM cachet_entries WHERE expires_at IS NOT NULL AND expires_at <= ${now} RETURNING key`.pipe(
        Effect.map((rows) => rows.length)
      )
  ).pipe(Effect.mapError(storeError("purge")))
