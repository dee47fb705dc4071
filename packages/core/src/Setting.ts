/**
 * Cachet's settings: every package and app reads its configuration from `CACHET_<NAME>`, and
 * only from that name (there are no unprefixed aliases).
 *
 * @since 0.1.0
 */
import type { Config } from "effect"

/**
 * The prefix of every Cachet setting.
 *
 * @since 0.1.0
 * @category constants
 */
export const prefix = "CACHET_"

/**
 * The full name of a setting: `Setting.name("REDIS_URL")` is `"CACHET_REDIS_URL"`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const name = (name: string): string => `${prefix}${name}`

/**
 * A setting read from `CACHET_<name>`: `Setting.read(Config.integer, "PORT")` reads `CACHET_PORT`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const read = <A>(config: (name: string) => Config.Config<A>, name: string): Config.Config<A> =>
  config(`${prefix}${name}`)
