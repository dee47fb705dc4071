/**
 * Compare-and-swap on memcached's binary protocol, which memjs speaks but does not expose:
 * `gets` reads an item with its CAS token, `cas` writes it only if nobody changed it since.
 * Requests go through memjs's own connection (`perform`), so they share its timeouts,
 * retries and server hashing.
 */
import type { Client } from "memjs"

/** An item's value and the CAS token of that version. @internal */
export interface Versioned {
  readonly value: Buffer
  readonly cas: Buffer
}

const GET = 0x00
const SET = 0x01
const MAGIC_REQUEST = 0x80
const STATUS_OK = 0x0000
const STATUS_NOT_FOUND = 0x0001
const STATUS_EXISTS = 0x0002

interface Response {
  readonly header: { readonly status: number; readonly cas: Buffer }
  readonly val: Buffer
}

const request = (opcode: number, key: string, extras: Buffer, value: Buffer, opaque: number, cas?: Buffer): Buffer => {
  const keyBytes = Buffer.from(key, "utf8")
  const buf = Buffer.alloc(24 + extras.length + keyBytes.length + value.length)
  buf.writeUInt8(MAGIC_REQUEST, 0)
  buf.writeUInt8(opcode, 1)
  buf.writeUInt16BE(keyBytes.length, 2)
  buf.writeUInt8(extras.length, 4)
  buf.writeUInt32BE(extras.length + keyBytes.length + value.length, 8)
  buf.writeUInt32BE(opaque, 12)
  if (cas !== undefined) cas.copy(buf, 16, 0, 8)
  extras.copy(buf, 24)
  keyBytes.copy(buf, 24 + extras.length)
  value.copy(buf, 24 + extras.length + keyBytes.length)
  return buf
}

const perform = (client: Client, key: string, build: (opaque: number) => Buffer): Promise<Response> =>
  new Promise((resolve, reject) => {
    client.incrSeq()
    const seq = client.seq
    client.perform(key, build(seq), seq, (error: Error | null, response: Response) => {
      if (error !== null) reject(error)
      else resolve(response)
    })
  })

const failure = (operation: string, status: number): Error =>
  new Error(`memcached ${operation} failed with status 0x${status.toString(16).padStart(4, "0")}`)

/** Reads an item with its CAS token; `null` when it is absent. @internal */
export const gets = async (client: Client, key: string): Promise<Versioned | null> => {
  const response = await perform(client, key, (opaque) => request(GET, key, Buffer.alloc(0), Buffer.alloc(0), opaque))
  switch (response.header.status) {
    case STATUS_OK:
      return { value: response.val, cas: Buffer.from(response.header.cas) }
    case STATUS_NOT_FOUND:
      return null
    default:
      throw failure("gets", response.header.status)
  }
}

/**
 * Writes an item only if its CAS token is still `cas`: `true` when written, `false` when it
 * changed or vanished meanwhile (read it again). `expires` in memcached's seconds field.
 * @internal
 */
export const cas = async (
  client: Client,
  key: string,
  value: string,
  cas: Buffer,
  expires: number
): Promise<boolean> => {
  const extras = Buffer.alloc(8)
  extras.writeUInt32BE(0, 0)
  extras.writeUInt32BE(expires, 4)
  const response = await perform(
    client,
    key,
    (opaque) => request(SET, key, extras, Buffer.from(value, "utf8"), opaque, cas)
  )
  switch (response.header.status) {
    case STATUS_OK:
      return true
    case STATUS_EXISTS:
    case STATUS_NOT_FOUND:
      return false
    default:
      throw failure("cas", response.header.status)
  }
}
