/**
 * Generates the API reference (`docs/api/`, gitignored) from the JSDoc of every public export of every
 * library package: one TypeDoc program over the `@cachet/source` entry of each `exports` entry of
 * `packages/<name>/package.json`, rendered to Markdown for VitePress by typedoc-plugin-markdown.
 *
 * Run: `npm run docs:api` (also the first step of `npm run docs:build`).
 */
import * as Fs from "node:fs"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import { Application, Converter, LogLevel, ReflectionKind, type TypeDocOptions } from "typedoc"
import type { PluginOptions } from "typedoc-plugin-markdown"

/** The repository's root. */
export const root = Path.resolve(Path.dirname(fileURLToPath(import.meta.url)), "../..")

/** One documented module: the import specifier a user writes and the source file behind it. */
export interface EntryPoint {
  readonly specifier: string
  readonly file: string
}

type Exports = Record<string, string | Record<string, string>>

/**
 * The public entry points: each `exports` entry of each library package, through its
 * `@cachet/source` condition. Internal modules are never exports, so they are never entry points.
 */
export const entryPoints = (): ReadonlyArray<EntryPoint> => {
  const result: Array<EntryPoint> = []
  const packages = Path.join(root, "packages")
  for (const dir of Fs.readdirSync(packages).sort()) {
    const manifest = Path.join(packages, dir, "package.json")
    if (!Fs.existsSync(manifest)) continue
    const json = JSON.parse(Fs.readFileSync(manifest, "utf8")) as { name: string; exports?: Exports }
    for (const [subpath, target] of Object.entries(json.exports ?? {})) {
      const source = typeof target === "string" ? undefined : target["@cachet/source"]
      if (source === undefined || !source.endsWith(".ts")) continue
      const specifier = subpath === "." ? json.name : `${json.name}/${subpath.replace(/^\.\//, "")}`
      result.push({ specifier, file: Path.join(packages, dir, source) })
    }
  }
  return result
}

/** Where the reference is written unless told otherwise. */
export const defaultOut = Path.join(root, "docs", "api")

/** Generates the Markdown API reference into `out`. */
export const generate = async (out: string = defaultOut): Promise<void> => {
  const entries = entryPoints()
  const bySource = new Map(entries.map((entry) => [Path.normalize(entry.file), entry.specifier]))
  const options: Partial<TypeDocOptions & PluginOptions> = {
    entryPoints: entries.map((entry) => entry.file),
    tsconfig: Path.join(root, "scripts", "docs", "tsconfig.api.json"),
    plugin: ["typedoc-plugin-markdown"],
    out,
    readme: "none",
    excludeScopesInPaths: true,
    router: "module",
    entryFileName: "index",
    excludeInternal: true,
    excludePrivate: true,
    excludeProtected: true,
    excludeExternals: true,
    excludeNotDocumented: false,
    // The source is type-checked by `npm run typecheck`; TypeDoc only reads it.
    skipErrorChecking: true,
    sanitizeComments: true,
    hidePageHeader: true,
    hideBreadcrumbs: true,
    useCodeBlocks: true,
    disableSources: true,
    sort: ["kind", "instance-first", "alphabetical-ignoring-documents"],
    // Exports name types from `internal/`: they are not documented pages, and that is intended.
    validation: {
      notExported: false,
      invalidLink: true,
      rewrittenLink: true,
      notDocumented: false,
      unusedMergeModuleWith: true
    },
    logLevel: LogLevel.Warn,
    name: "API reference"
  }
  const app = await Application.bootstrapWithPlugins(options)
  // Modules are named after the import a user writes (`@cachet/core/testing`), not the source path.
  app.converter.on(Converter.EVENT_CREATE_DECLARATION, (context, reflection) => {
    if (reflection.kind !== ReflectionKind.Module) return
    const file = context.getSymbolFromReflection(reflection)?.declarations?.[0]?.getSourceFile().fileName
    const specifier = file === undefined ? undefined : bySource.get(Path.normalize(file))
    if (specifier !== undefined) reflection.name = specifier
  })
  const project = await app.convert()
  if (project === undefined) throw new Error("TypeDoc could not convert the packages")
  Fs.rmSync(out, { recursive: true, force: true })
  await app.generateOutputs(project)
  if (app.logger.hasErrors()) throw new Error("TypeDoc reported errors (see above)")
}

if (process.argv[1] !== undefined && Path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = Date.now()
  const out = process.argv[2] === undefined ? defaultOut : Path.resolve(process.argv[2])
  await generate(out)
  process.stdout.write(
    `API reference: ${entryPoints().length} entry points → ${Path.relative(root, out)} in ${Date.now() - started} ms\n`
  )
}
