/**
 * @since 0.1.0
 */
export * as CachetExchange from "./CachetExchange.js"
/**
 * The exchange and the pagination helpers, by the names urql users know.
 *
 * @since 0.1.0
 */
export { cachetExchange, relayPagination, simplePagination } from "./CachetExchange.js"
