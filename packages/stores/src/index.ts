/**
 * @since 0.1.0
 */
export * as StoreSpec from "./StoreSpec.js"
