#!/usr/bin/env node
// Launcher of the `cachet` command line, runnable right after `npm install` (no build step).
//
// Fast path: esbuild (tsx's own) bundles the TypeScript entry with the workspace packages
// read from their sources (the "@cachet/source" export condition) into a content-addressed
// file under node_modules/.cache, leaving every npm dependency external; Node then loads it
// without loader hooks (hooks double the load time of Effect's modules).
// Fallback: run the sources through tsx's loader, adding the same export condition.
import { createHash } from "node:crypto"
import * as Fs from "node:fs"
import { createRequire, register } from "node:module"
import * as Path from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"

const here = Path.dirname(fileURLToPath(import.meta.url))
const entry = Path.join(here, "..", "src", "main.ts")
const cacheDir = Path.join(here, "..", "node_modules", ".cache", "cachet")

const bundle = async () => {
  const require = createRequire(createRequire(import.meta.url).resolve("tsx"))
  const esbuild = require("esbuild")
  const result = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: "esm",
    platform: "node",
    target: "node20",
    conditions: ["@cachet/source"],
    logLevel: "silent",
    plugins: [{
      name: "external-dependencies",
      setup(build) {
        // Bundle the workspace packages (@cachet/*); load everything else from node_modules.
        build.onResolve(
          { filter: /^[^./]/ },
          (args) => args.path.startsWith("@cachet/") ? undefined : { path: args.path, external: true }
        )
      }
    }]
  })
  const code = result.outputFiles[0].text
  const file = Path.join(cacheDir, `main-${createHash("sha256").update(code).digest("hex").slice(0, 16)}.mjs`)
  if (!Fs.existsSync(file)) {
    Fs.mkdirSync(cacheDir, { recursive: true })
    const temp = `${file}.${process.pid}.tmp`
    Fs.writeFileSync(temp, code)
    Fs.renameSync(temp, file)
    // Drop bundles of older sources (not touched for an hour).
    for (const name of Fs.readdirSync(cacheDir)) {
      const old = Path.join(cacheDir, name)
      try {
        if (old !== file && Date.now() - Fs.statSync(old).mtimeMs > 3_600_000) Fs.rmSync(old, { force: true })
      } catch {
        // another run removed it
      }
    }
  }
  return file
}

const withTsx = async () => {
  const { register: registerTsx } = await import("tsx/esm/api")
  registerTsx()
  // Registered last, so it runs first: adds the source condition, then hands over to tsx.
  register(
    "data:text/javascript," +
      encodeURIComponent(
        "export async function resolve(specifier, context, next) {" +
          "  return next(specifier, { ...context, conditions: [...context.conditions, '@cachet/source'] })" +
          "}"
      )
  )
  return entry
}

try {
  let file
  try {
    file = process.env.CACHET_TSX === "1" ? await withTsx() : await bundle()
  } catch {
    file = await withTsx()
  }
  await import(pathToFileURL(file).href)
} catch (error) {
  // A failure to load the program: one line, no stack trace (CACHET_DEBUG=1 shows it).
  process.stderr.write(
    `cachet: cannot start: ${process.env.CACHET_DEBUG === "1" ? error?.stack : error?.message ?? error}\n`
  )
  process.exitCode = 1
}
