/**
 * The `cachet` command: the root with its shared options, and one subcommand per operation.
 * `run` parses the arguments, runs the command, and turns every outcome into an exit code
 * with at most one line on stderr.
 *
 * @since 0.1.0
 */
import type { CliApp } from "@effect/cli"
import { Command, ValidationError } from "@effect/cli"
import { Cause, Console, Effect, Exit, Logger, LogLevel, Option } from "effect"

import * as CliError from "./CliError.js"
import * as Bench from "./commands/Bench.js"
import * as Entries from "./commands/Entries.js"
import * as Namespace from "./commands/Namespace.js"
import * as Output from "./Output.js"
import * as Settings from "./Settings.js"

/**
 * The version `--version` prints.
 *
 * @since 0.1.0
 * @category constants
 */
export const version = "0.1.0"

/**
 * The command tree.
 *
 * @since 0.1.0
 * @category commands
 */
export const command = Settings.root.pipe(
  Command.withSubcommands([
    Entries.get,
    Entries.set,
    Entries.del,
    Namespace.invalidate,
    Namespace.clear,
    Entries.inspect,
    Entries.keys,
    Namespace.stats,
    Bench.bench
  ])
)

const cli = Command.run(command, { name: "cachet", version })

/**
 * Runs the command line on `argv` (`[node, script, ...args]`) and returns the exit code:
 * 0 on success, 1 when a command failed, 2 for a usage error, 130 when interrupted. Errors
 * are one line on stderr; logs are off unless `--log-level` asks for them (then on stderr).
 * Colours and other ANSI escapes reach a stream only when it is a terminal (see `Output.colors`).
 *
 * @since 0.1.0
 * @category running
 */
export const run = (argv: ReadonlyArray<string>): Effect.Effect<number, never, CliApp.CliApp.Environment> =>
  Effect.flatMap(Effect.console, (base) => {
    const plainOut = !Output.colors(process.stdout.isTTY === true, process.env)
    const plainErr = !Output.colors(process.stderr.isTTY === true, process.env)
    const plain = (strip: boolean) => (args: ReadonlyArray<unknown>) =>
      strip ? args.map((arg) => (typeof arg === "string" ? Output.stripAnsi(arg) : arg)) : args
    const out = plain(plainOut)
    const err = plain(plainErr)
    return Console.withConsole(exitCode(argv), {
      ...base,
      log: (...args) => base.log(...out(args)),
      info: (...args) => base.info(...out(args)),
      warn: (...args) => base.warn(...err(args)),
      error: (...args) => base.error(oneLine(err(args)))
    })
  })

/** Error lines on stderr, `@effect/cli`'s parse errors included: "cachet: reason". */
const oneLine = (args: ReadonlyArray<unknown>): string =>
  `cachet: ${args.map(String).join(" ").trim().replace(/\s*\n\s*/g, " ")}`

const exitCode = (argv: ReadonlyArray<string>) =>
  cli(argv).pipe(
    Effect.exit,
    Effect.flatMap((exit) => {
      if (Exit.isSuccess(exit)) return Effect.succeed(0)
      const failure = Cause.failureOption(exit.cause)
      if (Option.isSome(failure)) {
        const error = failure.value
        // @effect/cli has already printed its parse errors.
        if (ValidationError.isValidationError(error)) return Effect.succeed(2)
        return Effect.as(Console.error(error.message), error.code)
      }
      if (Cause.isInterruptedOnly(exit.cause)) return Effect.succeed(130)
      const defect = Cause.squash(exit.cause)
      return Effect.as(Console.error(`unexpected error: ${CliError.describe(defect)}`), 1)
    }),
    Effect.provide(Logger.replace(Logger.defaultLogger, Logger.withConsoleError(Logger.logfmtLogger))),
    Logger.withMinimumLogLevel(LogLevel.None)
  )
