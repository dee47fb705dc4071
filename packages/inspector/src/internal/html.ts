/**
 * HTML escaping for the pages' server-rendered shells.
 * @internal
 */

const entities: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;" }

/** Text safe inside an element or a quoted attribute. @internal */
export const escape = (text: string): string => text.replace(/[&<>"']/g, (c) => entities[c] ?? c)
