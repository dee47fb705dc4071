/**
 * Importing `@cachet/redwood` loads no driver: a fresh Node process (reading the sources through
 * tsx) imports it with a resolve hook that refuses `@cachet/stores`, `@effect/sql`, `ioredis`,
 * `memjs` and `@prisma/client`; they load when a client or `validateUniqueness` first needs them.
 */
import * as ChildProcess from "node:child_process"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"

import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"

const root = Path.resolve(Path.dirname(fileURLToPath(import.meta.url)), "..")

const script = `
import { register } from "node:module"
register("data:text/javascript," + encodeURIComponent(\`
  const refused = /^(@cachet\\\\/stores|@effect\\\\/sql|ioredis|memjs|@prisma\\\\/client)(\\\\/|$)/
  export async function resolve(specifier, context, next) {
    if (refused.test(specifier)) throw new Error("loaded: " + specifier)
    return next(specifier, context)
  }\`))
const module = await import("@cachet/redwood")
module.validate("a@example.com", "email", { email: true })
const { cache } = module.createCache(new module.InMemoryClient())
console.log(JSON.stringify(await cache("k", () => 1)))
try {
  await new module.CachetClient({ store: "memory" }).get("k")
} catch (error) {
  console.log(String(error))
}
`

describe("@cachet/redwood's entry point", () => {
  it.effect("loads no store driver, SQL client or Prisma until one is used", () =>
    Effect.gen(function*() {
      const result = yield* Effect.async<{ readonly ok: boolean; readonly stdout: string; readonly stderr: string }>(
        (resume) => {
          ChildProcess.execFile(
            process.execPath,
            ["--conditions=@cachet/source", "--import", "tsx", "--input-type=module", "-e", script],
            { cwd: root, timeout: 60_000 },
            (error, stdout, stderr) => resume(Effect.succeed({ ok: error === null, stdout, stderr }))
          )
        }
      )
      expect(result.stderr).toBe("")
      expect(result.ok).toBe(true)
      // the import and the in-memory cache worked; the first CachetClient call is what loads the stores
      expect(result.stdout).toBe("1\nError: loaded: @cachet/stores\n")
    }), 60_000)
})
