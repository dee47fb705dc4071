import { describe, expect, it } from "vitest"
import { endMarker, sectionMarkers, splice, spliceBetween, startMarker } from "../src/report.js"

describe("splice", () => {
  it("replaces only what lies between the markers", () => {
    const page = `# Performance\n\nintro\n\n${startMarker}\n\nold figures\n\n${endMarker}\n\nhow to run\n`
    expect(splice(page, "## Hits\n\nnew figures\n")).toBe(
      `# Performance\n\nintro\n\n${startMarker}\n\n## Hits\n\nnew figures\n\n${endMarker}\n\nhow to run\n`
    )
  })

  it("is idempotent for the same figures", () => {
    const page = `a\n${startMarker}\n${endMarker}\nb`
    const once = splice(page, "x")
    expect(splice(once, "x")).toBe(once)
  })

  it("refuses a page without both markers in order", () => {
    expect(() => splice("no markers", "x")).toThrow()
    expect(() => splice(`${endMarker}\n${startMarker}`, "x")).toThrow()
    expect(() => splice(`${startMarker}${startMarker}${endMarker}`, "x")).toThrow()
  })
})

describe("sectionMarkers", () => {
  it("keep a section apart from the full run's block", () => {
    const [start, end] = sectionMarkers("graphql-servers")
    const page = `${startMarker}\nall\n${endMarker}\n\n${start}\nold\n${end}\n`
    const written = spliceBetween(page, start, end, "new")
    expect(written).toBe(`${startMarker}\nall\n${endMarker}\n\n${start}\n\nnew\n\n${end}\n`)
    expect(splice(written, "full")).toBe(`${startMarker}\n\nfull\n\n${endMarker}\n\n${start}\n\nnew\n\n${end}\n`)
  })
})
