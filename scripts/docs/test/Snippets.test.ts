/**
 * Every TypeScript block of the docs, the READMEs and the `@example`s compiles against the
 * workspace, all in one program; a failure names the block's file and line and the TS error.
 */
import * as Fs from "node:fs"
import * as Path from "node:path"
import { describe, expect, it } from "vitest"
import { root } from "../api.js"
import { bareExamples, check, collect, exampleBlocks, format, markdownBlocks, sourceFiles } from "../snippets.js"

describe("extraction", () => {
  it("finds ts and typescript fences with their first code line, and skips the others", () => {
    const markdown = [
      "# T",
      "",
      "```ts",
      "const a = 1",
      "```",
      "```sh",
      "npm i",
      "```",
      "  ```typescript [x.ts]",
      "  const b = 2",
      "  ```"
    ].join("\n")
    expect(markdownBlocks("x.md", markdown)).toEqual([
      { source: "x.md", line: 4, code: "const a = 1" },
      { source: "x.md", line: 10, column: 2, code: "const b = 2" }
    ])
  })

  it("finds the block of an @example, at its line in the source", () => {
    const source = [
      "/**",
      " * Does a thing.",
      " *",
      " * @example",
      " * ```ts",
      " * import { Effect } from \"effect\"",
      " *   const x = 1",
      " * ```",
      " *",
      " * @since 0.1.0",
      " */",
      "export const a = 1"
    ].join("\n")
    expect(exampleBlocks("a.ts", source)).toEqual([
      { source: "a.ts", line: 6, column: 3, code: "import { Effect } from \"effect\"\n  const x = 1" }
    ])
    expect(bareExamples("a.ts", source)).toEqual([])
    expect(bareExamples("b.ts", "/**\n * @example\n * foo()\n */")).toHaveLength(1)
  })
})

describe("every snippet compiles", () => {
  it("a broken snippet is reported at its file and line", () => {
    const problems = check([
      { source: "docs/x.md", line: 10, code: "import { Cache } from \"@cachet/core\"\nconst n: number = Cache.layer" }
    ], [])
    expect(format(problems)).toMatch(/^docs\/x\.md:11:7 TS2322: /)
  }, 120_000)

  it("the docs, the READMEs, the @examples and packages/*/examples", () => {
    const snippets = collect()
    const bare = sourceFiles().flatMap((file) => bareExamples(Path.relative(root, file), Fs.readFileSync(file, "utf8")))
    const problems = [...bare, ...check(snippets)]
    expect(snippets.length).toBeGreaterThan(0)
    expect(problems.length, `${problems.length} problem(s) in ${snippets.length} snippets:\n${format(problems)}\n`)
      .toBe(0)
  }, 180_000)
})
