/**
 * The remote target: a running reference app driven through its admin API with the typed
 * client `HttpApiClient` derives from `@cachet/api` (no hand-written HTTP calls).
 *
 * @since 0.1.0
 */
import { AdminClient } from "@cachet/api"
import type { Cache } from "@cachet/core"
import { FetchHttpClient } from "@effect/platform"
import { Duration, Effect, Option, Predicate, Redacted } from "effect"

import * as CliError from "./CliError.js"
import type * as Target from "./Target.js"

const timeout = Duration.seconds(15)

/**
 * One line for any failure of an admin call: a refused connection, a wrong token, a server
 * without an admin token, a failing store, or an answer that does not fit the API.
 *
 * @since 0.1.0
 * @category errors
 */
export const explain = (url: string, error: unknown): CliError.CliError => {
  const tag = Predicate.hasProperty(error, "_tag") ? String(error._tag) : ""
  const message = CliError.describe(error)
  switch (tag) {
    case "Unauthorized":
      return CliError.failed(`${url} refused the token (401 Unauthorized): check --token or CACHET_TOKEN`)
    case "AdminDisabled":
      return CliError.failed(`${url} has administration disabled (403): start it with an admin token`)
    case "StoreUnavailable":
      return CliError.failed(`${url}: the cache store failed: ${message}`)
    case "RequestError":
      return CliError.failed(`cannot reach ${url}: ${rootCause(error)}`)
    case "ResponseError":
      return CliError.failed(`${url} answered unexpectedly: ${message}`)
    case "TimeoutException":
      return CliError.failed(`${url} did not answer within ${Duration.format(timeout)}`)
    default:
      return CliError.failed(`${url}: ${message}`)
  }
}

/** The innermost cause's message (`connect ECONNREFUSED 127.0.0.1:1` under "fetch failed"). */
const rootCause = (error: unknown): string => {
  let current: unknown = error
  for (let depth = 0; depth < 5 && Predicate.hasProperty(current, "cause") && current.cause !== undefined; depth++) {
    current = current.cause
  }
  return CliError.describe(current)
}

/**
 * A target over the admin API of the app at `url`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (url: string, token: Option.Option<Redacted.Redacted>): Effect.Effect<Target.Service> =>
  AdminClient.make({ baseUrl: url, token: Option.getOrUndefined(token) }).pipe(
    Effect.provide(FetchHttpClient.layer),
    Effect.map((client): Target.Service => {
      const call = <A, E>(effect: Effect.Effect<A, E>): Effect.Effect<A, CliError.CliError> =>
        effect.pipe(Effect.timeout(timeout), Effect.mapError((error) => explain(url, error)))
      const path = (key: string) => ({ path: { key: encodeURIComponent(key) } })
      const inspect = (key: string) =>
        call(
          client.cache.entry(path(key)).pipe(
            Effect.map((info): Option.Option<Cache.EntryInfo> => Option.some(info)),
            Effect.catchTag("EntryNotFound", () => Effect.succeed(Option.none<Cache.EntryInfo>()))
          )
        )
      return {
        where: url,
        // What a read would serve: a fresh entry, or a stale one in its grace period.
        get: (key) =>
          Effect.map(
            inspect(key),
            Option.flatMap((info) =>
              (info.state === "fresh" || info.state === "stale") && !info.failed
                ? Option.some(JSON.parse(info.value) as unknown)
                : Option.none()
            )
          ),
        set: () =>
          Effect.fail(CliError.usage("set is not available with --remote: the admin API has no write endpoint")),
        delete: (key) => Effect.map(call(client.cache.deleteEntry(path(key))), (result) => result.deleted),
        invalidate: (tags, soft) => {
          const [head, ...rest] = tags
          return head === undefined
            ? Effect.void
            : Effect.asVoid(call(client.cache.invalidate({ payload: { tags: [head, ...rest], soft } })))
        },
        clear: Effect.map(call(client.cache.clear()), (result) => result.cleared),
        inspect,
        keys: ({ limit, prefix }) =>
          Effect.map(
            call(client.cache.entries({ urlParams: { prefix, limit: Math.min(limit, 10_000) } })),
            (list) => list.keys
          ),
        stats: call(client.cache.stats()),
        counters: "the app's, since it started",
        usage: Effect.succeed(Option.none())
      }
    })
  )
