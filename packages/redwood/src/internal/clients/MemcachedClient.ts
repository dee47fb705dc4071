import type { Client, ClientOptions, ServerOptions } from "memjs"

import { BaseClient, type SetOptions } from "./BaseClient.js"

/**
 * A Memcached cache client on `memjs`, as RedwoodJS's: `servers` is memjs' server list
 * (`"localhost:11211"`, comma-separated for several), values are JSON, `expires` in seconds.
 * It connects on first use; `disconnect` (called after a timeout) closes the connection and the
 * next call opens a new one.
 *
 * @since 0.1.0
 * @category clients
 */
export class MemcachedClient extends BaseClient {
  /** The memjs client, once connected. */
  client: Client | null = null
  /** The servers to connect to. */
  readonly servers: string
  /** memjs' options. */
  readonly options: (ClientOptions & ServerOptions) | undefined

  constructor(servers: string, options?: ClientOptions & ServerOptions) {
    super()
    this.servers = servers
    this.options = options
  }

  /** Creates the memjs client (loading `memjs` only now). */
  async connect(): Promise<void> {
    const memjs = await import("memjs")
    this.client = memjs.Client.create(this.servers, this.options)
  }

  /** Closes the connection; the next call reconnects. */
  override async disconnect(): Promise<void> {
    this.client?.close()
    this.client = null
  }

  /** The same as `disconnect`: lets a process exit. */
  close(): Promise<void> {
    return this.disconnect()
  }

  private async connected(): Promise<Client> {
    if (this.client === null) await this.connect()
    return this.client!
  }

  /** The value (parsed from JSON), or `null`. */
  async get(key: string): Promise<unknown> {
    const result = await (await this.connected()).get(key)
    return result.value ? JSON.parse(result.value.toString()) as unknown : null
  }

  /** Stores `value` as JSON for `options.expires` seconds (default: until evicted). */
  async set(key: string, value: unknown, options: SetOptions = {}): Promise<boolean> {
    const client = await this.connected()
    return client.set(key, JSON.stringify(value), options.expires ? { expires: options.expires } : {})
  }

  /** Removes `key`; true when it existed. */
  async del(key: string): Promise<boolean> {
    return (await this.connected()).delete(key)
  }
}
