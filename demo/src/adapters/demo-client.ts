/** One HTTP client with a tokenwarden adapter installed, reduced to what the story needs. */
export interface DemoClient {
  /** Sends `GET url`, reads the whole body, and resolves with the status; rejects when no response came. */
  get(url: string): Promise<number>
  /** Lets go of the client's connections. */
  close(): Promise<void>
}

/** The adapters the story drives, in the order the report lists them. */
export type AdapterName = 'undici' | 'axios' | 'got' | 'fetch'
