import type { ViteUserConfig } from "vitest/config"

/** Settings every package's vitest project shares: read workspace packages from their TypeScript sources. */
const config: ViteUserConfig = {
  resolve: { conditions: ["@cachet/source"] },
  ssr: { resolve: { conditions: ["@cachet/source"] } },
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    passWithNoTests: true,
    hookTimeout: 60_000,
    // Type tests (`*.test-d.ts`, `expectTypeOf` and `@ts-expect-error`): checked by `tsc` over
    // the package's `tsconfig.test-d.json` (those files and what they import), never run.
    typecheck: {
      enabled: true,
      include: ["test/**/*.test-d.ts"],
      tsconfig: "./tsconfig.test-d.json"
    }
  }
}

export default config
