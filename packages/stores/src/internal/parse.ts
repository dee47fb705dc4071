import { Either } from "effect"

import type { StoreSpec } from "../StoreSpec.js"

/** @internal */
export const syntax =
  "memory | sqlite:PATH | redis://URL | redis+cluster://HOST:PORT[,HOST:PORT] | memcached://HOST:PORT[,HOST:PORT]"

const hostPort = /^(\[[0-9a-fA-F:.]+\]|[^\s:,/@[\]]+):(\d{1,5})$/

/** `host:port` with a port in range, or undefined. @internal */
export const parseHostPort = (text: string): { readonly host: string; readonly port: number } | undefined => {
  const match = hostPort.exec(text)
  if (match === null) return undefined
  const port = Number(match[2])
  return port >= 1 && port <= 65535 ? { host: match[1]!.replace(/^\[|\]$/g, ""), port } : undefined
}

interface Credentials {
  readonly username?: string
  readonly password?: string
}

const splitCredentials = (rest: string): [Credentials, string] => {
  const at = rest.lastIndexOf("@")
  if (at < 0) return [{}, rest]
  const auth = rest.slice(0, at)
  const colon = auth.indexOf(":")
  const username = decodeURIComponent(colon < 0 ? auth : auth.slice(0, colon))
  const password = colon < 0 ? undefined : decodeURIComponent(auth.slice(colon + 1))
  return [
    { ...(username === "" ? {} : { username }), ...(password === undefined ? {} : { password }) },
    rest.slice(at + 1)
  ]
}

const parseCluster = (value: string): StoreSpec | undefined => {
  const [credentials, hosts] = splitCredentials(value.slice("redis+cluster://".length))
  const nodes = hosts.replace(/\/+$/, "").split(",").map(parseHostPort)
  if (nodes.length === 0 || nodes.some((node) => node === undefined)) return undefined
  return { _tag: "RedisCluster", url: value, nodes: nodes as Array<{ host: string; port: number }>, ...credentials }
}

const maskCluster = (url: string): string => url.replace(/^(redis\+cluster:\/\/[^:@/]*:)[^@]*@/, "$1***@")

/** @internal */
export const parse = (text: string): Either.Either<StoreSpec, string> => {
  const value = text.trim()
  if (value === "") return Either.left(`empty store (expected ${syntax})`)
  if (value === "memory") return Either.right({ _tag: "Memory" })
  if (value.startsWith("sqlite:")) {
    // `sqlite:///abs/path` is the URL form of `sqlite:/abs/path`.
    const filename = value.slice("sqlite:".length).replace(/^\/\/(?=\/)/, "")
    return filename === ""
      ? Either.left("sqlite needs a file: sqlite:PATH (e.g. sqlite:./data/cache.db)")
      : Either.right({ _tag: "Sqlite", filename })
  }
  if (value.startsWith("redis://") || value.startsWith("rediss://")) {
    try {
      if (new URL(value).hostname !== "") return Either.right({ _tag: "Redis", url: value })
    } catch {
      // not a URL
    }
    return Either.left(`not a Redis URL (redis://host:port[/db]): ${value}`)
  }
  if (value.startsWith("redis+cluster://")) {
    const cluster = parseCluster(value)
    return cluster === undefined
      ? Either.left(
        `redis+cluster needs [user:password@]HOST:PORT[,HOST:PORT] (got ${JSON.stringify(maskCluster(value))})`
      )
      : Either.right(cluster)
  }
  if (value.startsWith("memcached://")) {
    const servers = value.slice("memcached://".length).replace(/\/+$/, "")
    return servers !== "" && servers.split(",").every((server) => parseHostPort(server) !== undefined)
      ? Either.right({ _tag: "Memcached", servers })
      : Either.left(`memcached needs HOST:PORT[,HOST:PORT] (got ${JSON.stringify(value)})`)
  }
  return Either.left(`unknown store ${JSON.stringify(value)} (expected ${syntax})`)
}

/** @internal */
export const format = (spec: StoreSpec): string => {
  switch (spec._tag) {
    case "Memory":
      return "memory"
    case "Sqlite":
      return `sqlite:${spec.filename}`
    case "Redis":
    case "RedisCluster":
      return spec.url
    case "Memcached":
      return `memcached://${spec.servers}`
  }
}

const maskUrl = (text: string): string => {
  const url = new URL(text)
  if (url.password !== "") url.password = "***"
  return url.toString()
}

/** @internal */
export const describe = (spec: StoreSpec, tiered: boolean): string => {
  switch (spec._tag) {
    case "Memory":
      return "memory (per-process LRU)"
    case "Sqlite":
      return `sqlite (${spec.filename})`
    case "Redis":
      return `redis (${maskUrl(spec.url)}${tiered ? ", tiered under memory, with the bus" : ", with the bus"})`
    case "RedisCluster":
      return `redis cluster (${maskCluster(spec.url)}${
        tiered ? ", tiered under memory, with the bus" : ", with the bus"
      })`
    case "Memcached":
      return `memcached (${spec.servers})`
  }
}

/** The servers of a networked store, as host and port. @internal */
export const endpoints = (spec: StoreSpec): ReadonlyArray<{ readonly host: string; readonly port: number }> => {
  switch (spec._tag) {
    case "Redis": {
      const url = new URL(spec.url)
      return [{ host: url.hostname.replace(/^\[|\]$/g, "") || "127.0.0.1", port: Number(url.port || 6379) }]
    }
    case "RedisCluster":
      return spec.nodes
    case "Memcached":
      return spec.servers.split(",").flatMap((server) => parseHostPort(server) ?? [])
    default:
      return []
  }
}
