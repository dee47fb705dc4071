/**
 * @since 0.1.0
 */
export * as BoundedMemo from "./BoundedMemo.js"
export * as Bus from "./Bus.js"
export * as Cache from "./Cache.js"
export * as CacheMetrics from "./CacheMetrics.js"
export * as CircuitBreaker from "./CircuitBreaker.js"
export * as Codec from "./Codec.js"
export * as Key from "./Key.js"
export * as KvStore from "./KvStore.js"
export * as Lock from "./Lock.js"
export * as MemoryStore from "./MemoryStore.js"
export * as Policy from "./Policy.js"
export * as QueryCache from "./QueryCache.js"
export * as Store from "./Store.js"
export * as Tag from "./Tag.js"
export * as TagVersions from "./TagVersions.js"
export * as TieredStore from "./TieredStore.js"
