/**
 * Builds the page from its TypeScript sources (`page/`) with esbuild, in memory: one script
 * and one stylesheet, no files written, nothing fetched from a network.
 * @internal
 */
import { fileURLToPath } from "node:url"

import { Effect } from "effect"

/** The built page. @internal */
export interface Assets {
  readonly script: string
  readonly style: string
}

const pageDir = fileURLToPath(new URL("../../page/", import.meta.url))

/** Builds running in this process: esbuild's child process is stopped when the last one ends. */
let running = 0

/** Bundles `page/main.ts` and `page/style.css`. @internal */
export const build = (minify: boolean): Effect.Effect<Assets, { readonly message: string }> =>
  Effect.tryPromise({
    try: async () => {
      const esbuild = await import("esbuild")
      // esbuild runs in a child process; stopping it once no build is running leaves no process
      // behind the server (nothing outlives a stopped server, even for a moment).
      running++
      const result = await esbuild.build({
        absWorkingDir: pageDir,
        entryPoints: { app: "main.ts", style: "style.css" },
        bundle: true,
        write: false,
        outdir: "out",
        format: "iife",
        target: ["es2020", "chrome100", "firefox100", "safari15"],
        minify,
        legalComments: "none",
        logLevel: "silent"
      }).finally(() => --running === 0 ? esbuild.stop() : undefined)
      const find = (suffix: string): string => {
        const file = result.outputFiles.find((output) => output.path.endsWith(suffix))
        if (file === undefined) throw new Error(`esbuild produced no ${suffix}`)
        return file.text
      }
      return { script: find("app.js"), style: find("style.css") }
    },
    catch: (cause) => ({ message: cause instanceof Error ? cause.message : String(cause) })
  })
