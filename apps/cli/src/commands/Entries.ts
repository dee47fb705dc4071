/**
 * Commands on single entries: `get`, `set`, `del`, `inspect`, and `keys`.
 *
 * @since 0.1.0
 */
import { Command, Options } from "@effect/cli"
import { Console, Effect, Option } from "effect"

import * as CliError from "../CliError.js"
import * as Flags from "../Flags.js"
import * as Output from "../Output.js"
import * as Settings from "../Settings.js"
import * as Target from "../Target.js"

/**
 * `cachet get <key>`: the value, or exit code 1 and "not found" on stderr.
 *
 * @since 0.1.0
 * @category commands
 */
export const get = Command.make(
  "get",
  { ...Settings.shared, key: Flags.key },
  (config) =>
    Target.use(config, (target, settings) =>
      Effect.flatMap(target.get(config.key), (found) =>
        Option.match(found, {
          onNone: () => Effect.fail(CliError.notFound(config.key)),
          onSome: (value) => (settings.json ? Output.json(value) : Console.log(Output.value(value)))
        })), { readOnly: true })
).pipe(Command.withDescription("Print the value of a key (exit code 1 when it is not cached)."))

/**
 * `cachet set <key> <json> [--ttl 60s] [--grace 1h] [--tag users/1 ...]`.
 *
 * @since 0.1.0
 * @category commands
 */
export const set = Command.make(
  "set",
  {
    ...Settings.shared,
    ttl: Flags.duration(
      "ttl",
      "How long the value is fresh, e.g. 60s, 5m, 1h or forever (default 5m; at most 10 years).",
      {
        positive: true
      }
    ),
    grace: Flags.duration(
      "grace",
      "How long past its ttl the value may still be served stale (default 0; at most 10 years)."
    ),
    tags: Flags.tags,
    key: Flags.key,
    value: Flags.jsonValue
  },
  (config) =>
    Target.use(config, (target, settings) =>
      Effect.gen(function*() {
        yield* target.set(config.key, config.value, { ttl: config.ttl, grace: config.grace, tags: config.tags })
        const info = yield* target.inspect(config.key)
        if (settings.json) {
          return yield* Output.json({
            key: config.key,
            stored: Option.isSome(info),
            ttlMillis: Option.getOrNull(Option.map(info, (i) => i.ttlMillis)),
            graceMillis: Option.getOrNull(Option.map(info, (i) => i.graceMillis)),
            tags: config.tags
          })
        }
        if (Option.isNone(info)) {
          return yield* CliError.failed(`${Output.escape(config.key)} was not stored (${target.where})`)
        }
        const tags = config.tags.length === 0 ? "" : `, tags ${config.tags.map(Output.escape).join(" ")}`
        yield* Console.log(
          `stored ${Output.escape(config.key)} (ttl ${Output.duration(info.value.ttlMillis)}, grace ${
            Output.duration(info.value.graceMillis)
          }${tags})`
        )
      }))
).pipe(Command.withDescription("Store a JSON value under a key, with a ttl, a grace period and tags."))

/**
 * `cachet del <key>`.
 *
 * @since 0.1.0
 * @category commands
 */
export const del = Command.make(
  "del",
  { ...Settings.shared, key: Flags.key },
  (config) =>
    Target.use(config, (target, settings) =>
      Effect.flatMap(target.delete(config.key), (deleted) =>
        settings.json
          ? Output.json({ key: config.key, deleted })
          : Console.log(
            deleted ? `deleted ${Output.escape(config.key)}` : `${Output.escape(config.key)} was not cached`
          )))
).pipe(
  Command.withDescription("Remove one entry.")
)

/**
 * `cachet inspect <key>`: tags, age, ttl, grace, state, size.
 *
 * @since 0.1.0
 * @category commands
 */
export const inspect = Command.make(
  "inspect",
  { ...Settings.shared, key: Flags.key },
  (config) =>
    Target.use(config, (target, settings) =>
      Effect.flatMap(target.inspect(config.key), (found) =>
        Option.match(found, {
          onNone: () => Effect.fail(CliError.notFound(config.key)),
          onSome: (info) => (settings.json ? Output.json(info) : Output.printTable(Output.entryRows(info)))
        })), { readOnly: true })
).pipe(
  Command.withDescription("Show an entry's state (fresh, stale, expired, invalidated), tags, age, ttl, grace and size.")
)

/**
 * `cachet keys [--prefix p] [--limit n]`.
 *
 * @since 0.1.0
 * @category commands
 */
export const keys = Command.make(
  "keys",
  {
    ...Settings.shared,
    prefix: Options.text("prefix").pipe(
      Options.withPseudoName("PREFIX"),
      Options.withDescription("Only keys that start with this."),
      Options.withDefault("")
    ),
    limit: Flags.positive("limit", 100, "At most this many keys (default 100).")
  },
  (config) =>
    Target.use(
      config,
      (target, settings) =>
        Effect.flatMap(target.keys({ prefix: config.prefix, limit: config.limit }), (keys) =>
          settings.json
            ? Output.json(keys)
            : keys.length === 0
            ? Console.error("no keys")
            : Console.log(keys.map(Output.escape).join("\n"))),
      { readOnly: true }
    )
).pipe(Command.withDescription("List the keys of the namespace, one per line."))
