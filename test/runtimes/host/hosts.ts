/**
 * Where a runtime under test finds the Node host: two loopback origins serving the same worlds, so
 * that a redirect can cross origins. Plain data, handed to the runtime by URL (vitest `provide`, an
 * environment variable, a worker's request).
 */
export interface RuntimeHosts {
  /** The origin a credential's token may go to. */
  readonly a: string
  /** Another origin, which must never see the token. */
  readonly b: string
}

/** The environment variable through which `npm run test:runtimes` hands its host to every run. */
export const HOSTS_VARIABLE = 'TOKENWARDEN_RUNTIME_HOSTS'

/** The environment variable through which `npm run test:runtimes` says which runtime a run is in. */
export const EXPECTED_RUNTIME_VARIABLE = 'TOKENWARDEN_EXPECTED_RUNTIME'
