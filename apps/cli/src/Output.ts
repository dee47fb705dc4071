/**
 * How results are printed: aligned tables for people, JSON (`--json`) for scripts, both on
 * stdout through the `Console` service.
 *
 * @since 0.1.0
 */
import type { Cache } from "@cachet/core"
import { Console, Effect } from "effect"

/**
 * Prints a value as one line of JSON.
 *
 * @since 0.1.0
 * @category printing
 */
export const json = (value: unknown): Effect.Effect<void> => Console.log(JSON.stringify(value))

/**
 * Lays out rows as aligned columns (the first row is the header when `header` is set).
 *
 * @since 0.1.0
 * @category formatting
 */
export const table = (rows: ReadonlyArray<ReadonlyArray<string>>, options: { readonly header?: boolean } = {}): string => {
  const widths: Array<number> = []
  for (const row of rows) row.forEach((cell, i) => widths[i] = Math.max(widths[i] ?? 0, cell.length))
  const lines = rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join("  "))
  if (options.header === true && lines.length > 0) {
    lines.splice(1, 0, widths.map((w) => "-".repeat(w)).join("  "))
  }
  return lines.join("\n")
}

/**
 * Prints a table (nothing for no rows).
 *
 * @since 0.1.0
 * @category printing
 */
export const printTable = (rows: ReadonlyArray<ReadonlyArray<string>>, options: { readonly header?: boolean } = {}) =>
  rows.length === 0 ? Effect.void : Console.log(table(rows, options))

/**
 * A duration in milliseconds, short and readable (`850ms`, `12.5s`, `3m 20s`, `2h 5m`,
 * `3d 4h`); `null` is `forever`.
 *
 * @since 0.1.0
 * @category formatting
 */
export const duration = (millis: number | null): string => {
  if (millis === null || !Number.isFinite(millis)) return "forever"
  if (millis === 0) return "0s"
  if (millis < 1_000) return `${Math.round(millis)}ms`
  if (millis < 60_000) return `${trim(millis / 1_000)}s`
  const parts: Array<[number, string]> = [[86_400_000, "d"], [3_600_000, "h"], [60_000, "m"], [1_000, "s"]]
  const out: Array<string> = []
  let rest = Math.floor(millis / 1_000) * 1_000
  for (const [size, unit] of parts) {
    if (rest >= size) {
      out.push(`${Math.floor(rest / size)}${unit}`)
      rest %= size
    }
    if (out.length === 2) break
  }
  return out.join(" ")
}

/**
 * A byte count (`512 B`, `1.5 KB`, `2.3 MB`).
 *
 * @since 0.1.0
 * @category formatting
 */
export const bytes = (n: number): string =>
  n < 1024 ? `${n} B` : n < 1024 * 1024 ? `${trim(n / 1024)} KB` : `${trim(n / 1024 / 1024)} MB`

/**
 * A latency in milliseconds with microsecond precision below 10 ms.
 *
 * @since 0.1.0
 * @category formatting
 */
export const latency = (millis: number): string =>
  millis < 1 ? `${Math.round(millis * 1000)}µs` : millis < 10 ? `${millis.toFixed(2)}ms` : `${Math.round(millis)}ms`

const trim = (n: number): string => (Math.round(n * 10) / 10).toString()

/**
 * A value as people read it: strings as they are, anything else as indented JSON.
 *
 * @since 0.1.0
 * @category formatting
 */
export const value = (value: unknown): string => (typeof value === "string" ? value : JSON.stringify(value, null, 2))

/**
 * The rows of `inspect`.
 *
 * @since 0.1.0
 * @category formatting
 */
export const entryRows = (info: Cache.EntryInfo): ReadonlyArray<ReadonlyArray<string>> => [
  ["key", info.key],
  ["state", info.failed ? `${info.state} (cached failure)` : info.state],
  ["tags", info.tags.length === 0 ? "-" : info.tags.join(", ")],
  ["age", duration(info.ageMillis)],
  ["ttl", duration(info.ttlMillis)],
  ["grace", duration(info.graceMillis)],
  ["size", bytes(info.size)],
  ["created", new Date(info.createdAt).toISOString()],
  ["store key", info.storeKey],
  ["value", info.value.length > 200 ? info.value.slice(0, 200) + "…" : info.value]
]

/**
 * The rows of `stats`.
 *
 * @since 0.1.0
 * @category formatting
 */
export const statsRows = (stats: Cache.Stats): ReadonlyArray<ReadonlyArray<string>> =>
  Object.entries(stats).map(([name, value]) => [name, String(value)])
