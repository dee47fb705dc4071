/**
 * @since 0.1.0
 */
export * as ETag from "./ETag.js"
export * as HttpApiCache from "./HttpApiCache.js"
export * as HttpCache from "./HttpCache.js"
export * as HttpServe from "./HttpServe.js"
export * as StoredResponse from "./StoredResponse.js"
