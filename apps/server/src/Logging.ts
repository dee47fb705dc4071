/**
 * Logging from config: `LOG_LEVEL` (info) and `LOG_FORMAT` (`logfmt` default, `json`,
 * `pretty`). Everything logs through Effect; one structured line per request.
 *
 * @since 0.1.0
 */
import { Config, Effect, Layer, Logger, LogLevel } from "effect"

const formats = {
  logfmt: Logger.logFmt,
  json: Logger.json,
  pretty: Logger.pretty
} as const

/**
 * @since 0.1.0
 * @category layers
 */
export const LoggingLive = Layer.unwrapEffect(
  Effect.gen(function* () {
    const level = yield* Config.logLevel("LOG_LEVEL").pipe(Config.withDefault(LogLevel.Info))
    const format = yield* Config.literal("logfmt", "json", "pretty")("LOG_FORMAT").pipe(Config.withDefault("logfmt" as const))
    const logger = formats[format]
    return Layer.mergeAll(
      Logger.minimumLogLevel(level),
      logger,
      // `NodeRuntime.runMain` swaps the default logger for the pretty one.
      Logger.remove(Logger.prettyLoggerDefault)
    )
  })
)
