import { defineProject, mergeConfig } from "vitest/config"
import shared from "../../vitest.shared.js"

/** The docs checks: every snippet and example, and the built site in a browser. */
export default mergeConfig(shared, defineProject({ test: { name: "docs" } }))
