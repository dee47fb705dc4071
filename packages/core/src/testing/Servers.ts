/**
 * Real servers for tests: starts `redis-server` or `memcached` on a free loopback port as a
 * scoped resource, waits until it accepts connections, and kills it when the scope closes.
 * A test file asks {@link skipReason} first: where the binary is missing its suites are skipped
 * with a printed reason, unless `CACHET_REQUIRE_SERVERS=1`, in which case they run and fail.
 *
 * @since 0.1.0
 */
import { type ChildProcess, spawn } from "node:child_process"
import * as Fs from "node:fs"
import * as Net from "node:net"
import * as Path from "node:path"

import type { Scope } from "effect"
import { Data, Effect, Option } from "effect"

/**
 * The servers this helper can start.
 *
 * @since 0.1.0
 * @category models
 */
export type Kind = "redis" | "memcached"

/**
 * A server process started for a test. It can be stopped and started again on the same port,
 * to test how clients survive an outage.
 *
 * @since 0.1.0
 * @category models
 */
export interface Server {
  readonly kind: Kind
  readonly host: string
  readonly port: number
  /** `redis://127.0.0.1:<port>` for Redis, `127.0.0.1:<port>` for Memcached. */
  readonly url: string
  /** Kills the process (SIGKILL, like a crash) and waits for it to exit. */
  readonly stop: Effect.Effect<void>
  /** Starts the process again on the same port (no-op when it runs) and waits until it is ready. */
  readonly start: Effect.Effect<void, ServerError>
  /** Freezes the process (SIGSTOP): connections stay open but nothing answers, like a hung server. */
  readonly pause: Effect.Effect<void>
  /** Thaws a paused process (SIGCONT). */
  readonly resume: Effect.Effect<void>
}

/**
 * A server could not be started.
 *
 * @since 0.1.0
 * @category errors
 */
export class ServerError extends Data.TaggedError("ServerError")<{
  readonly kind: Kind
  readonly reason: string
}> {
  override get message(): string {
    return `${this.kind} server: ${this.reason}`
  }
}

const binaries: Record<Kind, string> = { redis: "redis-server", memcached: "memcached" }

/**
 * Where a binary is, searching `PATH` and the usual system directories.
 *
 * @since 0.1.0
 * @category getters
 */
export const findBinary = (name: string): Option.Option<string> => {
  const dirs = [...(process.env.PATH ?? "").split(Path.delimiter), "/usr/local/bin", "/usr/bin", "/usr/sbin", "/bin"]
  for (const dir of dirs) {
    if (dir === "") continue
    const candidate = Path.join(dir, name)
    try {
      Fs.accessSync(candidate, Fs.constants.X_OK)
      return Option.some(candidate)
    } catch {
      // not here
    }
  }
  return Option.none()
}

/**
 * Whether servers are required (`CACHET_REQUIRE_SERVERS=1`): then a missing binary fails the
 * tests instead of skipping them.
 *
 * @since 0.1.0
 * @category getters
 */
export const required = (): boolean => process.env.CACHET_REQUIRE_SERVERS === "1"

const reported = new Set<Kind>()

/**
 * Why tests needing this server must be skipped, or `undefined` when they can run (the binary
 * is present, or servers are required so a missing one must fail). Prints the reason once.
 *
 * @since 0.1.0
 * @category getters
 */
export const skipReason = (kind: Kind): string | undefined => {
  if (Option.isSome(findBinary(binaries[kind])) || required()) return undefined
  const reason = `${binaries[kind]} not found on PATH (install it, or set CACHET_REQUIRE_SERVERS=1 to fail instead)`
  if (!reported.has(kind)) {
    reported.add(kind)
    process.stderr.write(`[cachet] skipping ${kind} tests: ${reason}\n`)
  }
  return reason
}

/**
 * A free TCP port on 127.0.0.1.
 *
 * @since 0.1.0
 * @category constructors
 */
export const freePort: Effect.Effect<number> = Effect.async<number>((resume) => {
  const server = Net.createServer()
  server.unref()
  server.listen(0, "127.0.0.1", () => {
    const address = server.address()
    const port = typeof address === "object" && address !== null ? address.port : 0
    server.close(() => resume(Effect.succeed(port)))
  })
})

const canConnect = (port: number): Effect.Effect<boolean> =>
  Effect.async<boolean>((resume) => {
    const socket = Net.connect({ host: "127.0.0.1", port })
    const done = (ok: boolean) => {
      socket.removeAllListeners()
      socket.destroy()
      resume(Effect.succeed(ok))
    }
    socket.once("connect", () => done(true))
    socket.once("error", () => done(false))
    return Effect.sync(() => socket.destroy())
  })

const live = new Set<ChildProcess>()
let exitHookInstalled = false
const installExitHook = () => {
  if (exitHookInstalled) return
  exitHookInstalled = true
  // A crashed test run must not leave servers behind.
  process.once("exit", () => {
    for (const child of live) child.kill("SIGKILL")
  })
}

const argsFor = (kind: Kind, port: number): Array<string> =>
  kind === "redis"
    ? [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--save",
      "",
      "--appendonly",
      "no",
      "--daemonize",
      "no",
      "--loglevel",
      "warning"
    ]
    : [
      "-l",
      "127.0.0.1",
      "-p",
      String(port),
      "-U",
      "0",
      "-m",
      "64",
      ...(process.getuid?.() === 0 ? ["-u", "root"] : [])
    ]

/**
 * Starts a server on a free loopback port for the life of the scope.
 *
 * @since 0.1.0
 * @category constructors
 */
export const start = (kind: Kind): Effect.Effect<Server, ServerError, Scope.Scope> =>
  Effect.gen(function*() {
    const binary = findBinary(binaries[kind])
    if (Option.isNone(binary)) {
      return yield* new ServerError({ kind, reason: `${binaries[kind]} not found on PATH` })
    }
    const port = yield* freePort
    let child: ChildProcess | undefined
    let output = ""

    const stop: Effect.Effect<void> = Effect.async<void>((resume) => {
      const current = child
      child = undefined
      if (current === undefined || current.exitCode !== null || current.signalCode !== null) {
        if (current !== undefined) live.delete(current)
        return resume(Effect.void)
      }
      current.once("exit", () => {
        live.delete(current)
        resume(Effect.void)
      })
      current.kill("SIGKILL")
    })

    const startOnce: Effect.Effect<void, ServerError> = Effect.gen(function*() {
      if (child !== undefined && child.exitCode === null) return
      installExitHook()
      output = ""
      const spawned = spawn(binary.value, argsFor(kind, port), { stdio: ["ignore", "pipe", "pipe"] })
      spawned.stdout?.on("data", (chunk) => output = (output + String(chunk)).slice(-4000))
      spawned.stderr?.on("data", (chunk) => output = (output + String(chunk)).slice(-4000))
      spawned.on("error", (error) => output += `\n${String(error)}`)
      child = spawned
      live.add(spawned)
      for (let attempt = 0; attempt < 500; attempt++) {
        if (spawned.exitCode !== null || spawned.signalCode !== null) {
          live.delete(spawned)
          return yield* new ServerError({
            kind,
            reason: `exited (${spawned.exitCode ?? spawned.signalCode}): ${output.trim()}`
          })
        }
        if (yield* canConnect(port)) return
        yield* Effect.sleep(20)
      }
      return yield* new ServerError({ kind, reason: `not ready on port ${port} after 10 s: ${output.trim()}` })
    }).pipe(Effect.onError(() => stop))

    const signal = (name: NodeJS.Signals) => Effect.sync(() => void child?.kill(name))
    // A port taken between probing and binding: retry once on a fresh start.
    yield* Effect.acquireRelease(startOnce.pipe(Effect.retry({ times: 2 })), () =>
      Effect.zipRight(signal("SIGCONT"), stop))
    return {
      kind,
      host: "127.0.0.1",
      port,
      url: kind === "redis" ? `redis://127.0.0.1:${port}` : `127.0.0.1:${port}`,
      stop,
      start: startOnce,
      pause: signal("SIGSTOP"),
      resume: signal("SIGCONT")
    }
  })

/**
 * Starts `redis-server` for the life of the scope.
 *
 * @since 0.1.0
 * @category constructors
 */
export const redis: Effect.Effect<Server, ServerError, Scope.Scope> = start("redis")

/**
 * Starts `memcached` for the life of the scope.
 *
 * @since 0.1.0
 * @category constructors
 */
export const memcached: Effect.Effect<Server, ServerError, Scope.Scope> = start("memcached")
