import { packageConfig } from '../../tsdown.config.base.ts'

/** Two entries: `@tokenwarden/core` for applications, `@tokenwarden/core/adapter` for adapters and stores. */
export default { ...packageConfig, entry: ['src/index.ts', 'src/adapter.ts'] }
