/**
 * What the cache logs to: RedwoodJS passes its (pino) logger; anything with `debug` and
 * `error` will do.
 *
 * @since 0.1.0
 * @category models
 */
export interface Logger {
  debug(message: string): void
  error(message: unknown): void
}
