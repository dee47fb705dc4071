/**
 * @since 0.1.0
 */
export * as Cost from "./Cost.js"
export * as FragmentKey from "./FragmentKey.js"
export * as GraphQLCache from "./GraphQLCache.js"
export * as GraphQLHttp from "./GraphQLHttp.js"
export * as GraphQLServer from "./GraphQLServer.js"
