/**
 * The cache administration API as an `HttpApiGroup`: statistics, entries (list, inspect,
 * delete, search), the tag tree, tag invalidation, clearing the namespace, a live event
 * stream, behind a bearer token (the normalized graph's endpoints are the optional
 * `CacheGraph` group, entry point `@cachet/api/CacheGraph`). A server adds
 * the group to its `HttpApi` (and implements it with `CacheAdmin`); a CLI calls it with
 * `HttpApiClient` (see `AdminClient`).
 *
 * @since 0.1.0
 */
import { Cache } from "@cachet/core"
import {
  HttpApi,
  HttpApiEndpoint,
  HttpApiGroup,
  HttpApiMiddleware,
  HttpApiSchema,
  HttpApiSecurity,
  OpenApi
} from "@effect/platform"
import { Schema } from "effect"

import { EntryPage, SearchParams, TagTree } from "./CacheBrowse.js"

// -----------------------------------------------------------------------------
// errors
// -----------------------------------------------------------------------------

/**
 * The request had no bearer token, or not the right one (401).
 *
 * @since 0.1.0
 * @category errors
 */
export class Unauthorized extends Schema.TaggedError<Unauthorized>("@cachet/api/Unauthorized")(
  "Unauthorized",
  { message: Schema.String },
  HttpApiSchema.annotations({ status: 401, description: "Missing or wrong bearer token" })
) {}

/**
 * The server has no admin token configured, so administration is switched off (403).
 *
 * @since 0.1.0
 * @category errors
 */
export class AdminDisabled extends Schema.TaggedError<AdminDisabled>("@cachet/api/AdminDisabled")(
  "AdminDisabled",
  { message: Schema.String },
  HttpApiSchema.annotations({ status: 403, description: "Administration is disabled (no admin token configured)" })
) {}

/**
 * No entry under that key (404).
 *
 * @since 0.1.0
 * @category errors
 */
export class EntryNotFound extends Schema.TaggedError<EntryNotFound>("@cachet/api/EntryNotFound")(
  "EntryNotFound",
  { key: Schema.String },
  HttpApiSchema.annotations({ status: 404, description: "No entry under that key" })
) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return `no cache entry under ${JSON.stringify(this.key)}`
  }
}

/**
 * The store failed the operation (503); reads keep working without it.
 *
 * @since 0.1.0
 * @category errors
 */
export class StoreUnavailable extends Schema.TaggedError<StoreUnavailable>("@cachet/api/StoreUnavailable")(
  "StoreUnavailable",
  { message: Schema.String },
  HttpApiSchema.annotations({ status: 503, description: "The cache store failed the operation" })
) {}

// -----------------------------------------------------------------------------
// models
// -----------------------------------------------------------------------------

/**
 * Counters of a cache since it was built (the wire form of `Cache.Stats`).
 *
 * @since 0.1.0
 * @category models
 */
export class Stats extends Schema.Class<Stats>("@cachet/api/Stats")({
  ...Cache.Stats.fields,
  /** `hits + staleHits` over every read, 0 when nothing was read. */
  hitRatio: Schema.Number
}) {}

/**
 * The state of an entry.
 *
 * @since 0.1.0
 * @category models
 */
export const State = Cache.State

/**
 * Everything known about one entry (the wire form of `Cache.EntryInfo`).
 *
 * @since 0.1.0
 * @category models
 */
export class EntryInfo extends Schema.Class<EntryInfo>("@cachet/api/EntryInfo")(Cache.EntryInfo.fields) {}

/**
 * Keys of the namespace.
 *
 * @since 0.1.0
 * @category models
 */
export class EntryList extends Schema.Class<EntryList>("@cachet/api/EntryList")({
  keys: Schema.Array(Schema.String)
}) {}

/**
 * What to invalidate: tags in their string form (`users/1/posts`), hard by default, soft
 * (grace still applies) with `soft: true`.
 *
 * @since 0.1.0
 * @category models
 */
export class InvalidateRequest extends Schema.Class<InvalidateRequest>("@cachet/api/InvalidateRequest")({
  // Messages that never quote the input: a wrong value may be megabytes long.
  tags: Schema.NonEmptyArray(Schema.String.pipe(Schema.minLength(1), Schema.maxLength(1024))).pipe(
    Schema.maxItems(1000),
    Schema.annotations({
      message: () => ({ message: "must be 1 to 1,000 tags, each 1 to 1,024 characters", override: true })
    })
  ),
  soft: Schema.optional(
    Schema.Boolean.annotations({ message: () => ({ message: "must be a boolean", override: true }) })
  )
}) {}

/**
 * What an invalidation did.
 *
 * @since 0.1.0
 * @category models
 */
export class InvalidateResult extends Schema.Class<InvalidateResult>("@cachet/api/InvalidateResult")({
  tags: Schema.Array(Schema.String),
  soft: Schema.Boolean
}) {}

/**
 * What deleting one entry did.
 *
 * @since 0.1.0
 * @category models
 */
export class DeleteResult extends Schema.Class<DeleteResult>("@cachet/api/DeleteResult")({
  key: Schema.String,
  deleted: Schema.Boolean
}) {}

/**
 * What clearing the namespace did.
 *
 * @since 0.1.0
 * @category models
 */
export class ClearResult extends Schema.Class<ClearResult>("@cachet/api/ClearResult")({
  namespace: Schema.String,
  cleared: Schema.Number
}) {}

/**
 * Query parameters of the entry listing.
 *
 * @since 0.1.0
 * @category models
 */
export const EntriesParams = Schema.Struct({
  prefix: Schema.optional(Schema.String),
  limit: Schema.optional(Schema.NumberFromString.pipe(Schema.int(), Schema.between(1, 10_000)))
})

// -----------------------------------------------------------------------------
// security
// -----------------------------------------------------------------------------

/**
 * The bearer-token check every endpoint of the group runs first. The server provides its
 * implementation (`CacheAdmin.layerAuth`).
 *
 * @since 0.1.0
 * @category security
 */
export class AdminAuth extends HttpApiMiddleware.Tag<AdminAuth>()("@cachet/api/AdminAuth", {
  failure: Schema.Union(Unauthorized, AdminDisabled),
  security: { bearer: HttpApiSecurity.bearer }
}) {}

// -----------------------------------------------------------------------------
// the group
// -----------------------------------------------------------------------------

/**
 * The `:key` path parameter of the entry (and graph) endpoints.
 *
 * @since 0.1.0
 * @category models
 */
export const KeyPath = Schema.Struct({ key: Schema.String })

/**
 * The `/cache` endpoints.
 *
 * @example
 * ```ts
 * import { CacheAdmin, CacheApi } from "@cachet/api"
 * import { Cache, MemoryStore } from "@cachet/core"
 * import { HttpApi, HttpApiBuilder } from "@effect/platform"
 * import { Effect, Layer } from "effect"
 *
 * // Add the group to your HttpApi, and implement it with CacheAdmin's handlers.
 * class Api extends HttpApi.make("app").add(CacheApi.CacheApi) {}
 *
 * const CacheAdminLive = HttpApiBuilder.group(Api, "cache", (handlers) =>
 *   Effect.map(CacheAdmin.handlers, (admin) =>
 *     handlers
 *       .handle("stats", admin.stats)
 *       .handle("entries", admin.entries)
 *       .handle("entry", admin.entry)
 *       .handle("deleteEntry", admin.deleteEntry)
 *       .handle("invalidate", admin.invalidate)
 *       .handle("clear", admin.clear)
 *       .handle("search", admin.search)
 *       .handle("tags", admin.tags)
 *       .handleRaw("events", admin.events)))
 *
 * // The bearer token comes from CACHET_ADMIN_TOKEN; without one the endpoints answer 403.
 * export const ApiLive = HttpApiBuilder.api(Api).pipe(
 *   Layer.provide(CacheAdminLive),
 *   Layer.provide(CacheAdmin.layerAuthConfig()),
 *   Layer.provide(Cache.layer().pipe(Layer.provide(MemoryStore.layer())))
 * )
 * ```
 *
 * @since 0.1.0
 * @category groups
 */
export class CacheApi extends HttpApiGroup.make("cache")
  .add(
    HttpApiEndpoint.get("stats", "/cache/stats")
      .addSuccess(Stats)
      .annotate(OpenApi.Summary, "Counters since the cache was built")
  )
  .add(
    HttpApiEndpoint.get("entries", "/cache/entries")
      .setUrlParams(EntriesParams)
      .addSuccess(EntryList)
      .annotate(OpenApi.Summary, "Keys of the namespace, optionally under a prefix")
  )
  .add(
    HttpApiEndpoint.get("entry", "/cache/entries/:key")
      .setPath(KeyPath)
      .addSuccess(EntryInfo)
      .addError(EntryNotFound)
      .annotate(OpenApi.Summary, "Tags, age, ttl, grace, state and size of one entry")
  )
  .add(
    HttpApiEndpoint.del("deleteEntry", "/cache/entries/:key")
      .setPath(KeyPath)
      .addSuccess(DeleteResult)
      .annotate(OpenApi.Summary, "Removes one entry")
  )
  .add(
    HttpApiEndpoint.post("invalidate", "/cache/invalidate")
      .setPayload(InvalidateRequest)
      .addSuccess(InvalidateResult)
      .addError(StoreUnavailable)
      .annotate(OpenApi.Summary, "Invalidates tags (and their descendants); soft keeps grace")
  )
  .add(
    HttpApiEndpoint.del("clear", "/cache")
      .addSuccess(ClearResult)
      .addError(StoreUnavailable)
      .annotate(OpenApi.Summary, "Removes every entry of the namespace")
  )
  .add(
    HttpApiEndpoint.get("search", "/cache/search")
      .setUrlParams(SearchParams)
      .addSuccess(EntryPage)
      .annotate(OpenApi.Summary, "Entries by key prefix and tag, most recently written first, a page at a time")
  )
  .add(
    HttpApiEndpoint.get("tags", "/cache/tags")
      .addSuccess(TagTree)
      .annotate(OpenApi.Summary, "Tag paths in use, with how many entries an invalidation of each covers")
  )
  .add(
    HttpApiEndpoint.get("events", "/cache/events")
      .addSuccess(HttpApiSchema.Text({ contentType: "text/event-stream" }))
      .annotate(
        OpenApi.Summary,
        "Server-Sent Events: invalidations, per-second counters, fetch failures, breaker changes"
      )
  )
  .middleware(AdminAuth)
  .annotate(OpenApi.Title, "Cache administration")
  .annotate(
    OpenApi.Description,
    "Requires `Authorization: Bearer $ADMIN_TOKEN`; answers 403 when no token is configured"
  )
{}

/**
 * An `HttpApi` with only the admin group, for clients (`HttpApiClient.make(AdminApi)`): its
 * paths are those of any server that adds `CacheApi`.
 *
 * @since 0.1.0
 * @category apis
 */
export class AdminApi extends HttpApi.make("cachet-admin").add(CacheApi) {}
