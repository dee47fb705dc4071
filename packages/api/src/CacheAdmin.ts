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
import { Cache } from "@cachet/core"
import { Config, ConfigError, Effect, Layer, Option, Redacted } from "effect"
import { createHash, timingSafeEqual } from "node:crypto"
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
  readonly invalidate: (request: { readonly payload: InvalidateRequest }) => Effect.Effect<InvalidateResult, StoreUnavailable>
  readonly clear: () => Effect.Effect<ClearResult, StoreUnavailable>
}

const storeUnavailable = (error: { readonly message: string }) => new StoreUnavailable({ message: error.message })

/**
 * Builds the handlers over the `Cache` in context.
 *
 * @since 0.1.0
 * @category constructors
 */
export const handlers: Effect.Effect<Handlers, never, Cache.Cache> = Effect.map(Cache.Cache, (cache): Handlers => ({
  stats: () =>
    Effect.map(cache.stats, (stats) => {
      const reads = stats.hits + stats.staleHits + stats.misses
      return new Stats({ ...stats, hitRatio: reads === 0 ? 0 : (stats.hits + stats.staleHits) / reads })
    }),
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
  deleteEntry: ({ path }) => Effect.map(cache.delete(path.key), (deleted) => new DeleteResult({ key: path.key, deleted })),
  invalidate: ({ payload }) => {
    const soft = payload.soft ?? false
    return (soft ? cache.expire(payload.tags) : cache.invalidate(payload.tags)).pipe(
      Effect.mapError(storeUnavailable),
      Effect.as(new InvalidateResult({ tags: payload.tags, soft })),
      Effect.tap(() => Effect.logInfo("cache tags invalidated").pipe(Effect.annotateLogs({ tags: payload.tags.join(" "), soft })))
    )
  },
  clear: () =>
    cache.clear.pipe(
      Effect.mapError(storeUnavailable),
      Effect.map((cleared) => new ClearResult({ namespace: cache.prefix, cleared })),
      Effect.tap((result) => Effect.logInfo("cache cleared").pipe(Effect.annotateLogs("entries", result.cleared)))
    )
}))

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
 * The token from config: `CACHET_ADMIN_TOKEN` (alias `ADMIN_TOKEN`; optional; an empty or
 * blank value counts as unset: no client could send it).
 *
 * @since 0.1.0
 * @category config
 */
export const tokenConfig: Config.Config<Option.Option<Redacted.Redacted>> = Config.orElseIf(
  Config.redacted("CACHET_ADMIN_TOKEN"),
  { if: ConfigError.isMissingDataOnly, orElse: () => Config.redacted("ADMIN_TOKEN") }
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
