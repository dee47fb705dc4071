/**
 * @since 0.1.0
 */
export * as MemcachedStore from "./MemcachedStore.js"
