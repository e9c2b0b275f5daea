import { bodyReplayCases } from './body-replay.ts'
import { clientCredentialsCases } from './client-credentials.ts'
import { originCases } from './origins.ts'
import { reacquireCases } from './reacquire.ts'
import { redactionCases } from './redaction.ts'
import { redirectCases } from './redirects.ts'
import type { RuntimeCase } from './runtime-case.ts'
import { singleFlightCases } from './single-flight.ts'

/** The portable suite, in the order every runtime runs it. */
export const runtimeCases: readonly RuntimeCase[] = [
  ...singleFlightCases,
  ...reacquireCases,
  ...originCases,
  ...redirectCases,
  ...bodyReplayCases,
  ...clientCredentialsCases,
  ...redactionCases,
]

export type { RuntimeCase } from './runtime-case.ts'
