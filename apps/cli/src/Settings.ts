/**
 * Options every command shares (`--store`, `--remote`, `--token`, `--namespace`, `--json`),
 * accepted before or after the command name, with `CACHET_*` environment defaults.
 *
 * @since 0.1.0
 */
import { Command, HelpDoc, Options, ValidationError } from "@effect/cli"
import { Config, Effect, Either, Option, Redacted } from "effect"

import * as CliError from "./CliError.js"
import * as StoreSpec from "./StoreSpec.js"

/**
 * Where the commands act: a store driven in this process, or a running reference app.
 *
 * @since 0.1.0
 * @category models
 */
export type Mode =
  | { readonly _tag: "Local"; readonly store: StoreSpec.StoreSpec }
  | { readonly _tag: "Remote"; readonly url: string; readonly token: Option.Option<Redacted.Redacted> }

/**
 * The resolved settings of one invocation.
 *
 * @since 0.1.0
 * @category models
 */
export interface Settings {
  readonly mode: Mode
  readonly namespace: string
  readonly json: boolean
}

/**
 * The shared options as parsed (each may be given to the root command or to a subcommand).
 *
 * @since 0.1.0
 * @category models
 */
export interface Shared {
  readonly store: Option.Option<StoreSpec.StoreSpec>
  readonly remote: Option.Option<string>
  readonly token: Option.Option<Redacted.Redacted>
  readonly namespace: Option.Option<string>
  readonly json: boolean
}

/**
 * A usage error found while parsing an option or an argument (exit code 2).
 *
 * @since 0.1.0
 * @category errors
 */
export const invalid = (reason: string): ValidationError.ValidationError =>
  ValidationError.invalidValue(HelpDoc.p(reason))

/**
 * The shared options.
 *
 * @since 0.1.0
 * @category options
 */
export const shared = {
  store: Options.text("store").pipe(
    Options.withPseudoName("STORE"),
    Options.withDescription(
      `The store: ${StoreSpec.syntax} (default: CACHET_STORE, else a SQLite file in the user's cache directory).`
    ),
    Options.mapEffect((text) => Either.mapLeft(StoreSpec.parse(text), invalid)),
    Options.optional
  ),
  remote: Options.text("remote").pipe(
    Options.withPseudoName("URL"),
    Options.withDescription(
      "Drive a running reference app through its admin API, e.g. http://localhost:3000 (default: CACHET_REMOTE)."
    ),
    Options.optional
  ),
  token: Options.redacted("token").pipe(
    Options.withPseudoName("TOKEN"),
    Options.withDescription("Bearer token of the admin API (default: CACHET_TOKEN)."),
    Options.optional
  ),
  namespace: Options.text("namespace").pipe(
    Options.withPseudoName("NAME"),
    Options.withDescription("Key namespace of a local cache (default: CACHET_NAMESPACE, else \"cachet\")."),
    Options.optional
  ),
  json: Options.boolean("json").pipe(Options.withDescription("Print JSON instead of tables."))
}

/**
 * The root command: holds the shared options given before a command name.
 *
 * @since 0.1.0
 * @category commands
 */
export const root = Command.make(
  "cachet",
  shared,
  () =>
    Effect.fail(
      CliError.usage(
        "missing command (get, set, del, invalidate, clear, inspect, keys, stats, bench); see cachet --help"
      )
    )
).pipe(
  Command.withDescription("Inspect and drive Cachet caches from a terminal or a script.")
)

const env = (name: string) =>
  Config.option(Config.string(name)).pipe(
    Effect.map(Option.filter((value) => value.trim() !== "")),
    Effect.orElseSucceed(() => Option.none<string>())
  )

/**
 * Resolves the settings of a subcommand: its own options, then the root's, then the
 * environment, then the defaults.
 *
 * @since 0.1.0
 * @category constructors
 */
export const resolve = (
  local: Shared
): Effect.Effect<Settings, CliError.CliError, Command.Command.Context<"cachet">> =>
  Effect.gen(function*() {
    const global: Shared = yield* root
    const pick = <A>(f: (s: Shared) => Option.Option<A>) => Option.orElse(f(local), () => f(global))
    const store = pick((s) => s.store)
    const remote = pick((s) => s.remote)
    const token = pick((s) => s.token)
    const namespace = pick((s) => s.namespace)
    if (Option.isSome(store) && Option.isSome(remote)) {
      return yield* CliError.usage("--store and --remote exclude each other")
    }
    const envNamespace = yield* env("CACHET_NAMESPACE")
    const settings = (mode: Mode): Settings => ({
      mode,
      namespace: Option.getOrElse(Option.orElse(namespace, () => envNamespace), () => "cachet"),
      json: local.json || global.json
    })
    const remoteMode = (url: string) =>
      Effect.gen(function*() {
        const envToken = yield* env("CACHET_TOKEN")
        return settings({
          _tag: "Remote",
          url: yield* parseRemote(url),
          token: Option.orElse(token, () => Option.map(envToken, Redacted.make))
        })
      })
    if (Option.isSome(remote)) return yield* remoteMode(remote.value)
    if (Option.isSome(store)) return settings({ _tag: "Local", store: store.value })
    const envRemote = yield* env("CACHET_REMOTE")
    if (Option.isSome(envRemote)) return yield* remoteMode(envRemote.value)
    const envStore = yield* env("CACHET_STORE")
    if (Option.isSome(envStore)) {
      const spec = StoreSpec.parse(envStore.value)
      if (Either.isLeft(spec)) return yield* CliError.usage(`CACHET_STORE: ${spec.left}`)
      return settings({ _tag: "Local", store: spec.right })
    }
    return settings({ _tag: "Local", store: StoreSpec.defaultSpec() })
  })

const parseRemote = (text: string): Effect.Effect<string, CliError.CliError> => {
  try {
    const url = new URL(text.trim())
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error("not http")
    return Effect.succeed(url.href.replace(/\/$/, ""))
  } catch {
    return Effect.fail(CliError.usage(`invalid --remote URL "${text}" (expected http://HOST:PORT)`))
  }
}
