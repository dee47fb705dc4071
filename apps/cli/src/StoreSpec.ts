/**
 * Which store a local command drives: `memory`, `sqlite:PATH`, `redis://URL` or
 * `memcached://HOST:PORT[,HOST:PORT...]`, parsed from `--store` / `CACHET_STORE`.
 *
 * @since 0.1.0
 */
import { MemoryStore, Store, TagVersions } from "@cachet/core"
import { MemcachedStore } from "@cachet/memcached"
import { RedisStore } from "@cachet/redis"
import { SqliteStore } from "@cachet/sqlite"
import { Cause, Duration, Effect, Either, Layer } from "effect"
import * as Fs from "node:fs"
import * as Net from "node:net"
import * as Os from "node:os"
import * as Path from "node:path"
import * as CliError from "./CliError.js"

/**
 * A parsed store address.
 *
 * @since 0.1.0
 * @category models
 */
export type StoreSpec =
  | { readonly _tag: "Memory" }
  | { readonly _tag: "Sqlite"; readonly filename: string }
  | { readonly _tag: "Redis"; readonly url: string }
  | { readonly _tag: "Memcached"; readonly servers: string }

/**
 * What `--store` accepts, for help texts and errors.
 *
 * @since 0.1.0
 * @category constants
 */
export const syntax = "memory | sqlite:PATH | redis://URL | memcached://HOST:PORT"

/**
 * The default store: a SQLite file in the user's cache directory, so values persist between
 * runs (`$XDG_CACHE_HOME/cachet/cachet.db`, else `~/.cache/cachet/cachet.db`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const defaultSpec = (env: NodeJS.ProcessEnv = process.env): StoreSpec => {
  const base = env.XDG_CACHE_HOME !== undefined && env.XDG_CACHE_HOME !== ""
    ? env.XDG_CACHE_HOME
    : Path.join(Os.homedir(), ".cache")
  return { _tag: "Sqlite", filename: Path.join(base, "cachet", "cachet.db") }
}

/**
 * Parses a store address; the error is a one-line reason.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parse = (text: string): Either.Either<StoreSpec, string> => {
  const value = text.trim()
  if (value === "memory") return Either.right({ _tag: "Memory" })
  if (value.startsWith("sqlite:")) {
    const filename = value.slice("sqlite:".length).replace(/^\/\/(?=\/)/, "")
    return filename === ""
      ? Either.left(`sqlite store needs a file: sqlite:PATH`)
      : Either.right({ _tag: "Sqlite", filename: Path.resolve(filename) })
  }
  if (value.startsWith("redis://") || value.startsWith("rediss://")) {
    try {
      new URL(value)
    } catch {
      return Either.left(`invalid redis URL: ${value}`)
    }
    return Either.right({ _tag: "Redis", url: value })
  }
  if (value.startsWith("memcached://")) {
    const servers = value.slice("memcached://".length).replace(/\/$/, "")
    const valid = servers.split(",").every((server) => /^[^\s:,/]+:\d{1,5}$/.test(server))
    return valid
      ? Either.right({ _tag: "Memcached", servers })
      : Either.left(`invalid memcached address: ${value} (expected memcached://HOST:PORT)`)
  }
  return Either.left(`unknown store "${value}" (expected ${syntax})`)
}

/**
 * The address of a store, as the user would write it.
 *
 * @since 0.1.0
 * @category utils
 */
export const format = (spec: StoreSpec): string => {
  switch (spec._tag) {
    case "Memory":
      return "memory"
    case "Sqlite":
      return `sqlite:${spec.filename}`
    case "Redis":
      return spec.url
    case "Memcached":
      return `memcached://${spec.servers}`
  }
}

/** `mkdir -p` one level at a time (Node's recursive mkdirSync never returns on some pseudo file systems). */
const makeDirectory = (dir: string): void => {
  if (Fs.existsSync(dir)) return
  makeDirectory(Path.dirname(dir))
  Fs.mkdirSync(dir)
}

/** Opens and closes a TCP connection: the clear reason (ECONNREFUSED, ENOTFOUND) a client hides. */
const connect = (host: string, port: number): Effect.Effect<void, string> =>
  Effect.async<void, string>((resume) => {
    const socket = Net.connect({ host, port })
    const done = (error?: Error) => {
      socket.removeAllListeners()
      socket.destroy()
      resume(error === undefined ? Effect.void : Effect.fail(error.message))
    }
    socket.setTimeout(3_000, () => done(new Error(`no answer from ${host}:${port} within 3 s`)))
    socket.once("connect", () => done())
    socket.once("error", done)
    return Effect.sync(() => socket.destroy())
  })

/** The servers of a networked store, as host and port. */
const endpoints = (spec: StoreSpec): ReadonlyArray<readonly [string, number]> => {
  switch (spec._tag) {
    case "Redis": {
      const url = new URL(spec.url)
      return [[url.hostname.replace(/^\[|\]$/g, "") || "127.0.0.1", Number(url.port || 6379)]]
    }
    case "Memcached":
      return spec.servers.split(",").map((server) => {
        const at = server.lastIndexOf(":")
        return [server.slice(0, at), Number(server.slice(at + 1))] as const
      })
    default:
      return []
  }
}

const raw = (spec: StoreSpec): Layer.Layer<Store.Store | TagVersions.TagVersions, unknown> => {
  switch (spec._tag) {
    case "Memory":
      return MemoryStore.layer()
    case "Sqlite":
      return Layer.unwrapEffect(
        Effect.try({ try: () => makeDirectory(Path.dirname(spec.filename)), catch: (error) => error }).pipe(
          Effect.as(SqliteStore.layer({ filename: spec.filename }))
        )
      )
    case "Redis":
      return RedisStore.layer({ url: spec.url })
    case "Memcached":
      return MemcachedStore.layer({ servers: spec.servers })
  }
}

/**
 * The store and tag versions of a spec, checked once so an unreachable store is a clear
 * error rather than a silent miss (the cache fails open on store errors).
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (spec: StoreSpec): Layer.Layer<Store.Store | TagVersions.TagVersions, CliError.CliError> => {
  const where = format(spec)
  const reachable = Effect.forEach(endpoints(spec), ([host, port]) => connect(host, port), { discard: true }).pipe(
    Effect.mapError((reason) => CliError.failed(`cannot reach store ${where} (${reason})`))
  )
  return Layer.provideMerge(raw(spec), Layer.effectDiscard(reachable)).pipe(
    Layer.tap((context) =>
      TagVersions.TagVersions.pipe(
        Effect.flatMap((versions) => versions.counter),
        Effect.provide(context),
        Effect.timeoutFail({
          duration: Duration.seconds(5),
          onTimeout: () => CliError.failed(`store ${where} did not answer within 5 s`)
        })
      )
    ),
    // Failures and defects alike (a SQLite file that cannot be opened is a defect of its client).
    Layer.catchAllCause((cause) => {
      const error = Cause.squash(cause)
      return Layer.fail(
        error instanceof CliError.CliError
          ? error
          : CliError.failed(
            `${spec._tag === "Redis" || spec._tag === "Memcached" ? "cannot reach" : "cannot open"} store ${where} (${CliError.describe(error)})`
          )
      )
    })
  )
}
