/**
 * Commands on the whole namespace: `invalidate` (by tag), `clear` and `stats`.
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
 * `cachet invalidate <tag...> [--soft]`.
 *
 * @since 0.1.0
 * @category commands
 */
export const invalidate = Command.make(
  "invalidate",
  {
    ...Settings.shared,
    soft: Options.boolean("soft").pipe(
      Options.withDescription("Expire instead: the entries count as expired now, so their grace period still applies.")
    ),
    tags: Flags.tagArgs
  },
  (config) =>
    Target.use(config, (target, settings) =>
      Effect.zipRight(
        target.invalidate(config.tags, config.soft),
        settings.json
          ? Output.json({ tags: config.tags, soft: config.soft })
          : Console.log(`${config.soft ? "expired" : "invalidated"} ${config.tags.map(Output.escape).join(" ")}`)
      ))
).pipe(Command.withDescription("Invalidate every entry tagged with these tags or their descendants (hard, or --soft)."))

/**
 * `cachet clear --yes`.
 *
 * @since 0.1.0
 * @category commands
 */
export const clear = Command.make(
  "clear",
  {
    ...Settings.shared,
    yes: Options.boolean("yes").pipe(Options.withDescription("Confirm: remove every entry of the namespace."))
  },
  (config) =>
    config.yes
      ? Target.use(config, (target, settings) =>
        Effect.flatMap(target.clear, (removed) =>
          settings.json ? Output.json({ cleared: removed }) : Console.log(`cleared ${removed} entries`)))
      : Effect.fail(CliError.usage("clear removes every entry of the namespace: confirm with --yes"))
).pipe(Command.withDescription("Remove every entry of the namespace (needs --yes)."))

/**
 * `cachet stats`.
 *
 * @since 0.1.0
 * @category commands
 */
export const stats = Command.make(
  "stats",
  Settings.shared,
  (config) =>
    Target.use(config, (target, settings) =>
      Effect.gen(function*() {
        const stats = yield* target.stats
        const usage = yield* target.usage
        return yield* settings.json
          ? Output.json({ ...stats, counters: target.counters, usage: Option.getOrNull(usage) })
          : Output.printTable(Output.statsRows(stats, usage, target.counters))
      }), { readOnly: true })
).pipe(
  Command.withDescription(
    "Show what the store holds in the namespace (entries, bytes, oldest and newest entry, where the store reports " +
      "it) " +
      "and the cache's counters: this process's for a local store, the app's since it started with --remote."
  )
)
