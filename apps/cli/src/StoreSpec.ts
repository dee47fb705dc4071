/**
 * Which store a local command drives, parsed from `--store` / `CACHET_STORE` by the shared
 * specification of `@cachet/stores`. The CLI opens Redis untiered (a short-lived process keeps
 * no memory tier, but its changes are announced on the bus), checks the store answers before
 * running a command, and opens SQLite without creating anything for read-only commands.
 *
 * @since 0.1.0
 */
import * as Os from "node:os"
import * as Path from "node:path"

import type { Store, TagVersions } from "@cachet/core"
import { StoreSpec as Shared } from "@cachet/stores"
import { Either, Layer } from "effect"

import * as CliError from "./CliError.js"

/**
 * A parsed store address.
 *
 * @since 0.1.0
 * @category models
 */
export type StoreSpec = Shared.StoreSpec

/**
 * What `--store` accepts, for help texts and errors.
 *
 * @since 0.1.0
 * @category constants
 */
export const syntax: string = Shared.syntax

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
export const parse = (text: string): Either.Either<StoreSpec, string> => Shared.parse(text)

/**
 * The address of a store, as the user would write it.
 *
 * @since 0.1.0
 * @category utils
 */
export const format: (spec: StoreSpec) => string = Shared.format

/**
 * How a command uses the store: `read` never creates a SQLite file or directory.
 *
 * @since 0.1.0
 * @category models
 */
export type Access = "read" | "write"

/**
 * The store and tag versions of a spec, checked once so an unreachable store is a clear
 * error rather than a silent miss (the cache fails open on store errors).
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  spec: StoreSpec,
  access: Access = "write"
): Layer.Layer<Store.Store | TagVersions.TagVersions, CliError.CliError> =>
  Layer.mapError(
    Shared.layer(spec, { tiered: false, check: true, create: access === "write" }),
    (error) => CliError.failed(error.reason)
  )
