/**
 * The main entry point never loads `@effect/sql` (an optional peer dependency): a fresh Node
 * process, reading the sources (`--conditions=@cachet/source`, tsx), imports it with a resolve
 * hook that refuses every `@effect/sql` specifier. The `Uniqueness` entry point, which does
 * need it, is refused by the same hook (the check can fail).
 */
import * as ChildProcess from "node:child_process"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"

import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"

const root = Path.resolve(Path.dirname(fileURLToPath(import.meta.url)), "..")

/** Refuses `@effect/sql` and its subpaths, then imports `ENTRY` and prints its export names. */
const script = `
import { register } from "node:module"
register("data:text/javascript," + encodeURIComponent(\`
  export async function resolve(specifier, context, next) {
    if (/^@effect\\\\/sql(\\\\/|$)/.test(specifier)) throw new Error("@effect/sql was loaded: " + specifier)
    return next(specifier, context)
  }\`))
const module = await import(process.env.ENTRY)
console.log(JSON.stringify(Object.keys(module)))
`

const load = (entry: string) =>
  Effect.async<{ readonly ok: boolean; readonly stdout: string; readonly stderr: string }>((resume) => {
    ChildProcess.execFile(
      process.execPath,
      ["--conditions=@cachet/source", "--import", "tsx", "--input-type=module", "-e", script],
      { cwd: root, env: { ...process.env, ENTRY: entry }, timeout: 60_000 },
      (error, stdout, stderr) => resume(Effect.succeed({ ok: error === null, stdout, stderr }))
    )
  })

describe("entry points", () => {
  it.effect("@cachet/validate loads without @effect/sql", () =>
    Effect.gen(function*() {
      const main = yield* load("@cachet/validate")
      expect(main.stderr).toBe("")
      expect(main.ok).toBe(true)
      expect(JSON.parse(main.stdout)).toEqual(expect.arrayContaining(["Validate", "ServiceValidationError"]))
    }), 60_000)

  it.effect("@cachet/validate/Uniqueness is where @effect/sql is loaded", () =>
    Effect.gen(function*() {
      const uniqueness = yield* load("@cachet/validate/Uniqueness")
      expect(uniqueness.ok).toBe(false)
      expect(uniqueness.stderr).toContain("@effect/sql was loaded: @effect/sql/")
    }), 60_000)
})
