/**
 * Runs the real `cachet` command line (bin/cachet.js) as a child process.
 */
import { execFile } from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"

export const bin = fileURLToPath(new URL("../bin/cachet.js", import.meta.url))
export const repoRoot = fileURLToPath(new URL("../../../", import.meta.url))

export interface Result {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/** A temporary directory, removed at process exit. */
export const tempDir = (prefix: string): string => {
  const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), `cachet-cli-${prefix}-`))
  process.once("exit", () => Fs.rmSync(dir, { recursive: true, force: true }))
  return dir
}

const home = tempDir("home")

/**
 * Runs `cachet ...args` from the repository root with a clean environment: no CACHET_*
 * variables unless given, and a temporary user cache directory.
 */
export const cachet = (args: ReadonlyArray<string>, env: Record<string, string> = {}): Promise<Result> => {
  const base: Record<string, string | undefined> = { ...process.env, XDG_CACHE_HOME: home, FORCE_COLOR: "0" }
  for (const name of Object.keys(base)) if (name.startsWith("CACHET_")) delete base[name]
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [bin, ...args],
      { cwd: repoRoot, env: { ...base, ...env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : 1
        resolve({ code, stdout: String(stdout), stderr: String(stderr) })
      }
    )
  })
}

/** The output parsed as JSON (fails the test with the output when it is not). */
export const json = (result: Result): unknown => {
  try {
    return JSON.parse(result.stdout)
  } catch {
    throw new Error(`not JSON (exit ${result.code}): ${result.stdout}\n${result.stderr}`)
  }
}

/** An error as the command line must print it: one line on stderr, no stack trace. */
export const oneLineError = (result: Result): string => {
  const lines = result.stderr.trim().split("\n")
  if (lines.length !== 1 || !lines[0]!.startsWith("cachet: ") || /\n\s+at /.test(result.stderr)) {
    throw new Error(`expected one "cachet: ..." line on stderr, got:\n${result.stderr}`)
  }
  return lines[0]!
}
