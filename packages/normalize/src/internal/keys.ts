/**
 * Pure key encoding: field keys with canonical arguments, entity keys, embedded keys.
 * @internal
 */
import { Key } from "@cachet/core"

import type { EntityConfig } from "../Normalize.js"

/** @internal */
export const ROOT = "Query"

/** @internal */
export const fieldKey = (fieldName: string, args?: Key.Part): string => {
  if (args === undefined || args === null) return fieldName
  const text = Key.canonical(args)
  return text === "{}" || text === "[]" ? fieldName : `${fieldName}(${text})`
}

/** @internal */
export const fieldNameOf = (key: string): string => {
  const open = key.indexOf("(")
  return open < 0 ? key : key.slice(0, open)
}

/** @internal */
export const argsOf = (key: string): Readonly<Record<string, unknown>> | null => {
  const open = key.indexOf("(")
  if (open < 0 || !key.endsWith(")")) return null
  try {
    const parsed: unknown = JSON.parse(key.slice(open + 1, -1))
    return typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>) : { value: parsed }
  } catch {
    return null
  }
}

/** The typename part of an entity key (`User` for `User:1`); embedded keys have none. @internal */
export const typenameOf = (key: string): string | undefined => {
  const colon = key.indexOf(":")
  if (colon < 0) return key === ROOT ? ROOT : undefined
  const dot = key.indexOf(".")
  return dot >= 0 && dot < colon ? undefined : key.slice(0, colon)
}

const keyText = (value: unknown): string | undefined => {
  switch (typeof value) {
    case "string":
      return value
    case "number":
    case "bigint":
    case "boolean":
      return String(value)
    default:
      return undefined
  }
}

/** The entity key of a value, `undefined` when a key field is missing. @internal */
export const entityKey = (config: EntityConfig, value: unknown): string | undefined => {
  if (typeof value !== "object" || value === null) return undefined
  const keys = config.keys
  if (typeof keys === "function") {
    const text = keyText((keys as (entity: unknown) => unknown)(value))
    return text === undefined ? undefined : `${config.typename}:${text}`
  }
  const record = value as Record<string, unknown>
  if (keys.length === 1) {
    const text = keyText(record[keys[0]!])
    return text === undefined ? undefined : `${config.typename}:${text}`
  }
  const parts: Record<string, Key.Part> = {}
  for (const name of keys) {
    const part = record[name]
    if (part === undefined || part === null || typeof part === "object" || typeof part === "function") return undefined
    parts[name] = part as Key.Part
  }
  return `${config.typename}:${Key.canonical(parts)}`
}
