/**
 * Reads a namespace for browsing: lists its keys (telling apart "empty" from "cannot list"),
 * summarizes each entry, filters by key prefix and tag, and counts entries per tag path.
 * @internal
 */
import type { Cache, Store } from "@cachet/core"
import { Effect, Either, Option } from "effect"

import { EntryPage, EntrySummary, Listing, TagCount, TagTree } from "../CacheBrowse.js"

/** How many keys one browse reads at most. @internal */
export const SCAN_LIMIT = 5000

/** How many entries one store read of a browse takes (one `MGET` on Redis). @internal */
export const READ_BATCH = 1000

interface Scan {
  /** Most recently written first; summarized only for the page served. */
  readonly entries: ReadonlyArray<Cache.EntryInfo>
  readonly listing: Listing
}

const listKeys = (
  cache: Cache.Service,
  store: Option.Option<Store.Service>,
  prefix: string
): Effect.Effect<Either.Either<ReadonlyArray<string>, string>> =>
  Option.match(store, {
    // Without the store, `cache.keys` fails open (an empty list): a store error or skip counted
    // during the call tells "cannot list" from "empty".
    onNone: () =>
      Effect.map(
        Effect.all([cache.stats, cache.keys({ prefix, limit: SCAN_LIMIT + 1 }), cache.stats]),
        ([before, keys, after]) =>
          keys.length === 0 && after.storeSkips > before.storeSkips
            ? Either.left("the circuit breaker is open: the store is skipped for now")
            : keys.length === 0 && after.storeErrors > before.storeErrors
            ? Either.left("the store failed to list keys (see the server log)")
            : Either.right(keys)
      ),
    onSome: (store) =>
      store.keys({ prefix: cache.prefix + prefix, limit: SCAN_LIMIT + 1 }).pipe(
        Effect.map((keys) => Either.right(keys.map((key) => key.slice(cache.prefix.length)))),
        Effect.catchAll((error) => Effect.succeed(Either.left(`${error.operation}: ${error.reason}`)))
      )
  })

const summary = (info: Cache.EntryInfo): EntrySummary =>
  new EntrySummary({
    key: info.key,
    tags: info.tags,
    createdAt: info.createdAt,
    ageMillis: info.ageMillis,
    ttlMillis: info.ttlMillis,
    graceMillis: info.graceMillis,
    state: info.state,
    failed: info.failed,
    size: info.size
  })

/** The entries of these keys, read in batches (`Cache.inspectMany`: one store read each). */
const readEntries = (cache: Cache.Service, keys: ReadonlyArray<string>) => {
  const batches: Array<ReadonlyArray<string>> = []
  for (let i = 0; i < keys.length; i += READ_BATCH) batches.push(keys.slice(i, i + READ_BATCH))
  return Effect.map(
    Effect.forEach(batches, (batch) => cache.inspectMany(batch), { concurrency: 4 }),
    (read) => read.flat().flatMap((info) => Option.isSome(info) ? [info.value] : [])
  )
}

const newestFirst = (a: Cache.EntryInfo, b: Cache.EntryInfo) => b.createdAt - a.createdAt || (a.key < b.key ? -1 : 1)

const unlisted = (reason: string): Scan => ({
  entries: [],
  listing: new Listing({ listable: false, reason, scanned: 0, truncated: false })
})

/**
 * Every entry under a key prefix (up to the scan limit), most recently written first; with `tag`,
 * at least those carrying it or a descendant (the caller filters). Read in one pass where the
 * store lists entries (`Cache.inspectListing`), else by listing keys and reading them in batches.
 * @internal
 */
export const scan = (
  cache: Cache.Service,
  store: Option.Option<Store.Service>,
  prefix: string,
  tag?: string
): Effect.Effect<Scan> =>
  Effect.flatMap(
    Effect.either(cache.inspectListing({ prefix, limit: SCAN_LIMIT + 1, tag })),
    (listing) =>
      Either.match(listing, {
        onLeft: (error) =>
          Effect.succeed(unlisted(
            error._tag === "BreakerOpen"
              ? "the circuit breaker is open: the store is skipped for now"
              : `the store failed to list entries (${
                error._tag === "StoreError" ? `${error.operation}: ${error.reason}` : error.message
              })`
          )),
        onRight: Option.match({
          onNone: () => scanKeys(cache, store, prefix),
          onSome: ({ entries, scanned }) =>
            Effect.succeed({
              // One key past the limit is read to tell truncation; its entry, if any, stays (order is arbitrary).
              entries: [...entries].sort(newestFirst),
              listing: new Listing({
                listable: true,
                reason: null,
                scanned: Math.min(scanned, SCAN_LIMIT),
                truncated: scanned > SCAN_LIMIT
              })
            })
        })
      })
  )

const scanKeys = (
  cache: Cache.Service,
  store: Option.Option<Store.Service>,
  prefix: string
): Effect.Effect<Scan> =>
  Effect.flatMap(listKeys(cache, store, prefix), (listed) =>
    Either.match(listed, {
      onLeft: (reason) => Effect.succeed(unlisted(reason)),
      onRight: (keys) => {
        const read = keys.slice(0, SCAN_LIMIT)
        return Effect.map(readEntries(cache, read), (infos) => ({
          entries: infos.sort(newestFirst),
          listing: new Listing({
            listable: true,
            reason: null,
            scanned: read.length,
            truncated: keys.length > SCAN_LIMIT
          })
        }))
      }
    }))

/** Whether invalidating `tag` covers an entry tagged `entryTag` (the same tag or a descendant). @internal */
export const covers = (tag: string, entryTag: string): boolean => entryTag === tag || entryTag.startsWith(tag + "/")

/** One page of the entries matching a search. @internal */
export const search = (
  cache: Cache.Service,
  store: Option.Option<Store.Service>,
  params: {
    readonly prefix?: string | undefined
    readonly tag?: string | undefined
    readonly offset?: number | undefined
    readonly limit?: number | undefined
  }
): Effect.Effect<EntryPage> =>
  Effect.suspend(() => {
    const tag = params.tag === undefined || params.tag === "" ? undefined : params.tag.replace(/\/+$/, "")
    return Effect.map(scan(cache, store, params.prefix ?? "", tag), ({ entries, listing }) => {
      const matching = tag === undefined ? entries : entries.filter((entry) => entry.tags.some((t) => covers(tag, t)))
      const offset = params.offset ?? 0
      return new EntryPage({
        entries: matching.slice(offset, offset + (params.limit ?? 50)).map(summary),
        total: matching.length,
        offset,
        listing
      })
    })
  })

/** Every tag path in use, each with the number of entries an invalidation of it covers. @internal */
export const tagTree = (cache: Cache.Service, store: Option.Option<Store.Service>): Effect.Effect<TagTree> =>
  Effect.map(scan(cache, store, ""), ({ entries, listing }) => {
    const counts = new Map<string, number>()
    for (const entry of entries) {
      const paths = new Set<string>()
      for (const tag of entry.tags) {
        const segments = tag.split("/")
        for (let i = 1; i <= segments.length; i++) paths.add(segments.slice(0, i).join("/"))
      }
      for (const path of paths) counts.set(path, (counts.get(path) ?? 0) + 1)
    }
    return new TagTree({
      tags: [...counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([tag, entries]) =>
        new TagCount({ tag, entries })
      ),
      listing
    })
  })
