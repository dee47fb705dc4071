/**
 * One store specification for every app: a text names the store (`memory`, `sqlite:PATH`,
 * `redis://…`, `redis+cluster://HOST:PORT[,HOST:PORT]`, `memcached://HOST:PORT[,HOST:PORT]`),
 * `parse` reads it, `describe` prints it
 * without secrets, and `layer` builds its `Store` and `TagVersions`. The reference server and
 * the CLI share these semantics; where they legitimately differ it is an option of `layer`
 * (`tiered`, `create`, `check`).
 *
 * @since 0.1.0
 */
import type { MemoryStore, Store, TagVersions } from "@cachet/core"
import { Setting } from "@cachet/core"
import type { Duration, Layer } from "effect"
import { Config, ConfigError, Either, Option } from "effect"

import * as internalLayer from "./internal/layer.js"
import * as internal from "./internal/parse.js"
import type { StoreOpenError } from "./internal/storeOpenError.js"

/**
 * A parsed store specification. A SQLite `filename` is kept as written (relative paths are
 * resolved against the working directory when the store is opened).
 *
 * @since 0.1.0
 * @category models
 */
export type StoreSpec =
  | { readonly _tag: "Memory" }
  | { readonly _tag: "Sqlite"; readonly filename: string }
  | { readonly _tag: "Redis"; readonly url: string }
  | {
    readonly _tag: "RedisCluster"
    /** The specification as written (`redis+cluster://[user:password@]host:port,host:port`). */
    readonly url: string
    readonly nodes: ReadonlyArray<{ readonly host: string; readonly port: number }>
    readonly username?: string
    readonly password?: string
  }
  | { readonly _tag: "Memcached"; readonly servers: string }

/**
 * What a specification may be, for help texts and errors.
 *
 * @since 0.1.0
 * @category constants
 */
export const syntax: string = internal.syntax

/**
 * Reads a specification; the error is a one-line reason. Surrounding blanks are ignored; an
 * empty text is an error unless `options.empty` says what it stands for (an app's default).
 *
 * @example
 * ```ts
 * import { StoreSpec } from "@cachet/stores"
 * import { Either } from "effect"
 *
 * // the store, without secrets; or a one-line reason and the syntax expected
 * export const described = Either.match(StoreSpec.parse("sqlite:data/cache.db"), {
 *   onLeft: (reason) => `bad store: ${reason}; expected ${StoreSpec.syntax}`,
 *   onRight: StoreSpec.describe
 * })
 * ```
 *
 * @since 0.1.0
 * @category parsing
 */
export const parse = (text: string, options: { readonly empty?: StoreSpec } = {}): Either.Either<StoreSpec, string> =>
  text.trim() === "" && options.empty !== undefined ? Either.right(options.empty) : internal.parse(text)

/**
 * The specification as a user would write it (round-trips through `parse`; keeps passwords).
 *
 * @since 0.1.0
 * @category utils
 */
export const format: (spec: StoreSpec) => string = internal.format

/**
 * A one-line description for logs and health checks, without secrets.
 *
 * @since 0.1.0
 * @category utils
 */
export const describe = (spec: StoreSpec, options: Pick<LayerOptions, "tiered"> = {}): string =>
  internal.describe(spec, options.tiered === true)

/**
 * The environment variable naming the store (`CACHET_STORE`).
 *
 * @since 0.1.0
 * @category constants
 */
export const envName: string = Setting.name("STORE")

/**
 * The store from config: `CACHET_STORE`; unset or empty gives `fallback`.
 *
 * @since 0.1.0
 * @category config
 */
export const config = (fallback: StoreSpec): Config.Config<StoreSpec> =>
  Config.option(Config.string(envName)).pipe(
    Config.map(Option.getOrElse(() => "")),
    Config.mapOrFail((text) =>
      Either.mapLeft(parse(text, { empty: fallback }), (reason) => ConfigError.InvalidData([envName], reason))
    )
  )

/**
 * How an app opens its store.
 *
 * @since 0.1.0
 * @category models
 */
export interface LayerOptions {
  /**
   * Redis (node or cluster) only: a per-process memory tier in front of Redis, coherent through the bus (for
   * long-lived servers; default false). Untiered, every change is still announced on the bus
   * so tiered processes sharing the Redis stay coherent.
   */
  readonly tiered?: boolean
  /** How long the memory tier may hold an entry or a tag version (default 5 s). */
  readonly localTtl?: Duration.DurationInput
  /**
   * SQLite only: create the file and its directories when missing (default true). With
   * `false` (read-only use), nothing is created and a missing file opens as an empty store.
   */
  readonly create?: boolean
  /**
   * Reach the store once while opening it, failing with a clear reason when it does not answer (default false: fail
   * open).
   */
  readonly check?: boolean
  /** `memory` only: the bounds of the store (entries, bytes). */
  readonly memory?: MemoryStore.Options
  /** Redis only: the prefix of every key (default `cachet:`). */
  readonly keyPrefix?: string
}

export {
  /**
   * The store of a specification could not be opened or reached.
   *
   * @since 0.1.0
   * @category errors
   */
  StoreOpenError
} from "./internal/storeOpenError.js"

/**
 * The `Store` and `TagVersions` of a specification.
 *
 * @example
 * ```ts
 * import { Cache } from "@cachet/core"
 * import { StoreSpec } from "@cachet/stores"
 * import { Effect, Layer } from "effect"
 *
 * // The store named by CACHET_STORE (or CACHE_STORE), in memory when neither is set.
 * const CacheLive = Layer.unwrapEffect(
 *   Effect.map(StoreSpec.config({ _tag: "Memory" }), (spec) =>
 *     Cache.layer().pipe(Layer.provide(StoreSpec.layer(spec, { check: true }))))
 * )
 *
 * const program = Effect.gen(function*() {
 *   const cache = yield* Cache.Cache
 *   return yield* cache.getOrFetch(["answer"], Effect.succeed(42))
 * })
 *
 * export const result = await Effect.runPromise(program.pipe(Effect.provide(CacheLive)))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  spec: StoreSpec,
  options: LayerOptions = {}
): Layer.Layer<Store.Store | TagVersions.TagVersions, StoreOpenError> => internalLayer.layer(spec, options)
