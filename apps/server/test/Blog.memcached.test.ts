import { Servers } from "@cachet/core/testing"
import { Effect, Exit, Scope } from "effect"

import { blogSuite } from "./BlogSuite.js"

const skip = Servers.skipReason("memcached")

blogSuite(
  "memcached store",
  async () => {
    const scope = Effect.runSync(Scope.make())
    const memcached = await Effect.runPromise(Scope.extend(Servers.memcached, scope))
    return {
      env: { CACHET_STORE: `memcached://${memcached.url}` },
      teardown: () => Effect.runPromise(Scope.close(scope, Exit.void))
    }
  },
  { skip }
)
