import { Servers, StoreSuite } from "@cachet/core/testing"
import { Effect, Layer } from "effect"

import { RedisStore } from "../src/index.js"
import { tiered } from "./fixtures/tiered.js"

const skip = Servers.skipReason("redis")

const redisLayer = Layer.unwrapScoped(Effect.map(Servers.redis, (server) => RedisStore.layer({ url: server.url })))

StoreSuite.storeSuite("RedisStore", redisLayer, skip === undefined ? {} : { skip })

const tieredLayer = Layer.unwrapScoped(
  Effect.map(Servers.redis, (server) => tiered({ url: server.url, localTtl: "2 seconds" }))
)

StoreSuite.storeSuite("TieredStore (memory + redis)", tieredLayer, skip === undefined ? {} : { skip })
