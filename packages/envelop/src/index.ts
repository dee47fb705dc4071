/**
 * @since 0.1.0
 */
export * from "./useCachet.js"
