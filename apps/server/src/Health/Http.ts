/**
 * @since 0.1.0
 */
import { Cache } from "@cachet/core"
import { HttpApiBuilder } from "@effect/platform"
import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

import { Api } from "../Api.js"
import { Health } from "./Api.js"

/**
 * @since 0.1.0
 * @category layers
 */
export const HttpHealthLive = HttpApiBuilder.group(Api, "health", (handlers) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const cache = yield* Cache.Cache
    return handlers.handle("health", () =>
      Effect.gen(function*() {
        yield* Effect.orDie(sql`SELECT 1`)
        const stats = yield* cache.stats
        return new Health({ status: "ok", database: "ok", cache: { store: stats.store, breaker: stats.breaker } })
      }))
  }))
