/**
 * The one error family of the command line: a message for stderr and an exit code.
 *
 * @since 0.1.0
 */
import { Data } from "effect"

import * as Output from "./Output.js"

/**
 * Exit codes: 1 for a failed command (a missing key, an unreachable store or server), 2 for a
 * usage error.
 *
 * @since 0.1.0
 * @category models
 */
export type ExitCode = 1 | 2

/**
 * A failure shown to the user as one line on stderr, then the process exits with `code`.
 *
 * @since 0.1.0
 * @category errors
 */
export class CliError extends Data.TaggedError("CliError")<{
  readonly reason: string
  readonly code: ExitCode
}> {
  override get message(): string {
    return this.reason
  }
}

/**
 * A failed command (exit code 1).
 *
 * @since 0.1.0
 * @category constructors
 */
export const failed = (reason: string): CliError => new CliError({ reason, code: 1 })

/**
 * A usage error (exit code 2).
 *
 * @since 0.1.0
 * @category constructors
 */
export const usage = (reason: string): CliError => new CliError({ reason, code: 2 })

/**
 * A key that is not in the cache (exit code 1).
 *
 * @since 0.1.0
 * @category constructors
 */
export const notFound = (key: string): CliError => failed(`not found: ${Output.escape(key)}`)

/**
 * The message of any thrown or failed value, on one line.
 *
 * @since 0.1.0
 * @category utils
 */
export const describe = (u: unknown): string => {
  const text = u instanceof Error || (typeof u === "object" && u !== null && "message" in u)
    ? String((u as { readonly message: unknown }).message)
    : String(u)
  return text.replace(/\s+/g, " ").trim()
}
