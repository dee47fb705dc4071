import type { ViteUserConfig } from "vitest/config"

/** Settings every package's vitest project shares: read workspace packages from their TypeScript sources. */
const config: ViteUserConfig = {
  resolve: { conditions: ["@cachet/source"] },
  ssr: { resolve: { conditions: ["@cachet/source"] } },
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    passWithNoTests: true,
    hookTimeout: 60_000
  }
}

export default config
