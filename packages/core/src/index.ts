/**
 * @since 0.1.0
 */
export * as Codec from "./Codec.js"
export * as Key from "./Key.js"
export * as MemoryStore from "./MemoryStore.js"
export * as Store from "./Store.js"
export * as Tag from "./Tag.js"
export * as TagVersions from "./TagVersions.js"
