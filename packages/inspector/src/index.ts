/**
 * @since 0.1.0
 */
export * as Inspector from "./Inspector.js"
export * as Landing from "./Landing.js"
