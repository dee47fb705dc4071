import { createRequire } from "node:module"
import { defineProject, mergeConfig } from "vitest/config"

import shared from "../../vitest.shared.js"

// One graphql-js in the tests: Yoga, loaded by Node, takes graphql's CommonJS build; the
// workspace sources, loaded by Vite, would take its ESM build ("from another module or realm").
const graphql = createRequire(import.meta.url).resolve("graphql")

export default mergeConfig(shared, defineProject({ resolve: { alias: [{ find: /^graphql$/, replacement: graphql }] } }))
