/**
 * A real Redis Cluster for tests and benchmarks: `redis-server` nodes with
 * `--cluster-enabled yes` on free loopback ports, joined by
 * `redis-cli --cluster create ... --cluster-replicas N --cluster-yes`, removed with the scope.
 * Nodes can be killed, restarted (they rejoin with their config file) and frozen, to test
 * failovers and full restarts. {@link skipReason} says when the binaries are missing.
 *
 * @since 0.1.0
 */
import { type ChildProcess, execFile, spawn } from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"

import type { Scope } from "effect"
import { Effect, Option } from "effect"

import * as Servers from "./Servers.js"

/**
 * One node of the test cluster.
 *
 * @since 0.1.0
 * @category models
 */
export interface Node {
  readonly host: string
  readonly port: number
}

/**
 * A running test cluster.
 *
 * @since 0.1.0
 * @category models
 */
export interface Cluster {
  /** Every node, masters and replicas, as started. */
  readonly nodes: ReadonlyArray<Node>
  /** The nodes that are masters now (they change with failovers). */
  readonly masters: Effect.Effect<ReadonlyArray<Node>, Servers.ServerError>
  /** Runs `redis-cli -p <port> ...args` and returns its output. */
  readonly cli: (port: number, ...args: ReadonlyArray<string>) => Effect.Effect<string, Servers.ServerError>
  /** Kills a node (SIGKILL) and waits for it to exit. */
  readonly kill: (port: number) => Effect.Effect<void>
  /** Starts a killed node again with its config file (it rejoins the cluster). */
  readonly restart: (port: number) => Effect.Effect<void, Servers.ServerError>
  /** Waits until every live node reports `cluster_state:ok`, agrees on the masters, and every replica is in sync. */
  readonly awaitHealthy: Effect.Effect<void, Servers.ServerError>
}

const error = (reason: string) => new Servers.ServerError({ kind: "redis", reason })

/**
 * Why cluster tests must be skipped (`redis-server` or `redis-cli` missing), or `undefined`
 * when they can run (or must, under `CACHET_REQUIRE_SERVERS=1`).
 *
 * @since 0.1.0
 * @category getters
 */
export const skipReason = (): string | undefined => {
  const server = Servers.skipReason("redis")
  if (server !== undefined) return server
  if (Option.isSome(Servers.findBinary("redis-cli")) || Servers.required()) return undefined
  const reason = "redis-cli not found on PATH (install redis-tools, or set CACHET_REQUIRE_SERVERS=1 to fail instead)"
  process.stderr.write(`[cachet] skipping redis cluster tests: ${reason}\n`)
  return reason
}

const run = (binary: string, args: ReadonlyArray<string>): Effect.Effect<string, Servers.ServerError> =>
  Effect.async<string, Servers.ServerError>((resume) => {
    const child = execFile(
      binary,
      [...args],
      { timeout: 15_000 },
      (failure, stdout, stderr) =>
        resume(
          failure === null
            ? Effect.succeed(stdout)
            : Effect.fail(error(`${Path.basename(binary)} ${args.join(" ")}: ${stderr || failure.message}`))
        )
    )
    return Effect.sync(() => child.kill("SIGKILL"))
  })

/**
 * Starts a cluster of `masters` masters with `replicas` replicas each (default 3 and 1) for the
 * life of the scope; `nodeTimeoutMillis` (default 1000) is how long a master may be silent
 * before its replica takes over.
 *
 * @since 0.1.0
 * @category constructors
 */
export const start = (
  options: { readonly masters?: number; readonly replicas?: number; readonly nodeTimeoutMillis?: number } = {}
): Effect.Effect<Cluster, Servers.ServerError, Scope.Scope> =>
  Effect.gen(function*() {
    const server = Servers.findBinary("redis-server")
    const client = Servers.findBinary("redis-cli")
    if (Option.isNone(server) || Option.isNone(client)) {
      return yield* error("redis-server or redis-cli not found on PATH")
    }
    const count = (options.masters ?? 3) * (1 + (options.replicas ?? 1))
    const dir = yield* Effect.acquireRelease(
      Effect.sync(() => Fs.mkdtempSync(Path.join(Os.tmpdir(), "cachet-cluster-"))),
      (dir) => Effect.sync(() => Fs.rmSync(dir, { recursive: true, force: true }))
    )
    const ports: Array<number> = []
    const busPorts: Array<number> = []
    const taken = new Set<number>()
    while (ports.length < count) {
      const port = yield* Servers.freePort
      const bus = yield* Servers.freePort
      if (port === bus || taken.has(port) || taken.has(bus)) continue
      taken.add(port).add(bus)
      ports.push(port)
      busPorts.push(bus)
    }
    const children = new Map<number, ChildProcess>()
    const cli = (port: number, ...args: ReadonlyArray<string>) =>
      run(client.value, ["-h", "127.0.0.1", "-p", String(port), ...args])

    const kill = (port: number): Effect.Effect<void> =>
      Effect.async<void>((resume) => {
        const child = children.get(port)
        children.delete(port)
        if (child === undefined || child.exitCode !== null || child.signalCode !== null) return resume(Effect.void)
        child.once("exit", () => resume(Effect.void))
        child.kill("SIGKILL")
      })

    const launch = (port: number): Effect.Effect<void, Servers.ServerError> =>
      Effect.gen(function*() {
        if (children.has(port)) return
        const i = ports.indexOf(port)
        const child = spawn(server.value, [
          "--port",
          String(port),
          "--cluster-port",
          String(busPorts[i]),
          "--bind",
          "127.0.0.1",
          "--cluster-enabled",
          "yes",
          "--cluster-config-file",
          `nodes-${port}.conf`,
          "--cluster-node-timeout",
          String(options.nodeTimeoutMillis ?? 1_000),
          // A replica may take over whatever the age of its data (tests kill masters at will).
          "--cluster-replica-validity-factor",
          "0",
          "--dir",
          dir,
          "--save",
          "",
          "--appendonly",
          "no",
          "--daemonize",
          "no",
          "--loglevel",
          "warning"
        ], { stdio: "ignore" })
        children.set(port, child)
        process.once("exit", () => child.kill("SIGKILL"))
        for (let attempt = 0; attempt < 500; attempt++) {
          if (child.exitCode !== null) return yield* error(`node ${port} exited (${child.exitCode})`)
          const pong = yield* Effect.either(cli(port, "PING"))
          if (pong._tag === "Right" && pong.right.trim() === "PONG") return
          yield* Effect.sleep(20)
        }
        return yield* error(`node ${port} not ready after 10 s`)
      })

    yield* Effect.addFinalizer(() => Effect.forEach([...children.keys()], kill, { discard: true }))
    yield* Effect.forEach(ports, launch, { discard: true, concurrency: "unbounded" })
    yield* run(client.value, [
      "--cluster",
      "create",
      ...ports.map((port) => `127.0.0.1:${port}`),
      "--cluster-replicas",
      String(options.replicas ?? 1),
      "--cluster-yes"
    ])

    const parseMasters = (text: string): ReadonlyArray<Node> =>
      text.split("\n").flatMap((line) => {
        const fields = line.trim().split(" ")
        if (fields.length < 9 || !fields[2]!.includes("master") || fields[2]!.includes("fail")) return []
        const port = Number(fields[1]!.split("@")[0]!.split(":")[1])
        return [{ host: "127.0.0.1", port }]
      })

    const live = () => ports.filter((port) => children.has(port))
    const masters = Effect.flatMap(
      Effect.suspend(() => cli(live()[0]!, "CLUSTER", "NODES")),
      (text) => Effect.succeed(parseMasters(text).filter((node) => children.has(node.port)))
    )

    const healthy = Effect.gen(function*() {
      const infos = yield* Effect.forEach(live(), (port) => cli(port, "CLUSTER", "INFO"))
      if (!infos.every((info) => info.includes("cluster_state:ok"))) return false
      // Every replica must be in sync with its master, so a failover has something to promote.
      const replication = yield* Effect.forEach(live(), (port) => cli(port, "INFO", "replication"))
      if (
        !replication.every((info) => info.includes("role:master") || info.includes("master_link_status:up"))
      ) return false
      // Every live node must see the same live masters covering all slots.
      const views = yield* Effect.forEach(live(), (port) => cli(port, "CLUSTER", "NODES"))
      const seen = views.map((text) =>
        parseMasters(text).filter((node) => children.has(node.port)).map((n) => n.port).sort().join(",")
      )
      return seen.every((view) => view === seen[0]) && seen[0]!.split(",").length === (options.masters ?? 3)
    })
    const awaitHealthy = Effect.gen(function*() {
      for (let attempt = 0; attempt < 1_500; attempt++) {
        if (yield* Effect.orElseSucceed(healthy, () => false)) return
        yield* Effect.sleep(20)
      }
      return yield* error("cluster not healthy after 30 s")
    })
    yield* awaitHealthy

    return {
      nodes: ports.map((port) => ({ host: "127.0.0.1", port })),
      masters,
      cli,
      kill,
      restart: launch,
      awaitHealthy
    }
  })
