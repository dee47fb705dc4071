/**
 * The server side of `CacheApi`: handlers over the `Cache` in context and the bearer-token
 * check. A server wires them into its `HttpApiBuilder.group(Api, "cache", ...)`:
 *
 * ```ts
 * HttpApiBuilder.group(Api, "cache", (handlers) =>
 *   Effect.map(CacheAdmin.handlers, (admin) =>
 *     handlers.handle("stats", admin.stats).handle("entries", admin.entries) ...))
 * ```
 *
 * @since 0.1.0
 */
import { createHash, timingSafeEqual } from "node:crypto"

import { Cache, Setting, Store } from "@cachet/core"
import type { HttpServerResponse } from "@effect/platform"
import type { Duration, Scope, Stream } from "effect"
import { Config, type ConfigError, Effect, Layer, Option, Redacted } from "effect"

import {
  AdminAuth,
  AdminDisabled,
  ClearResult,
  DeleteResult,
  type EntriesParams,
  EntryInfo,
  EntryList,
  EntryNotFound,
  type InvalidateRequest,
  InvalidateResult,
  Stats,
  StoreUnavailable,
  Unauthorized
} from "./CacheApi.js"
import { type EntryPage, type Event, type SearchParams, type TagTree } from "./CacheBrowse.js"
import * as browse from "./internal/browse.js"
import * as events from "./internal/events.js"

/**
 * One handler per endpoint of `CacheApi`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Handlers {
  readonly stats: () => Effect.Effect<Stats>
  readonly entries: (request: { readonly urlParams: typeof EntriesParams.Type }) => Effect.Effect<EntryList>
  readonly entry: (request: { readonly path: { readonly key: string } }) => Effect.Effect<EntryInfo, EntryNotFound>
  readonly deleteEntry: (request: { readonly path: { readonly key: string } }) => Effect.Effect<DeleteResult>
  readonly invalidate: (
    request: { readonly payload: InvalidateRequest }
  ) => Effect.Effect<InvalidateResult, StoreUnavailable>
  readonly clear: () => Effect.Effect<ClearResult, StoreUnavailable>
  readonly search: (request: { readonly urlParams: typeof SearchParams.Type }) => Effect.Effect<EntryPage>
  readonly tags: () => Effect.Effect<TagTree>
  /** The live event stream; wire it with `handleRaw("events", admin.events)`. */
  readonly events: () => Effect.Effect<HttpServerResponse.HttpServerResponse>
}

const storeUnavailable = (error: { readonly message: string }) => new StoreUnavailable({ message: error.message })

/**
 * Builds the handlers over the `Cache` in context. When the context also holds the cache's
 * `Store`, listings tell a store that cannot list keys apart from an empty one. (The graph
 * endpoints are `CacheGraph`'s.)
 *
 * @since 0.1.0
 * @category constructors
 */
export const handlers: Effect.Effect<Handlers, never, Cache.Cache> = Effect.map(
  Effect.all([Cache.Cache, Effect.serviceOption(Store.Store)]),
  ([cache, store]): Handlers => ({
    stats: () => Effect.map(cache.stats, (stats) => new Stats({ ...stats, hitRatio: events.hitRatio(stats) })),
    entries: ({ urlParams }) =>
      Effect.map(
        cache.keys({
          ...(urlParams.prefix !== undefined ? { prefix: urlParams.prefix } : {}),
          limit: urlParams.limit ?? 100
        }),
        (keys) => new EntryList({ keys })
      ),
    entry: ({ path }) =>
      Effect.flatMap(cache.inspect(path.key), (info) =>
        Option.match(info, {
          onNone: () => Effect.fail(new EntryNotFound({ key: path.key })),
          onSome: (info) => Effect.succeed(new EntryInfo(info))
        })),
    deleteEntry: ({ path }) =>
      Effect.map(cache.delete(path.key), (deleted) => new DeleteResult({ key: path.key, deleted })),
    invalidate: ({ payload }) => {
      const soft = payload.soft ?? false
      return (soft ? cache.expire(payload.tags) : cache.invalidate(payload.tags)).pipe(
        Effect.mapError(storeUnavailable),
        Effect.as(new InvalidateResult({ tags: payload.tags, soft })),
        Effect.tap(() =>
          Effect.logInfo("cache tags invalidated").pipe(Effect.annotateLogs({ tags: payload.tags.join(" "), soft }))
        )
      )
    },
    clear: () =>
      cache.clear.pipe(
        Effect.mapError(storeUnavailable),
        Effect.map((cleared) => new ClearResult({ namespace: cache.prefix, cleared })),
        Effect.tap((result) => Effect.logInfo("cache cleared").pipe(Effect.annotateLogs("entries", result.cleared)))
      ),
    search: ({ urlParams }) => browse.search(cache, store, urlParams),
    tags: () => browse.tagTree(cache, store),
    events: () => Effect.sync(() => events.response(cache))
  })
)

/**
 * Subscribes to a cache's live events — what `GET /cache/events` sends: its invalidations and
 * expiries as they happen, and every `interval` (one second) a tick of the counters' deltas,
 * plus `fetchFailures` and `breaker` events when those changed. Once this returns, no
 * invalidation is missed; the subscription ends with the scope.
 *
 * @since 0.1.0
 * @category constructors
 */
export const subscribeEvents: (
  cache: Cache.Service,
  interval?: Duration.DurationInput
) => Effect.Effect<Stream.Stream<Event>, never, Scope.Scope> = events.subscribe

const digest = (text: string): Buffer => createHash("sha256").update(text).digest()

/**
 * Whether a presented token is the expected one, in constant time.
 *
 * @since 0.1.0
 * @category utils
 */
export const tokenMatches = (expected: Redacted.Redacted, presented: Redacted.Redacted): boolean =>
  timingSafeEqual(digest(Redacted.value(expected)), digest(Redacted.value(presented)))

/**
 * The bearer-token check: with no token configured every request is refused with 403; with
 * one, a missing or different bearer token gets 401.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerAuth = (token: Option.Option<Redacted.Redacted>): Layer.Layer<AdminAuth> =>
  Layer.succeed(
    AdminAuth,
    AdminAuth.of({
      bearer: (presented) =>
        Option.match(token, {
          onNone: () =>
            Effect.fail(
              new AdminDisabled({ message: "cache administration is disabled: the server has no ADMIN_TOKEN" })
            ),
          onSome: (expected) =>
            Redacted.value(presented) === ""
              ? Effect.fail(new Unauthorized({ message: "missing bearer token" }))
              : tokenMatches(expected, presented)
              ? Effect.void
              : Effect.fail(new Unauthorized({ message: "wrong bearer token" }))
        })
    })
  )

/**
 * The token from config: `CACHET_ADMIN_TOKEN` (optional; an empty or
 * blank value counts as unset: no client could send it).
 *
 * @since 0.1.0
 * @category config
 */
export const tokenConfig: Config.Config<Option.Option<Redacted.Redacted>> = Setting.read(
  (name) => Config.redacted(name),
  "ADMIN_TOKEN"
).pipe(
  Config.option,
  Config.map(Option.filter((token) => Redacted.value(token).trim() !== ""))
)

/**
 * The bearer-token check with the token read from config (`CACHET_ADMIN_TOKEN`).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerAuthConfig = (
  config: Config.Config<Option.Option<Redacted.Redacted>> = tokenConfig
): Layer.Layer<AdminAuth, ConfigError.ConfigError> => Layer.unwrapEffect(Effect.map(config, layerAuth))
