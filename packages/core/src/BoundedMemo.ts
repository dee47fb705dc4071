/**
 * Memos with a bound, for the speed tricks of hot paths (tag prefixes, judged entries, prepared
 * responses, selection digests): a memo never grows past its capacity, however many distinct
 * keys a long-running process meets.
 *
 * - `make(capacity)`: keys compared by value (strings, numbers); when full, the entry written
 *   first is dropped (the hit path stays one `Map.get`).
 * - `makeWeak(capacity)`: object keys held weakly (an entry also goes when its key is collected);
 *   after `capacity` writes the memo starts over empty, so it never holds more than `capacity`.
 *
 * @since 0.1.0
 */

/**
 * A memo of at most `capacity` entries.
 *
 * @since 0.1.0
 * @category models
 */
export interface BoundedMemo<K, V> {
  /** The most entries the memo holds. */
  readonly capacity: number
  /** The entries held (for a weak memo, an upper bound: entries whose key was collected still count). */
  readonly size: number
  /** The value memoised for `key`, if any. */
  get(key: K): V | undefined
  /** Memoises `value` for `key`, dropping entries as the bound requires. */
  set(key: K, value: V): void
}

class BoundedMap<K, V> implements BoundedMemo<K, V> {
  private readonly map = new Map<K, V>()
  constructor(readonly capacity: number) {}
  get size(): number {
    return this.map.size
  }
  get(key: K): V | undefined {
    return this.map.get(key)
  }
  set(key: K, value: V): void {
    const map = this.map
    if (map.size >= this.capacity && !map.has(key)) map.delete(map.keys().next().value as K)
    map.set(key, value)
  }
}

class BoundedWeakMap<K extends object, V> implements BoundedMemo<K, V> {
  private map = new WeakMap<K, V>()
  private written = 0
  constructor(readonly capacity: number) {}
  get size(): number {
    return this.written
  }
  get(key: K): V | undefined {
    return this.map.get(key)
  }
  set(key: K, value: V): void {
    if (this.written >= this.capacity) {
      this.map = new WeakMap()
      this.written = 0
    }
    this.written++
    this.map.set(key, value)
  }
}

const checked = (capacity: number): number => {
  if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`BoundedMemo: capacity ${capacity} < 1`)
  return capacity
}

/**
 * A memo of at most `capacity` entries keyed by value; when full, the entry written first is dropped.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = <K, V>(capacity: number): BoundedMemo<K, V> => new BoundedMap<K, V>(checked(capacity))

/**
 * A memo of at most `capacity` entries keyed weakly by objects; after `capacity` writes it starts over empty.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeWeak = <K extends object, V>(capacity: number): BoundedMemo<K, V> =>
  new BoundedWeakMap<K, V>(checked(capacity))
