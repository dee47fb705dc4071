/**
 * @since 0.1.0
 */
export * as EntityGraph from "./EntityGraph.js"
/**
 * @since 0.1.0
 */
export * as Normalize from "./Normalize.js"
/**
 * @since 0.1.0
 */
export * as Documents from "./Documents.js"
/**
 * @since 0.1.0
 */
export * as NormalizedQuery from "./NormalizedQuery.js"
