/**
 * `@cachet/http/node`: what needs `node:http` — a server whose responses always settle
 * (`createServer`), and the `FrontDoor` that answers cached reads before Effect's HTTP server.
 *
 * @since 0.1.0
 */
export * as FrontDoor from "./FrontDoor.js"
export { createServer, SettlingResponse } from "./NodeServer.js"
