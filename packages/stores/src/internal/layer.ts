import * as Fs from "node:fs"
import * as Net from "node:net"
import * as Path from "node:path"

import { Bus, MemoryStore, Store, TagVersions, TieredStore } from "@cachet/core"
import { MemcachedStore } from "@cachet/memcached"
import { RedisBus, RedisClient, RedisStore } from "@cachet/redis"
import { SqliteStore } from "@cachet/sqlite"
import { Cause, Duration, Effect, Layer } from "effect"

import type { LayerOptions, StoreSpec } from "../StoreSpec.js"
import { endpoints, format } from "./parse.js"
import { StoreOpenError } from "./storeOpenError.js"

type Services = Store.Store | TagVersions.TagVersions

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

const sqlite = (filename: string, create: boolean): Layer.Layer<Services, unknown> => {
  const file = Path.resolve(filename)
  if (!create) {
    // Read-only use: never create a directory or a file; a missing file is an empty store.
    return Layer.unwrapEffect(
      Effect.sync(() => Fs.existsSync(file) ? SqliteStore.layer({ filename: file }) : MemoryStore.layer())
    )
  }
  return Layer.unwrapEffect(
    Effect.try({ try: () => makeDirectory(Path.dirname(file)), catch: (error) => error }).pipe(
      Effect.as(SqliteStore.layer({ filename: file }))
    )
  )
}

/**
 * Redis with the bus: tiered (a memory tier per process), or announcing only (every change
 * published, so other processes' tiers stay coherent with a process that keeps none).
 */
const redis = (connection: RedisClient.Options, options: LayerOptions): Layer.Layer<Services> => {
  const tiering: Layer.Layer<Services, never, Services | Bus.Bus> = options.tiered === true
    ? TieredStore.layer(options.localTtl === undefined ? {} : { localTtl: options.localTtl })
    : Layer.effectContext(Effect.gen(function*() {
      const remote = { store: yield* Store.Store, tagVersions: yield* TagVersions.TagVersions }
      return Store.context(TieredStore.announcing(remote, yield* Bus.Bus))
    }))
  // Tiered, the tiers cache tag versions themselves: under them, the raw store.
  const remote = options.tiered === true
    ? Layer.effectContext(Effect.map(RedisStore.make, Store.context))
    : RedisStore.layerClient
  return tiering.pipe(
    Layer.provide(Layer.merge(remote, RedisBus.layerClient)),
    Layer.provide(RedisClient.layer(connection))
  )
}

const raw = (spec: StoreSpec, options: LayerOptions): Layer.Layer<Services, unknown> => {
  switch (spec._tag) {
    case "Memory":
      return MemoryStore.layer(options.memory ?? {})
    case "Sqlite":
      return sqlite(spec.filename, options.create !== false)
    case "Redis":
      return redis(
        { url: spec.url, ...(options.keyPrefix === undefined ? {} : { keyPrefix: options.keyPrefix }) },
        options
      )
    case "RedisCluster":
      return redis({
        cluster: spec.nodes,
        ...(spec.username === undefined ? {} : { username: spec.username }),
        ...(spec.password === undefined ? {} : { password: spec.password }),
        ...(options.keyPrefix === undefined ? {} : { keyPrefix: options.keyPrefix })
      }, options)
    case "Memcached":
      return MemcachedStore.layer({ servers: spec.servers })
  }
}

const isNetworked = (spec: StoreSpec) => spec._tag !== "Memory" && spec._tag !== "Sqlite"

/**
 * The store and tag versions of a spec; with `check`, reached once (every server accepts a
 * connection and the tag counter answers within 5 s) so an unreachable store is a clear error.
 * @internal
 */
export const layer = (spec: StoreSpec, options: LayerOptions): Layer.Layer<Services, StoreOpenError> => {
  const where = format(spec)
  const fail = (reason: string) => new StoreOpenError({ store: where, reason })
  const built = raw(spec, options)
  const checked = options.check !== true ? built : Layer.provideMerge(
    built,
    Layer.effectDiscard(
      Effect.forEach(endpoints(spec), ({ host, port }) => connect(host, port), { discard: true }).pipe(
        Effect.mapError((reason) => fail(`cannot reach store ${where} (${reason})`))
      )
    )
  ).pipe(
    Layer.tap((context) =>
      TagVersions.TagVersions.pipe(
        Effect.flatMap((versions) => versions.counter),
        Effect.provide(context),
        Effect.timeoutFail({
          duration: Duration.seconds(5),
          onTimeout: () => fail(`store ${where} did not answer within 5 s`)
        })
      )
    )
  )
  // Failures and defects alike (a SQLite file that cannot be opened is a defect of its client).
  return checked.pipe(
    Layer.catchAllCause((cause) => {
      const error = Cause.squash(cause)
      if (error instanceof StoreOpenError) return Layer.fail(error)
      const detail = error instanceof Error ? error.message : String(error)
      return Layer.fail(fail(`${isNetworked(spec) ? "cannot reach" : "cannot open"} store ${where} (${detail})`))
    })
  )
}
