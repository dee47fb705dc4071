import { createHash } from "node:crypto"

import type { Client } from "../RedisClient.js"

/** @internal */
export interface Script {
  readonly source: string
  readonly sha: string
}

/** @internal */
export const script = (source: string): Script => ({ source, sha: createHash("sha1").update(source).digest("hex") })

/**
 * Runs a Lua script by its digest, loading it with `EVAL` when the server does not know it yet.
 * @internal
 */
export const run = (
  client: Client,
  { sha, source }: Script,
  keys: ReadonlyArray<string>,
  args: ReadonlyArray<string | number>
): Promise<unknown> =>
  client.evalsha(sha, keys.length, ...keys, ...args).catch((error: unknown) =>
    error instanceof Error && error.message.startsWith("NOSCRIPT")
      ? client.eval(source, keys.length, ...keys, ...args)
      : Promise.reject(error)
  )

/** @internal */
export const GET_WITH_VERSIONS = script(`
local text = redis.call('GET', KEYS[1])
if not text then return false end
local ok, decoded = pcall(cjson.decode, text)
if not ok or type(decoded) ~= 'table' or type(decoded[7]) ~= 'table' then return {text} end
local seen, paths, fields = {}, {}, {}
for _, tag in ipairs(decoded[7]) do
  if type(tag) == 'string' then
    local pos = 1
    while true do
      local slash = string.find(tag, '/', pos, true)
      local path = tag
      if slash then path = string.sub(tag, 1, slash - 1) end
      if not seen[path] then
        seen[path] = true
        paths[#paths + 1] = path
        fields[#fields + 1] = 'h:' .. path
        fields[#fields + 1] = 's:' .. path
      end
      if not slash then break end
      pos = slash + 1
    end
  end
end
local out = {text}
if #fields > 0 then
  local vs = redis.call('HMGET', KEYS[2], unpack(fields))
  for i, path in ipairs(paths) do
    out[#out + 1] = path
    out[#out + 1] = vs[2 * i - 1] or '0'
    out[#out + 1] = vs[2 * i] or '0'
  end
end
return out
`)

/** @internal */
export const BUMP = script(`
local c = redis.call('INCR', KEYS[1])
local fields = {}
for i = 2, #ARGV do
  fields[#fields + 1] = ARGV[1] .. ARGV[i]
  fields[#fields + 1] = c
end
if #fields > 0 then redis.call('HSET', KEYS[2], unpack(fields)) end
return c
`)

/** Deletes the key only while it holds this token. @internal */
export const RELEASE = script(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`)
