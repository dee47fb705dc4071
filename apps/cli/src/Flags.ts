/**
 * Parsers of the values the commands take: durations (`60s`, `1h`), tags (`users/1`), JSON
 * values. A value that does not parse is a usage error (exit code 2).
 *
 * @since 0.1.0
 */
import { Tag } from "@cachet/core"
import { Args, HelpDoc, Options } from "@effect/cli"
import { Duration, Effect, Either } from "effect"

import { invalid } from "./Settings.js"

const units: Record<string, number> = {
  ms: 1,
  s: 1_000,
  sec: 1_000,
  m: 60_000,
  min: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000
}

/**
 * The longest finite duration accepted: 10 years (longer is `forever`, or a typo).
 *
 * @since 0.1.0
 * @category constants
 */
export const maxDuration: Duration.Duration = Duration.days(3_650)

/**
 * Parses `500ms`, `60s`, `5m`, `1h`, `2d`, `1w` (a bare number is seconds) or `forever`.
 * Durations over {@link maxDuration}, or below a millisecond but not zero, are refused.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parseDuration = (text: string): Either.Either<Duration.Duration, string> => {
  const value = text.trim().toLowerCase()
  if (value === "forever" || value === "infinity") return Either.right(Duration.infinity)
  const match = /^(\d{1,15}(?:\.\d{1,9})?)\s*(ms|s|sec|m|min|h|d|w)?$/.exec(value)
  if (match === null) return Either.left(`invalid duration "${text}" (expected e.g. 500ms, 60s, 5m, 1h, 2d or forever)`)
  const millis = Number(match[1]) * units[match[2] ?? "s"]!
  if (!(millis <= Duration.toMillis(maxDuration))) {
    return Either.left(`duration "${text}" is too long (at most 10 years; use forever for no expiry)`)
  }
  if (millis > 0 && millis < 1) return Either.left(`duration "${text}" is below a millisecond`)
  return Either.right(Duration.millis(millis))
}

/**
 * Checks a tag path (`users/1`): non-empty segments separated by `/`.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parseTag = (text: string): Either.Either<string, string> =>
  text === "" || text.split("/").some((segment) => segment === "")
    ? Either.left(`invalid tag "${text}" (expected a path such as users/1)`)
    : Either.right(Tag.toString(Tag.parse(text)))

/**
 * Parses a JSON value.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parseJson = (text: string): Either.Either<unknown, string> =>
  Either.try({
    try: () => JSON.parse(text) as unknown,
    catch: () => `value is not JSON: ${text.length > 40 ? text.slice(0, 40) + "…" : text} (quote strings: '"hello"')`
  })

const check = <A>(result: Either.Either<A, string>) => Effect.mapError(result, invalid)
const checkArg = <A>(result: Either.Either<A, string>) => Effect.mapError(result, (reason) => HelpDoc.p(reason))

/**
 * A duration option; with `positive`, zero is refused too (a ttl of 0 would store nothing).
 *
 * @since 0.1.0
 * @category options
 */
export const duration = (
  name: string,
  description: string,
  { positive = false }: { readonly positive?: boolean } = {}
) =>
  Options.text(name).pipe(
    Options.withPseudoName("DURATION"),
    Options.withDescription(description),
    Options.mapEffect((text) =>
      check(Either.flatMap(parseDuration(text), (d) =>
        positive && Duration.toMillis(d) === 0
          ? Either.left(`--${name} must be longer than 0 (e.g. 60s, or forever)`)
          : Either.right(d)))
    ),
    Options.optional
  )

/**
 * The repeatable `--tag` option.
 *
 * @since 0.1.0
 * @category options
 */
export const tags = Options.text("tag").pipe(
  Options.withPseudoName("TAG"),
  Options.withDescription("A tag of the entry, e.g. users/1 (repeatable); invalidating users also hits users/1."),
  Options.repeated,
  Options.mapEffect((texts) => check(Either.all(texts.map(parseTag))))
)

/**
 * The `<key>` argument.
 *
 * @since 0.1.0
 * @category args
 */
export const key = Args.text({ name: "key" }).pipe(
  Args.withDescription("The key of the entry (without the namespace).")
)

/**
 * One or more `<tag>` arguments.
 *
 * @since 0.1.0
 * @category args
 */
export const tagArgs = Args.text({ name: "tag" }).pipe(
  Args.withDescription("A tag path such as users/1; its descendants are hit too."),
  Args.mapEffect((text) => checkArg(parseTag(text))),
  Args.atLeast(1)
)

/**
 * The `<json>` value argument.
 *
 * @since 0.1.0
 * @category args
 */
export const jsonValue = Args.text({ name: "json" }).pipe(
  Args.withDescription("The value, as JSON (e.g. '{\"name\":\"Ada\"}' or '\"text\"')."),
  Args.mapEffect((text) => checkArg(parseJson(text)))
)

/**
 * A positive integer option with a default.
 *
 * @since 0.1.0
 * @category options
 */
export const positive = (name: string, fallback: number, description: string) =>
  Options.integer(name).pipe(
    Options.withPseudoName("N"),
    Options.withDescription(description),
    Options.mapEffect((
      n
    ) => (n > 0 ? Effect.succeed(n) : Effect.fail(invalid(`--${name} must be a positive integer`)))),
    Options.withDefault(fallback)
  )
