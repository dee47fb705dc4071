/**
 * @since 0.1.0
 */
export * as Key from "./Key.js"
