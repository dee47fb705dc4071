/**
 * RedwoodJS's field-name humanising: `humanize-string` (decamelize, `_`/`-` to spaces, first
 * letter upper case) then `title-case` 3 (small words lower case unless first or last).
 * Written from their behaviour; the cases are pinned by test/humanize.test.ts.
 */

const decamelize = (text: string): string =>
  text
    .replace(/([\p{Ll}\d])(\p{Lu})/gu, "$1_$2")
    .replace(/(\p{Lu}+)(\p{Lu}[\p{Ll}\d]+)/gu, "$1_$2")
    .toLowerCase()

/** `"myEmail"` and `"my_email"` → `"My email"`. @internal */
export const humanize = (input: string): string => {
  const words = decamelize(input).replace(/[_-]+/g, " ").replace(/\s{2,}/g, " ").trim()
  return words.charAt(0).toUpperCase() + words.slice(1)
}

const smallWords = [
  "an?d?",
  "a[st]",
  "because",
  "but",
  "by",
  "en",
  "for",
  "i[fn]",
  "neither",
  "nor",
  "o[fnr]",
  "only",
  "over",
  "per",
  "so",
  "some",
  "tha[tn]",
  "the",
  "to",
  "up",
  "upon",
  "vs?\\.?",
  "versus",
  "via",
  "when",
  "with",
  "without",
  "yet"
]
const smallWord = new RegExp(`\\b(?:${smallWords.join("|")})\\b`, "i")
const manualCase = /.(?=[A-Z]|\..)/
const firstAlphanumeric = /[A-Za-z0-9\u00C0-\u00FF]/

/** `"Terms of purchase"` → `"Terms of Purchase"`. @internal */
export const titleCase = (input: string): string => {
  let out = ""
  for (const match of input.matchAll(/[^\s:–—-]+|./g)) {
    const token = match[0]
    const index = match.index
    const end = index + token.length
    const capitalise = !manualCase.test(token) &&
      (!smallWord.test(token) || index === 0 || end === input.length) &&
      (input.charAt(end) !== ":" || /\s/.test(input.charAt(end + 1)))
    out += capitalise ? token.replace(firstAlphanumeric, (c) => c.toUpperCase()) : token
  }
  return out
}

/** What a field name or an option value reads as in a message. @internal */
export const display = (value: unknown): string => titleCase(humanize(String(value)))
