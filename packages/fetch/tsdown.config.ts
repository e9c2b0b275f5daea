import { defineConfig } from 'tsdown'

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  platform: 'node',
  external: [/^@tokenwarden\//],
  target: 'node22',
  dts: true,
  sourcemap: true,
  clean: true,
})
