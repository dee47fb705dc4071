/**
 * Logging from config: `CACHET_LOG_LEVEL` (info) and `CACHET_LOG_FORMAT` (`logfmt` default,
 * `json`, `pretty`). Everything logs through Effect; one structured line per
 * request.
 *
 * @since 0.1.0
 */
import { Config, ConfigError, Effect, Either, Layer, Logger, LogLevel } from "effect"

import * as AppConfig from "./Config.js"

const formats = {
  logfmt: Logger.logFmt,
  json: Logger.json,
  pretty: Logger.pretty
} as const

/**
 * `CACHET_LOG_LEVEL`: all, trace, debug, info, warn (or warning), error, fatal, none (or off); any case.
 *
 * @since 0.1.0
 * @category config
 */
export const levelConfig: Config.Config<LogLevel.LogLevel> = AppConfig.logging.level.pipe(
  Config.map((value) => ({ warning: "warn", none: "off" } as Record<string, string>)[value.toLowerCase()] ?? value),
  Config.mapOrFail((value) => {
    const level = LogLevel.allLevels.find((level) => level.label === value.toUpperCase())
    return level === undefined
      ? Either.left(
        ConfigError.InvalidData(
          ["CACHET_LOG_LEVEL"],
          `expected all, trace, debug, info, warn, error, fatal or none; got ${JSON.stringify(value)}`
        )
      )
      : Either.right(level)
  }),
  Config.withDefault(LogLevel.Info)
)

/**
 * @since 0.1.0
 * @category layers
 */
export const LoggingLive = Layer.unwrapEffect(
  Effect.gen(function*() {
    const level = yield* levelConfig
    const format = yield* AppConfig.logging.format
    const logger = formats[format]
    return Layer.mergeAll(
      Logger.minimumLogLevel(level),
      logger,
      // `NodeRuntime.runMain` swaps the default logger for the pretty one.
      Logger.remove(Logger.prettyLoggerDefault)
    )
  })
)
