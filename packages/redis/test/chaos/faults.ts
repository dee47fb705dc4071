/**
 * The chaos suite's faults: what the proxies between the app processes and the store do to the
 * link, and (on a cluster) a master killed and failed over. A schedule injects them in turn, a
 * quiet second between two, and records each one's window for the checker.
 */
import type { ChaosProxy, RedisCluster } from "@cachet/core/testing"
import { Duration, Effect } from "effect"

import type { History } from "./history.js"

/** One fault: `prepare` runs before its window, `inject` is the window, `after` follows it. */
export interface Fault {
  readonly name: string
  readonly prepare?: Effect.Effect<void>
  /** Injects the fault and returns when it no longer holds (healed, or failed over). */
  readonly inject: Effect.Effect<void>
  readonly after?: Effect.Effect<void>
}

const onAll = (
  proxies: ReadonlyArray<ChaosProxy.ChaosProxy>,
  f: (proxy: ChaosProxy.ChaosProxy) => Effect.Effect<void>
) => Effect.forEach(proxies, f, { discard: true })

/** A fault of the link: applied to every proxy for `millis`, then healed. */
const link = (
  name: string,
  millis: number,
  apply: (proxy: ChaosProxy.ChaosProxy) => Effect.Effect<void>
) =>
(proxies: ReadonlyArray<ChaosProxy.ChaosProxy>): Fault => ({
  name,
  inject: onAll(proxies, apply).pipe(
    Effect.zipRight(Effect.sleep(Duration.millis(millis))),
    Effect.ensuring(onAll(proxies, (proxy) => proxy.heal))
  )
})

/** The faults of the link, in the order the schedule injects them. */
export const linkFaults = (proxies: ReadonlyArray<ChaosProxy.ChaosProxy>): ReadonlyArray<Fault> =>
  [
    link("latency 20 ms + jitter 40 ms", 1_500, (proxy) =>
      Effect.sync(() => {
        proxy.faults.latencyMillis = 20
        proxy.faults.jitterMillis = 40
      })),
    link("reset every connection", 1_000, (proxy) => proxy.reset),
    link("drop connections (1% of chunks)", 1_500, (proxy) => Effect.sync(() => proxy.faults.dropRate = 0.01)),
    link("blackhole (partition)", 1_500, (proxy) => Effect.sync(() => proxy.faults.blackhole = true)),
    link("slow close (500 ms)", 1_000, (proxy) => proxy.slowClose(500))
  ].map((fault) => fault(proxies))

/**
 * A master killed (SIGKILL): the window lasts until its replica has taken over (every slot served
 * by a live master again); the dead node is then restarted and rejoins as a replica, and the
 * next failover waits for the cluster to be healthy first.
 */
export const failover = (cluster: RedisCluster.Cluster): Fault => {
  let killed: number | undefined
  return {
    name: "master killed (failover)",
    prepare: Effect.orDie(cluster.awaitHealthy),
    inject: Effect.gen(function*() {
      const masters = yield* cluster.masters
      const victim = masters[Math.floor(Math.random() * masters.length)]!
      killed = victim.port
      yield* cluster.kill(victim.port)
      for (let attempt = 0; attempt < 600; attempt++) {
        const now = yield* Effect.either(cluster.masters)
        const info = yield* Effect.either(cluster.cli(now._tag === "Right" ? now.right[0]!.port : 0, "CLUSTER", "INFO"))
        if (
          now._tag === "Right" && now.right.length === masters.length &&
          !now.right.some((node) => node.port === victim.port) &&
          info._tag === "Right" && info.right.includes("cluster_state:ok")
        ) return
        yield* Effect.sleep("50 millis")
      }
      return yield* Effect.dieMessage("no failover within 30 s")
    }).pipe(Effect.orDie),
    after: Effect.suspend(() => killed === undefined ? Effect.void : Effect.orDie(cluster.restart(killed)))
  }
}

/** Injects `faults` in turn until `deadline` (Date.now), recording windows and counts in the history. */
export const schedule = (
  faults: ReadonlyArray<Fault>,
  deadline: number,
  history: History,
  injected: Record<string, number>,
  state: { inFault: boolean }
): Effect.Effect<void> =>
  Effect.gen(function*() {
    let i = 0
    while (Date.now() + 3_000 < deadline) {
      const fault = faults[i++ % faults.length]!
      yield* Effect.sleep("1 second")
      if (fault.prepare !== undefined) yield* fault.prepare
      const start = performance.now()
      state.inFault = true
      injected[fault.name] = (injected[fault.name] ?? 0) + 1
      yield* fault.inject
      state.inFault = false
      history.faultWindows.push({ name: fault.name, start, end: performance.now() })
      if (fault.after !== undefined) yield* fault.after
    }
  })
