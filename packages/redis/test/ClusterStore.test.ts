import { RedisCluster, StoreSuite } from "@cachet/core/testing"
import { Layer } from "effect"
import { Effect } from "effect"
import { RedisStore, TieredStore } from "../src/index.js"
import { cluster } from "./fixtures/sharedCluster.js"

const skip = RedisCluster.skipReason()
const options = skip === undefined ? { timeout: 30_000 } : { skip }

StoreSuite.storeSuite(
  "RedisStore on a 3-master cluster",
  Layer.unwrapEffect(Effect.map(cluster, ({ nodes }) => RedisStore.layer({ cluster: nodes }))),
  options
)

StoreSuite.storeSuite(
  "TieredStore (memory + redis cluster)",
  Layer.unwrapEffect(Effect.map(cluster, ({ nodes }) => TieredStore.layer({ cluster: nodes, localTtl: "2 seconds" }))),
  options
)
