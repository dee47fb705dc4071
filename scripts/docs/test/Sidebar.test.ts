/** The sidebar is generated from the docs tree: sections, titles from headings, order, the API reference. */
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { firstHeading, linkOf, sidebar } from "../../../docs/.vitepress/sidebar.js"

const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "cachet-sidebar-"))
afterAll(() => Fs.rmSync(dir, { recursive: true, force: true }))

const page = (relative: string, text: string): void => {
  Fs.mkdirSync(Path.dirname(Path.join(dir, relative)), { recursive: true })
  Fs.writeFileSync(Path.join(dir, relative), text)
}

describe("sidebar", () => {
  it("a title is the first # heading outside code fences", () => {
    expect(firstHeading("---\ntitle: x\n---\n```sh\n# not this\n```\n# Tags and versions {#tags}\n## Sub")).toBe(
      "Tags and versions"
    )
    expect(firstHeading("no heading")).toBeUndefined()
  })

  it("links follow VitePress's clean URLs", () => {
    expect(linkOf("index.md")).toBe("/")
    expect(linkOf("concepts/ttl-and-grace.md")).toBe("/concepts/ttl-and-grace")
    expect(linkOf(Path.join("api", "core", "index.md"))).toBe("/api/core/")
  })

  it("places pages in their sections, ordered by front matter then title, and nests the API", () => {
    page("index.md", "# Cachet\n")
    page("getting-started.md", "# Getting started\n")
    page("concepts/keys.md", "# Keys\n")
    page("concepts/freshness.md", "---\norder: 1\n---\n# Freshness\n")
    page("packages/core.md", "# @cachet/core\n")
    page("cli.md", "# The CLI\n")
    page("faq.md", "# FAQ\n")
    page("performance.md", "# Performance\n")
    page("internals.md", "# Internals\n")
    page("contributing.md", "# Contributing\n")
    page("api/index.md", "# API reference\n")
    page("api/core/index.md", "# @cachet/core\n")
    page("api/core/namespaces/Cache.md", "# Cache\n")
    page("api/stores.md", "# @cachet/stores\n")
    const items = sidebar(dir)
    expect(items.map((section) => [section.text, section.items?.map((item) => item.text)])).toEqual([
      ["Getting started", ["Cachet", "Getting started"]],
      ["Concepts", ["Freshness", "Keys"]],
      ["Packages", ["@cachet/core"]],
      ["Guides", ["The CLI", "FAQ"]],
      ["Internals & performance", ["Internals", "Performance"]],
      ["Contributing", ["Contributing"]],
      ["API reference", ["Overview", "@cachet/core", "@cachet/stores"]]
    ])
    const api = items.at(-1)!.items!
    expect(api[1]).toEqual({
      text: "@cachet/core",
      link: "/api/core/",
      collapsed: true,
      items: [{ text: "Cache", link: "/api/core/namespaces/Cache" }]
    })
  })
})
