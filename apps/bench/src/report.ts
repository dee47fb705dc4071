/**
 * Where `npm run bench` writes its figures: between two marker comments in docs/performance.md,
 * so the page's own text around them (how to read and run each section) is kept.
 */

/** The comment that opens the generated figures. */
export const startMarker = "<!-- bench:start -->"

/** The comment that closes the generated figures. */
export const endMarker = "<!-- bench:end -->"

/**
 * Replaces what lies between the markers of `page` with `figures` (the markers stay). Throws when
 * the page does not hold exactly one start marker followed by one end marker.
 */
export const splice = (page: string, figures: string): string => spliceBetween(page, startMarker, endMarker, figures)

/**
 * The markers of a section kept in a place of its own on the page (`<!-- bench:<name>:start -->`),
 * written each time the section runs, alone or in a full run.
 */
export const sectionMarkers = (name: string): readonly [string, string] => [
  `<!-- bench:${name}:start -->`,
  `<!-- bench:${name}:end -->`
]

/** Replaces what lies between one `startMarker` and one `endMarker` of `page` with `figures`. */
export const spliceBetween = (page: string, startMarker: string, endMarker: string, figures: string): string => {
  const start = page.indexOf(startMarker)
  const end = page.indexOf(endMarker)
  if (
    start === -1 || end === -1 || end < start || page.indexOf(startMarker, start + 1) !== -1 ||
    page.indexOf(endMarker, end + 1) !== -1
  ) {
    throw new Error(`the page must hold one "${startMarker}" followed by one "${endMarker}"`)
  }
  return page.slice(0, start + startMarker.length) + "\n\n" + figures.trim() + "\n\n" + page.slice(end)
}
