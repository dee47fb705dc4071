/**
 * Data as a document selects it: the fields it names (through fragments), nothing else — the
 * graph's `__typename` where the document did not ask for it, a result's root `__typename`.
 * Objects the selection keeps whole are returned as they are, and every object is masked once per
 * selection, so data that did not change keeps its identity from one delivery to the next.
 * @internal
 */
import type { DocumentNode, FragmentDefinitionNode, SelectionSetNode } from "@0no-co/graphql.web"
import { Kind } from "@0no-co/graphql.web"

/** The response names a selection takes, each with the selection below it (null for a leaf). @internal */
export interface Selection {
  readonly fields: Map<string, Selection | null>
}

const build = (
  sets: ReadonlyArray<SelectionSetNode>,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>
): Selection => {
  const below = new Map<string, Array<SelectionSetNode>>()
  const fields = new Map<string, Selection | null>()
  const visit = (set: SelectionSetNode, seen: Set<string>): void => {
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        const name = selection.alias?.value ?? selection.name.value
        if (selection.selectionSet === undefined) {
          if (!below.has(name)) fields.set(name, null)
        } else {
          const list = below.get(name)
          if (list === undefined) below.set(name, [selection.selectionSet])
          else list.push(selection.selectionSet)
        }
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        visit(selection.selectionSet, seen)
      } else if (!seen.has(selection.name.value)) {
        const def = fragments.get(selection.name.value)
        if (def !== undefined) visit(def.selectionSet, new Set([...seen, selection.name.value]))
      }
    }
  }
  for (const set of sets) visit(set, new Set())
  for (const [name, list] of below) fields.set(name, build(list, fragments))
  return { fields }
}

const selections = new WeakMap<DocumentNode, Selection | null>()

/** The selection of a document's operation (or of its first fragment); null when it has neither. @internal */
export const selectionOf = (document: DocumentNode): Selection | null => {
  let found = selections.get(document)
  if (found === undefined) {
    const fragments = new Map<string, FragmentDefinitionNode>()
    let main: SelectionSetNode | undefined
    for (const def of document.definitions) {
      if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def)
      else if (def.kind === Kind.OPERATION_DEFINITION && main === undefined) main = def.selectionSet
    }
    found = main === undefined ? null : build([main], fragments)
    selections.set(document, found)
  }
  return found
}

/** Masks data by selections, memoized per object and selection. @internal */
export const makeMask = () => {
  const memo = new WeakMap<object, WeakMap<Selection, unknown>>()
  const mask = (value: unknown, selection: Selection): unknown => {
    if (typeof value !== "object" || value === null) return value
    let perSelection = memo.get(value)
    if (perSelection !== undefined && perSelection.has(selection)) return perSelection.get(selection)
    let out: unknown
    if (Array.isArray(value)) {
      let changed = false
      const items = value.map((item) => {
        const masked = mask(item, selection)
        if (masked !== item) changed = true
        return masked
      })
      out = changed ? items : value
    } else {
      const source = value as Record<string, unknown>
      const result: Record<string, unknown> = {}
      let changed = false
      let kept = 0
      for (const [name, below] of selection.fields) {
        if (!Object.prototype.hasOwnProperty.call(source, name)) continue
        const field = source[name]
        const masked = below === null ? field : mask(field, below)
        if (masked !== field) changed = true
        result[name] = masked
        kept++
      }
      out = !changed && kept === Object.keys(source).length ? value : result
    }
    if (perSelection === undefined) memo.set(value, perSelection = new WeakMap())
    perSelection.set(selection, out)
    return out
  }
  return mask
}
