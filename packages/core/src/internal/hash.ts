/**
 * A fast, non-cryptographic 128-bit string hash (four lanes of a 32-bit mixing function),
 * written in plain TypeScript so the core runs anywhere Effect runs.
 * @internal
 */
export const hash128 = (input: string): string => {
  let h1 = 0xdeadbeef ^ input.length
  let h2 = 0x41c6ce57 ^ input.length
  let h3 = 0x9e3779b9 ^ input.length
  let h4 = 0x85ebca6b ^ input.length
  for (let i = 0; i < input.length; i++) {
    const c = input.charCodeAt(i)
    h1 = Math.imul(h1 ^ c, 2654435761)
    h2 = Math.imul(h2 ^ c, 1597334677)
    h3 = Math.imul(h3 ^ c, 2246822519)
    h4 = Math.imul(h4 ^ c, 3266489917)
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909)
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h3 ^ (h3 >>> 13), 3266489909)
  h3 = Math.imul(h3 ^ (h3 >>> 16), 2246822507) ^ Math.imul(h4 ^ (h4 >>> 13), 3266489909)
  h4 = Math.imul(h4 ^ (h4 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909)
  return hex(h1) + hex(h2) + hex(h3) + hex(h4)
}

const hex = (n: number): string => (n >>> 0).toString(16).padStart(8, "0")
