/**
 * Every TypeScript code block of the documentation, checked: the ```ts / ```typescript fences of
 * `README.md`, `docs/**` (not the generated `docs/api`), `packages/<name>/README.md`, and the fenced
 * block of every `@example` in `packages/<name>/src/**`. Each block is written as a standalone module
 * into `scripts/docs/.snippets/` (gitignored; inside the repository so `@cachet/*` resolve through the
 * workspace and its `@cachet/source` condition), then all of them and every
 * `packages/<name>/examples/*.ts` are type-checked in one TypeScript program.
 */
import * as Fs from "node:fs"
import * as Path from "node:path"
import ts from "typescript"
import { root } from "./api.js"

/** One code block and where it was written. */
export interface Snippet {
  /** The file it comes from, relative to the repository root. */
  readonly source: string
  /** The 1-based line, in `source`, of the block's first line of code. */
  readonly line: number
  /** How many characters each line lost when extracted (indentation, a doc comment's ` * `). */
  readonly column?: number
  readonly code: string
}

/** The directory the snippets are written to. */
export const snippetDir = Path.join(root, "scripts", "docs", ".snippets")

const isTs = (info: string): boolean => /^(ts|typescript)(\s|$|[:{[])/.test(info.trim())

/** The ```ts / ```typescript blocks of a Markdown text (1-based `line` of the first code line). */
export const markdownBlocks = (source: string, markdown: string): Array<Snippet> => {
  const lines = markdown.split(/\r?\n/)
  const blocks: Array<Snippet> = []
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})(.*)$/.exec(lines[i]!)
    if (open === null) continue
    const [, indent, marker, info] = open as unknown as [string, string, string, string]
    const close = new RegExp(`^\\s*${marker[0] === "`" ? "`" : "~"}{${marker.length},}\\s*$`)
    let end = i + 1
    while (end < lines.length && !close.test(lines[end]!)) end++
    if (isTs(info)) {
      const code = lines.slice(i + 1, end).map((line) => (line.startsWith(indent) ? line.slice(indent.length) : line))
      blocks.push(
        indent.length === 0
          ? { source, line: i + 2, code: code.join("\n") }
          : { source, line: i + 2, column: indent.length, code: code.join("\n") }
      )
    }
    i = end
  }
  return blocks
}

/** The fenced ```ts blocks of the `@example` tags of the doc comments in a TypeScript source. */
export const exampleBlocks = (source: string, text: string): Array<Snippet> => {
  const blocks: Array<Snippet> = []
  for (const comment of text.matchAll(/\/\*\*[\s\S]*?\*\//g)) {
    if (!comment[0].includes("@example")) continue
    const startLine = text.slice(0, comment.index).split("\n").length
    // Strip the comment's frame (`/**`, ` * `, ` */`) line by line, keeping the line numbers.
    const raw = comment[0].split("\n")
    const lines = raw.map((line, i) =>
      (i === 0 ? line.replace(/^\/\*\*\s?/, "") : line.replace(/^\s*\*(?!\/) ?/, "")).replace(/\s*\*\/$/, "")
    )
    for (const block of markdownBlocks(source, lines.join("\n"))) {
      // Only blocks under an `@example` tag count: the nearest tag above the block decides.
      const above = lines.slice(0, block.line - 2).reverse().find((line) => /^\s*@\w+/.test(line))
      if (above !== undefined && /^\s*@example\b/.test(above)) {
        const first = block.line - 1 // the index of the block's first code line in the comment
        const frame = raw[first]!.length - lines[first]!.length
        blocks.push({ source, line: startLine + block.line - 1, column: frame + (block.column ?? 0), code: block.code })
      }
    }
  }
  return blocks
}

/** `@example` tags with no ```ts block under them: an example that nothing would check. */
export const bareExamples = (source: string, text: string): Array<Problem> => {
  const problems: Array<Problem> = []
  for (const comment of text.matchAll(/\/\*\*[\s\S]*?\*\//g)) {
    const parts = comment[0].split(/(?=@\w+)/).filter((part) => /^@example\b/.test(part))
    for (const part of parts) {
      if (!/```(ts|typescript)\b/.test(part)) {
        const line = text.slice(0, (comment.index ?? 0) + comment[0].indexOf(part)).split("\n").length
        problems.push({
          location: `${source}:${line}:1`,
          message: "an @example without a ```ts block (it would not be checked)"
        })
      }
    }
  }
  return problems
}

const rel = (file: string): string => Path.relative(root, file).split(Path.sep).join("/")

const walk = (
  dir: string,
  accept: (file: string) => boolean,
  skip: (dir: string) => boolean = () => false
): Array<string> => {
  if (!Fs.existsSync(dir)) return []
  const files: Array<string> = []
  for (const entry of Fs.readdirSync(dir, { withFileTypes: true })) {
    const path = Path.join(dir, entry.name)
    if (entry.isDirectory()) {
      if (entry.name !== "node_modules" && !skip(path)) files.push(...walk(path, accept, skip))
    } else if (accept(path)) files.push(path)
  }
  return files.sort()
}

const libraryPackages = (): Array<string> =>
  Fs.readdirSync(Path.join(root, "packages"))
    .map((name) => Path.join(root, "packages", name))
    .filter((dir) => Fs.existsSync(Path.join(dir, "package.json")))
    .sort()

/** The Markdown files whose TypeScript blocks are checked. */
export const markdownFiles = (): Array<string> => [
  Path.join(root, "README.md"),
  ...walk(
    Path.join(root, "docs"),
    (file) => file.endsWith(".md"),
    (dir) => dir === Path.join(root, "docs", "api") || Path.basename(dir) === ".vitepress"
  ),
  ...libraryPackages().map((dir) => Path.join(dir, "README.md")).filter((file) => Fs.existsSync(file))
]

/** The library sources whose `@example` blocks are checked. */
export const sourceFiles = (): Array<string> =>
  libraryPackages().flatMap((dir) => walk(Path.join(dir, "src"), (file) => file.endsWith(".ts")))

/** The runnable example programs, `packages/<name>/examples/*.ts`. */
export const exampleFiles = (): Array<string> =>
  libraryPackages().flatMap((dir) => walk(Path.join(dir, "examples"), (file) => file.endsWith(".ts")))

/** Every snippet of the documentation. */
export const collect = (): Array<Snippet> => [
  ...markdownFiles().flatMap((file) => markdownBlocks(rel(file), Fs.readFileSync(file, "utf8"))),
  ...sourceFiles().flatMap((file) => exampleBlocks(rel(file), Fs.readFileSync(file, "utf8")))
]

/** The file a snippet is written to: named after where it comes from. */
export const fileOf = (snippet: Snippet): string =>
  Path.join(snippetDir, `${snippet.source.replace(/[^A-Za-z0-9]+/g, "_")}_L${snippet.line}.ts`)

/** Writes every snippet as a module into `snippetDir` (emptied first). */
export const write = (snippets: ReadonlyArray<Snippet>): Map<string, Snippet> => {
  Fs.rmSync(snippetDir, { recursive: true, force: true })
  Fs.mkdirSync(snippetDir, { recursive: true })
  const byFile = new Map<string, Snippet>()
  for (const snippet of snippets) {
    const file = fileOf(snippet)
    Fs.writeFileSync(file, snippet.code.endsWith("\n") ? snippet.code : snippet.code + "\n")
    byFile.set(Path.normalize(file), snippet)
  }
  return byFile
}

/**
 * The compiler options: the repository's (`tsconfig.base.json`, strict, `exactOptionalPropertyTypes`,
 * the `@cachet/source` condition), every file a module, and unused declarations allowed — a snippet
 * shows a declaration without having to use it.
 */
export const compilerOptions = (): ts.CompilerOptions => {
  const configFile = Path.join(root, "tsconfig.base.json")
  const { config, error } = ts.readConfigFile(configFile, ts.sys.readFile)
  if (error !== undefined) throw new Error(ts.flattenDiagnosticMessageText(error.messageText, "\n"))
  const parsed = ts.parseJsonConfigFileContent(config, ts.sys, root, undefined, configFile)
  return {
    ...parsed.options,
    noEmit: true,
    declaration: false,
    declarationMap: false,
    sourceMap: false,
    noUnusedLocals: false,
    noUnusedParameters: false,
    moduleDetection: ts.ModuleDetectionKind.Force
  }
}

/** A type error, placed at its line in the documentation. */
export interface Problem {
  readonly location: string
  readonly message: string
}

const describe = (diagnostic: ts.Diagnostic, byFile: ReadonlyMap<string, Snippet>): Problem => {
  const message = `TS${diagnostic.code}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n")}`
  const file = diagnostic.file
  if (file === undefined || diagnostic.start === undefined) return { location: "(compiler options)", message }
  const { line, character } = file.getLineAndCharacterOfPosition(diagnostic.start)
  const snippet = byFile.get(Path.normalize(file.fileName))
  if (snippet === undefined) return { location: `${rel(file.fileName)}:${line + 1}:${character + 1}`, message }
  return { location: `${snippet.source}:${snippet.line + line}:${character + 1 + (snippet.column ?? 0)}`, message }
}

/** Type-checks the snippets and the example programs in one program; the problems, placed in their sources. */
export const check = (
  snippets: ReadonlyArray<Snippet>,
  examples: ReadonlyArray<string> = exampleFiles()
): Array<Problem> => {
  const byFile = write(snippets)
  const roots = [...byFile.keys(), ...examples]
  const program = ts.createProgram({ rootNames: roots, options: compilerOptions() })
  const diagnostics = [
    ...program.getOptionsDiagnostics(),
    ...program.getGlobalDiagnostics(),
    ...roots.flatMap((file) => {
      const sourceFile = program.getSourceFile(file)
      if (sourceFile === undefined) throw new Error(`not in the program: ${file}`)
      return [...program.getSyntacticDiagnostics(sourceFile), ...program.getSemanticDiagnostics(sourceFile)]
    })
  ]
  return diagnostics.map((diagnostic) => describe(diagnostic, byFile))
}

/** The problems as one readable report. */
export const format = (problems: ReadonlyArray<Problem>): string =>
  problems.map((problem) => `${problem.location} ${problem.message.replace(/\n/g, "\n    ")}`).join("\n")
