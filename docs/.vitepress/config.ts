/**
 * The docs site: VitePress over `docs/`, static, with an offline local search and no resource
 * loaded from anywhere but the site itself. The sidebar is generated from the tree (`sidebar.ts`).
 */
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import { defineConfig } from "vitepress"
import { sidebar } from "./sidebar.js"

const srcDir = Path.resolve(Path.dirname(fileURLToPath(import.meta.url)), "..")

export default defineConfig({
  title: "Cachet",
  description: "A caching framework for TypeScript, built on Effect",
  lang: "en-US",
  cleanUrls: true,
  // A link to a page that does not exist fails the build.
  ignoreDeadLinks: false,
  lastUpdated: false,
  head: [["link", { rel: "icon", type: "image/svg+xml", href: "/favicon.svg" }]],
  // The local search index holds the whole API reference (~1 MB), loaded only when search opens.
  vite: { build: { chunkSizeWarningLimit: 2048 } },
  markdown: {
    // Snippets and examples are TypeScript checked by scripts/docs; highlight them the same way.
    theme: { light: "github-light", dark: "github-dark" }
  },
  themeConfig: {
    nav: [
      { text: "Guide", link: "/getting-started" },
      { text: "API", link: "/api/" }
    ],
    sidebar: sidebar(srcDir),
    outline: { level: [2, 3] },
    search: { provider: "local" }
  }
})
