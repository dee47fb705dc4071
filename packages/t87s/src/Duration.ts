/**
 * Durations as t87s writes them: a number of milliseconds, or a whole number followed by one
 * unit: `s`, `m`, `h` or `d` (`"30s"`, `"5m"`, `"1h"`, `"1d"`).
 *
 * @since 0.1.0
 */

/**
 * Milliseconds, or a text such as `"30s"`, `"5m"`, `"1h"`, `"1d"`.
 *
 * @since 0.1.0
 * @category models
 */
export type Duration = number | string

const unitMillis: Readonly<Record<string, number>> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }

/**
 * A duration in milliseconds; throws on a text that is not a whole number and one unit.
 *
 * @example
 * ```ts
 * import { parseDuration } from "@cachet/t87s"
 *
 * export const fiveMinutes = parseDuration("5m") // 300000
 * ```
 *
 * @since 0.1.0
 * @category parsing
 */
export const parseDuration = (value: Duration): number => {
  if (typeof value === "number") return value
  const found = /^(\d+)([smhd])$/.exec(value)
  if (found === null) {
    throw new Error(`Invalid duration format: "${value}". Use number or string like "30s", "5m", "1h", "1d".`)
  }
  return Number(found[1]) * unitMillis[found[2]!]!
}
