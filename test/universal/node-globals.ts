import { parseAst } from 'rolldown/parseAst'

/** Node's globals, which a browser does not have. */
const NODE_GLOBALS = new Set(['Buffer', 'process', 'require', 'module', 'global', '__dirname', '__filename', 'setImmediate', 'clearImmediate'])

interface Node {
  readonly type: string
  readonly [key: string]: unknown
}

const isNode = (value: unknown): value is Node => typeof value === 'object' && value !== null && typeof (value as Node).type === 'string'

/**
 * The bare references to a Node global in `code` (an ES module or script): an identifier such as
 * `process` or `Buffer` read as a variable. `globalThis.process`, a property named `process` and
 * `typeof process` are not bare references: those are how code guards its use of Node. Scopes are
 * not analysed: a local variable with one of these names counts too (name it otherwise).
 */
export function nodeGlobalsIn(code: string): string[] {
  const found: string[] = []
  const visit = (node: Node, parent: Node | undefined): void => {
    if (node.type === 'Identifier' && NODE_GLOBALS.has(node.name as string) && !guarded(node, parent)) found.push(node.name as string)
    for (const value of Object.values(node)) {
      if (Array.isArray(value)) for (const item of value) isNode(item) && visit(item, node)
      else if (isNode(value)) visit(value, node)
    }
  }
  visit(parseAst(code) as unknown as Node, undefined)
  return found
}

function guarded(node: Node, parent: Node | undefined): boolean {
  if (parent === undefined) return false
  if (parent.type === 'MemberExpression' && parent.property === node && parent.computed !== true) return true
  if ((parent.type === 'Property' || parent.type === 'PropertyDefinition' || parent.type === 'MethodDefinition') && parent.key === node && parent.computed !== true) return true
  return parent.type === 'UnaryExpression' && parent.operator === 'typeof'
}
