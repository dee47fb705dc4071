/**
 * Test helpers for Cachet stores and caches.
 *
 * @since 0.1.0
 */
export * as CacheAssert from "./CacheAssert.js"
export * as ChaosProxy from "./ChaosProxy.js"
export * as FaultyStore from "./FaultyStore.js"
export * as RedisCluster from "./RedisCluster.js"
export * as Servers from "./Servers.js"
export * as StoreSuite from "./StoreSuite.js"
