import type { Redis, RedisOptions } from "ioredis"

import type { Logger } from "../logger.js"
import { BaseClient, type SetOptions } from "./BaseClient.js"

/**
 * How to reach Redis, in RedwoodJS's (node-redis') terms: a `url` (`redis://[user:pass@]host:port/db`)
 * or `socket` / `username` / `password` / `database`, plus `ioredis` options of this
 * implementation, and a `logger` for connection errors.
 *
 * @since 0.1.0
 * @category models
 */
export interface RedisClientOptions {
  readonly url?: string | undefined
  readonly socket?: { readonly host?: string | undefined; readonly port?: number | undefined } | undefined
  readonly username?: string | undefined
  readonly password?: string | undefined
  readonly database?: number | undefined
  readonly name?: string | undefined
  /** Any other `ioredis` option (this client runs on ioredis). */
  readonly ioredis?: RedisOptions | undefined
  readonly logger?: Pick<Logger, "error"> | undefined
}

/**
 * A Redis cache client: values as JSON, `expires` as `EX`. It connects on first use and, like
 * RedwoodJS's, has no `disconnect` (a timed-out call does not drop the connection: the client
 * reconnects by itself); `close()` ends the connection so a process can exit.
 *
 * @since 0.1.0
 * @category clients
 */
export class RedisClient extends BaseClient {
  /** The `ioredis` connection, once connected. */
  client: Redis | null = null
  /** Where connection errors go. */
  readonly logger: Pick<Logger, "error"> | undefined
  /** The options the connection is made with. */
  readonly redisOptions: Omit<RedisClientOptions, "logger">

  constructor(options: RedisClientOptions = {}) {
    super()
    const { logger, ...redisOptions } = options
    this.logger = logger
    this.redisOptions = redisOptions
  }

  /** Opens the connection (loading `ioredis` only now). */
  async connect(): Promise<void> {
    const { Redis } = await import("ioredis")
    const { database, ioredis, name, password, socket, url, username } = this.redisOptions
    const options: RedisOptions = {
      lazyConnect: true,
      ...(socket?.host !== undefined ? { host: socket.host } : {}),
      ...(socket?.port !== undefined ? { port: socket.port } : {}),
      ...(username !== undefined ? { username } : {}),
      ...(password !== undefined ? { password } : {}),
      ...(database !== undefined ? { db: database } : {}),
      ...(name !== undefined ? { connectionName: name } : {}),
      ...ioredis
    }
    const client = url === undefined ? new Redis(options) : new Redis(url, options)
    client.on("error", (error: unknown) => this.logger?.error(error))
    this.client = client
    await client.connect()
  }

  private async connected(): Promise<Redis> {
    if (this.client === null) await this.connect()
    return this.client!
  }

  /** The value (parsed from JSON), or `null`. */
  async get(key: string): Promise<unknown> {
    const result = await (await this.connected()).get(key)
    return result ? JSON.parse(result) as unknown : null
  }

  /** Stores `value` as JSON, with `EX options.expires` when given. */
  async set(key: string, value: unknown, options: SetOptions = {}): Promise<unknown> {
    const client = await this.connected()
    const text = JSON.stringify(value)
    return options.expires ? client.set(key, text, "EX", options.expires) : client.set(key, text)
  }

  /** Removes `key`; true when it existed. */
  async del(key: string): Promise<boolean> {
    return (await (await this.connected()).del(key)) > 0
  }

  /** Ends the connection (gracefully when it is up); a later call connects again. */
  async close(): Promise<void> {
    const client = this.client
    this.client = null
    if (client === null) return
    if (client.status === "ready") await client.quit()
    else client.disconnect()
  }
}
