/**
 * @since 0.1.0
 */
export * as ETag from "./ETag.js"
export * as HttpCache from "./HttpCache.js"
export * as StoredResponse from "./StoredResponse.js"
