import { packageConfig } from '../../tsdown.config.base.ts'

/**
 * Three entries: `@tokenwarden/core` for applications (every runtime: no `node:` import),
 * `@tokenwarden/core/adapter` for adapters and stores (every runtime too), and
 * `@tokenwarden/core/node` for the Node-only parts.
 */
export default { ...packageConfig, entry: ['src/index.ts', 'src/adapter.ts', 'src/node.ts'] }
