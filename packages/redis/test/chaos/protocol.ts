/**
 * What the chaos suite's parent and its app processes (`node.ts`) say to each other over the
 * IPC channel, and how a process is configured.
 */
import type { RedisClient } from "../../src/index.js"

/** The store an app process uses, reached through the parent's proxies. */
export type StoreConfig =
  | { readonly _tag: "redis"; readonly url: string }
  | {
    readonly _tag: "cluster"
    readonly nodes: ReadonlyArray<RedisClient.ClusterNode>
    /** Announced `"host:port"` → the proxy in front of that node. */
    readonly natMap: Record<string, { readonly host: string; readonly port: number }>
  }
  | { readonly _tag: "memcached"; readonly servers: string; readonly busUrl: string }

/** An app process's settings (`CACHET_CHAOS_NODE`, JSON). */
export interface NodeConfig {
  readonly store: StoreConfig
  readonly localTtlMillis: number
  readonly storeTimeoutMillis: number
  readonly invalidationRetryMillis: number
}

/** Parent → app process. */
export type ToNode =
  | { readonly _tag: "read"; readonly rid: number; readonly key: number }
  | { readonly _tag: "invalidate"; readonly rid: number; readonly key: number }
  | { readonly _tag: "heap"; readonly rid: number }
  | { readonly _tag: "fetched"; readonly rid: number; readonly id: number }

/** App process → parent. */
export type ToParent =
  | { readonly _tag: "ready" }
  | { readonly _tag: "done"; readonly rid: number; readonly value: number }
  | { readonly _tag: "done"; readonly rid: number; readonly error: string }
  | { readonly _tag: "fetch"; readonly rid: number; readonly key: number }
