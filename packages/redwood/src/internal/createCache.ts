import { CacheTimeoutError } from "./cacheErrors.js"
import type { BaseClient } from "./clients/BaseClient.js"
import { CachetClient, type CachetSetOptions } from "./clients/CachetClient.js"
import type { Logger } from "./logger.js"

/** @internal */
export type CacheKey = string | ReadonlyArray<string | number>

/** @internal */
export const separator = "-"

/** @internal */
export const formatCacheKey = (key: CacheKey, prefix?: string): string => {
  const joined = typeof key === "string" ? key : key.join(separator)
  return prefix && !joined.startsWith(`${prefix}${separator}`) ? `${prefix}${separator}${joined}` : joined
}

/** The JSON round trip every cache client makes, applied to values that skipped the client. */
const serialize = <A>(value: A): A => value === undefined ? value : JSON.parse(JSON.stringify(value)) as A

const messageOf = (e: unknown) =>
  typeof e === "object" && e !== null && "message" in e ? String((e as { message: unknown }).message) : String(e)

/**
 * Races a client call with the timeout, clearing the timer either way (a pending timer would
 * keep a process alive). A call that throws synchronously throws here, before any timer.
 */
const withTimeout = async <A>(call: () => A, timeout: number): Promise<Awaited<A>> => {
  const pending = call()
  let timer: ReturnType<typeof setTimeout> | undefined
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CacheTimeoutError()), timeout)
  })
  try {
    return await Promise.race([pending, timedOut])
  } finally {
    clearTimeout(timer)
  }
}

/** @internal */
export interface CreateCacheOptions {
  readonly logger?: Logger | undefined
  readonly timeout?: number | undefined
  readonly prefix?: string | undefined
  readonly fields?: { readonly id: string; readonly updatedAt: string } | undefined
}

/** @internal */
export interface CacheOptions extends Omit<CachetSetOptions, "onServed"> {}

interface Delegate {
  readonly findFirst: (args: Record<string, unknown>) => unknown
  readonly findMany: (args?: unknown) => unknown
}

const isPrismaValidationError = (e: unknown) =>
  typeof e === "object" && e !== null && (e as { name?: unknown }).name === "PrismaClientValidationError"

/** @internal */
export const createCache = <Client extends BaseClient>(client: Client, options?: CreateCacheOptions) => {
  const logger = options?.logger
  const timeout = options?.timeout || 1000
  const prefix = options?.prefix
  const fields = options?.fields || { id: "id", updatedAt: "updatedAt" }

  const viaCachet = async <A>(cacheKey: string, input: () => A | Promise<A>, cacheOptions: CacheOptions) => {
    const cachet = client as unknown as CachetClient
    return cachet.getOrSet(cacheKey, input, {
      ...cacheOptions,
      onServed: (outcome) => logger?.debug(`[Cache] ${outcome === "miss" ? "MISS" : "HIT"} key '${cacheKey}'`)
    })
  }

  const cache = async <A>(key: CacheKey, input: () => A | Promise<A>, cacheOptions?: CacheOptions): Promise<A> => {
    const cacheKey = formatCacheKey(key, prefix)
    if (client instanceof CachetClient) return viaCachet(cacheKey, input, cacheOptions ?? {})
    try {
      const result = await withTimeout(() => client.get(cacheKey), timeout)
      if (result) {
        logger?.debug(`[Cache] HIT key '${cacheKey}'`)
        return result as A
      }
    } catch (e) {
      logger?.error(`[Cache] Error GET '${cacheKey}': ${messageOf(e)}`)
      if (e instanceof CacheTimeoutError && client.disconnect) {
        logger?.error(`[Cache] Disconnecting current instance...`)
        await client.disconnect()
      }
      return serialize(await input())
    }
    let data: A | undefined
    try {
      data = await input()
      const stored = data
      await withTimeout(() => client.set(cacheKey, stored, cacheOptions || {}), timeout)
      logger?.debug(`[Cache] MISS '${cacheKey}', SET ${JSON.stringify(data)?.length ?? 0} bytes`)
      return serialize(data)
    } catch (e) {
      logger?.error(`[Cache] Error SET '${cacheKey}': ${messageOf(e)}`)
      return serialize(data || (await input()))
    }
  }

  const cacheFindMany = async <TDelegate extends Delegate>(
    key: CacheKey,
    model: TDelegate,
    findOptions: CacheOptions & { readonly conditions?: Parameters<TDelegate["findMany"]>[0] } = {}
  ): Promise<Awaited<ReturnType<TDelegate["findMany"]>>> => {
    type Result = Awaited<ReturnType<TDelegate["findMany"]>>
    const { conditions, ...rest } = findOptions
    const cacheKey = formatCacheKey(key, prefix)
    let latest: Record<string, unknown> | null | undefined
    try {
      latest = await (model.findFirst({
        ...(conditions as Record<string, unknown> | undefined),
        orderBy: { [fields.updatedAt]: "desc" },
        select: { [fields.id]: true, [fields.updatedAt]: true }
      }) as Promise<Record<string, unknown> | null>)
    } catch (e) {
      logger?.error(
        isPrismaValidationError(e)
          ? `[Cache] cacheFindMany error: model does not contain \`${fields.id}\` or \`${fields.updatedAt}\` fields`
          : `[Cache] cacheFindMany error: ${messageOf(e)}`
      )
      return serialize(await (model.findMany(conditions) as Result))
    }
    if (!latest) {
      logger?.debug(`[Cache] cacheFindMany: No data to cache for key \`${String(key)}\`, skipping`)
      return serialize(await (model.findMany(conditions) as Result))
    }
    const updatedAt = latest[fields.updatedAt] as Date
    const latestKey = `${cacheKey}${separator}${String(latest[fields.id])}${separator}${updatedAt.getTime()}`
    return cache(latestKey, () => model.findMany(conditions) as Result, rest)
  }

  const deleteCacheKey = async (key: CacheKey): Promise<boolean> => {
    const cacheKey = formatCacheKey(key, prefix)
    try {
      const result = await withTimeout(() => client.del(cacheKey), timeout)
      logger?.debug(`[Cache] DEL '${cacheKey}'`)
      return result as boolean
    } catch (e) {
      logger?.error(`[Cache] Error DEL '${cacheKey}': ${messageOf(e)}`)
      return false
    }
  }

  return { cache, cacheFindMany, cacheClient: client, deleteCacheKey }
}
