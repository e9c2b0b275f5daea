/**
 * `@tokenwarden/core/node`: the parts of tokenwarden that need Node (or Bun, or Deno with its Node
 * compatibility): a token store in a file, sources that read a file or run a command, and
 * {@link toPkcs8Pem} for the PEM forms WebCrypto cannot import. Everything else is in the main
 * entry, `@tokenwarden/core`, which runs unchanged in Node, Bun, Deno, workerd and browsers.
 *
 * @packageDocumentation
 */
export { CommandFailedError, type CommandOptions, command } from './sources/command.ts'
export { type FileOptions, file } from './sources/file.ts'
export { FileStore, type FileStoreOptions } from './stores/file-store.ts'
export { type Pkcs8PemOptions, toPkcs8Pem } from './keys/to-pkcs8-pem.ts'
