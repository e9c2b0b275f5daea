import type { UserConfig } from 'tsdown'

/**
 * How every package builds: `src/index.ts` (resolved from each package's own config file) to ESM,
 * CJS and declarations for Node 22. Sibling `@tokenwarden/*` packages stay external, never bundled:
 * every adapter must share the one core a user installs.
 */
export const packageConfig: UserConfig = {
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  platform: 'node',
  target: 'node22',
  external: [/^@tokenwarden\//],
  dts: true,
  sourcemap: true,
  clean: true,
}
