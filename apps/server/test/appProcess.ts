/**
 * The app as `npm start` runs it, for tests that need a real process (signals, `kill -9`):
 * `src/main.ts` in a child `node`, configured by environment variables, on a free loopback port.
 */
import { type ChildProcess, spawn } from "node:child_process"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"

/** The app's folder (where `npm start` runs). */
export const appDir = Path.resolve(Path.dirname(fileURLToPath(import.meta.url)), "..")

/** A running app process. */
export interface AppProcess {
  readonly child: ChildProcess
  /** Its base URL, on 127.0.0.1. */
  readonly url: string
  /** Everything it has printed so far (stdout and stderr). */
  readonly output: () => string
  /** Resolves with its exit code once it has exited. */
  readonly exited: Promise<number | null>
}

const children: Array<ChildProcess> = []

/**
 * Starts `src/main.ts` with `env` (on top of this process's environment; port and host are
 * chosen here) and resolves once it listens and has reported its cache store; rejects if it
 * exits first or is not up within `timeout` milliseconds.
 */
export const startApp = (env: Record<string, string>, timeout = 90_000): Promise<AppProcess> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--conditions=@cachet/source", "--import", "tsx", "src/main.ts"], {
      cwd: appDir,
      env: { ...process.env, ...env, CACHET_PORT: "0", CACHET_HOST: "127.0.0.1" },
      stdio: ["ignore", "pipe", "pipe"]
    })
    children.push(child)
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)))
    let output = ""
    const timer = setTimeout(() => reject(new Error(`the app did not start:\n${output}`)), timeout)
    const onData = (chunk: Buffer) => {
      output += String(chunk)
      const match = /listening on (http:\/\/\S+?)"/.exec(output)
      if (match !== null && output.includes("cache store:")) {
        clearTimeout(timer)
        resolve({ child, url: match[1]!.replace("localhost", "127.0.0.1"), output: () => output, exited })
      }
    }
    child.stdout.on("data", onData)
    child.stderr.on("data", onData)
    child.once("exit", (code) => {
      clearTimeout(timer)
      reject(new Error(`the app exited (${code}):\n${output}`))
    })
  })

/** Kills (SIGKILL) every app process started here that is still running: call it in `afterAll`. */
export const killApps = (): void => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL")
  }
}
