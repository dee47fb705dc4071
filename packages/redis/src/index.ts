/**
 * @since 0.1.0
 */
export * as RedisClient from "./RedisClient.js"
export * as RedisStore from "./RedisStore.js"
