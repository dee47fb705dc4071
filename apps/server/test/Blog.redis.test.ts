import { Servers } from "@cachet/core/testing"
import { Effect, Exit, Scope } from "effect"

import { blogSuite } from "./BlogSuite.js"

const skip = Servers.skipReason("redis")

blogSuite(
  "redis store, tiered with the bus",
  async () => {
    const scope = Effect.runSync(Scope.make())
    const redis = await Effect.runPromise(Scope.extend(Servers.redis, scope))
    return {
      env: { CACHET_STORE: redis.url },
      teardown: () => Effect.runPromise(Scope.close(scope, Exit.void))
    }
  },
  { skip }
)
