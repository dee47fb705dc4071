/**
 * @since 0.1.0
 */
export * as AdminClient from "./AdminClient.js"
export * as CacheAdmin from "./CacheAdmin.js"
export * as CacheApi from "./CacheApi.js"
export * as CacheBrowse from "./CacheBrowse.js"
