/**
 * A cache client did not answer within `createCache`'s `timeout`. Thrown by a client's `get`,
 * it makes the cache call the client's `disconnect` (when it has one) and run the function.
 *
 * @since 0.1.0
 * @category errors
 */
export class CacheTimeoutError extends Error {
  constructor() {
    super("Timed out waiting for response from the cache server")
    this.name = "CacheTimeoutError"
  }
}
