/**
 * How results are printed: aligned tables for people, JSON (`--json`) for scripts, both on
 * stdout through the `Console` service.
 *
 * @since 0.1.0
 */
import type { Cache, Store } from "@cachet/core"
import { Console, Effect, Option } from "effect"

/* eslint-disable no-control-regex -- these patterns exist to find control characters */
const named: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t", "\\": "\\\\" }
const controls = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g
const controlsAndBackslash = /[\\\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g

/* eslint-enable no-control-regex */

const escapeChar = (c: string): string => {
  const code = c.charCodeAt(0)
  return named[c] ??
    (code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`)
}

/**
 * A key or tag as one printable line: control characters (C0, DEL, C1), line and paragraph
 * separators and bidirectional overrides are written as escapes (`\n`, `\t`, `\x1b`,
 * `\u2028`), and a backslash as `\\`, so a key can neither break a line nor drive the
 * terminal, and two keys never print alike.
 *
 * @since 0.1.0
 * @category formatting
 */
export const escape = (text: string): string => text.replace(controlsAndBackslash, escapeChar)

/**
 * Text that is already escaped (JSON) made printable the same way, its backslashes left alone.
 *
 * @since 0.1.0
 * @category formatting
 */
export const printable = (text: string): string => text.replace(controls, escapeChar)

/**
 * Whether output to a stream may carry colours and other ANSI escapes: `NO_COLOR` (any
 * non-empty value) turns them off, `FORCE_COLOR` forces them (`0` or `false`: off), a `dumb`
 * terminal has none; otherwise only a terminal gets them (pipes, files and scripts get plain text).
 *
 * @since 0.1.0
 * @category formatting
 */
export const colors = (isTTY: boolean, env: Readonly<Record<string, string | undefined>>): boolean => {
  if ((env.NO_COLOR ?? "") !== "") return false
  const force = env.FORCE_COLOR
  if (force !== undefined && force !== "") return force !== "0" && force.toLowerCase() !== "false"
  if (env.TERM === "dumb") return false
  return isTTY
}

// eslint-disable-next-line no-control-regex -- matches ANSI escape sequences
const ansi = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[@-Z\\-_]/g

/**
 * Text without its ANSI escape sequences (colours, cursor moves, hyperlinks).
 *
 * @since 0.1.0
 * @category formatting
 */
export const stripAnsi = (text: string): string => text.replace(ansi, "")

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
export const table = (
  rows: ReadonlyArray<ReadonlyArray<string>>,
  options: { readonly header?: boolean } = {}
): string => {
  const widths: Array<number> = []
  for (const row of rows) row.forEach((cell, i) => widths[i] = Math.max(widths[i] ?? 0, cell.length))
  const lines = rows.map((row) =>
    row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join("  ")
  )
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
  ["key", escape(info.key)],
  ["state", info.failed ? `${info.state} (cached failure)` : info.state],
  ["tags", info.tags.length === 0 ? "-" : info.tags.map(escape).join(", ")],
  ["age", duration(info.ageMillis)],
  ["ttl", duration(info.ttlMillis)],
  ["grace", duration(info.graceMillis)],
  ["size", bytes(info.size)],
  ["created", new Date(info.createdAt).toISOString()],
  ["store key", escape(info.storeKey)],
  ["value", printable(info.value.length > 200 ? info.value.slice(0, 200) + "…" : info.value)]
]

const timestamp = (millis: number | null): string => (millis === null ? "-" : new Date(millis).toISOString())

/**
 * The rows of `stats`: the store's own figures for the namespace (when it reports them), then
 * the cache's counters, labelled with whose they are (this process's, or a remote app's).
 *
 * @since 0.1.0
 * @category formatting
 */
export const statsRows = (
  stats: Cache.Stats,
  usage: Option.Option<Store.Usage>,
  counters: string
): ReadonlyArray<ReadonlyArray<string>> => {
  const { enabled, namespace, store, ...rest } = stats
  const storeRows: Array<Array<string>> = Option.match(usage, {
    onNone: () => [["in the store", "not reported by this store"]],
    onSome: (u) => [
      ["entries", String(u.entries)],
      ["bytes", bytes(u.bytes)],
      ["oldest entry", timestamp(u.oldestCreatedAt)],
      ["newest entry", timestamp(u.newestCreatedAt)]
    ]
  })
  return [
    ["store", store],
    ["namespace", namespace],
    ["enabled", String(enabled)],
    ...storeRows,
    ["counters", counters],
    ...Object.entries(rest).map(([name, value]) => [`  ${name}`, String(value)])
  ]
}
