/**
 * The chaos suite's arms: which store the three app processes share, behind which proxies, and
 * which faults the schedule injects. Each starts its real servers for the life of the scope.
 */
import { ChaosProxy, RedisCluster, Servers } from "@cachet/core/testing"
import type { Scope } from "effect"
import { Effect } from "effect"

import { failover, type Fault, linkFaults } from "./faults.js"
import { History } from "./history.js"
import { type AppProcess, spawn } from "./processes.js"
import type { StoreConfig } from "./protocol.js"
import { bound, type Options, settings } from "./workload.js"

/** The arms: a single Redis, a 3-master cluster with replicas, memcached with the Redis bus. */
export type Arm = "redis" | "cluster" | "memcached"

/** Every arm, in the order `npm run chaos` runs them. */
export const arms: ReadonlyArray<Arm> = ["redis", "cluster", "memcached"]

/** Why an arm must be skipped (its servers are missing), or `undefined`. */
export const skipReason = (arm: Arm): string | undefined =>
  arm === "redis"
    ? Servers.skipReason("redis")
    : arm === "cluster"
    ? RedisCluster.skipReason()
    : Servers.skipReason("memcached") ?? Servers.skipReason("redis")

const processCount = 3
const keys = 12

const sum = (proxies: ReadonlyArray<ChaosProxy.ChaosProxy>) => () =>
  proxies.map((proxy) => proxy.counts()).reduce((a, b) => ({
    connections: a.connections + b.connections,
    resets: a.resets + b.resets,
    drops: a.drops + b.drops
  }), { connections: 0, resets: 0, drops: 0 })

const start = (
  store: StoreConfig,
  proxies: ReadonlyArray<ChaosProxy.ChaosProxy>,
  faults: ReadonlyArray<Fault>,
  boundMillis: number
) =>
  Effect.gen(function*() {
    const history = new History(keys)
    const processes: ReadonlyArray<AppProcess> = yield* Effect.all(
      Array.from({ length: processCount }, (_, proc) => spawn(proc, { store, ...settings }, history)),
      { concurrency: "unbounded" }
    )
    return { processes, history, faults, proxyCounts: sum(proxies), boundMillis }
  })

/** Starts an arm's servers, proxies and app processes: the workload's options but its duration. */
export const setUp = (
  arm: Arm
): Effect.Effect<Omit<Options, "durationMillis">, Servers.ServerError, Scope.Scope> => {
  switch (arm) {
    case "redis":
      return Effect.gen(function*() {
        const redis = yield* Servers.redis
        const proxy = yield* ChaosProxy.make(redis)
        return yield* start(
          { _tag: "redis", url: `redis://127.0.0.1:${proxy.port}` },
          [proxy],
          linkFaults([proxy]),
          bound()
        )
      })
    case "cluster":
      return Effect.gen(function*() {
        const cluster = yield* RedisCluster.start({ masters: 3, replicas: 1 })
        // One proxy per node; the nodes announce their own addresses, which natMap maps to the proxies.
        const proxies = yield* Effect.forEach(cluster.nodes, (node) => ChaosProxy.make(node))
        const natMap = Object.fromEntries(
          cluster.nodes.map((node, i) => [`${node.host}:${node.port}`, { host: "127.0.0.1", port: proxies[i]!.port }])
        )
        return yield* start(
          {
            _tag: "cluster",
            nodes: proxies.map((proxy) => ({ host: "127.0.0.1", port: proxy.port })),
            natMap
          },
          proxies,
          // The failover first, so that the short form has one.
          [failover(cluster), ...linkFaults(proxies)],
          // A cluster's processes also trust a cached tag version for `versionTtl` (1 s).
          bound(1_000)
        )
      })
    case "memcached":
      return Effect.gen(function*() {
        const memcached = yield* Servers.memcached
        const redis = yield* Servers.redis
        const proxies = [yield* ChaosProxy.make(memcached), yield* ChaosProxy.make(redis)]
        return yield* start(
          {
            _tag: "memcached",
            servers: `127.0.0.1:${proxies[0]!.port}`,
            busUrl: `redis://127.0.0.1:${proxies[1]!.port}`
          },
          proxies,
          linkFaults(proxies),
          bound()
        )
      })
  }
}
