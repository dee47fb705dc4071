/**
 * @since 0.1.0
 */
export * as PromiseCache from "./PromiseCache.js"

export {
  /**
   * Opens a cache (`PromiseCache.createCache`).
   *
   * @since 0.1.0
   * @category constructors
   */
  createCache
} from "./PromiseCache.js"
