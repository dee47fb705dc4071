/**
 * @since 0.1.0
 */
export * as RedisBus from "./RedisBus.js"
export * as RedisClient from "./RedisClient.js"
export * as RedisLock from "./RedisLock.js"
export * as RedisStore from "./RedisStore.js"
