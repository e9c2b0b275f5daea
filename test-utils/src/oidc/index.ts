export { type DeviceGrant, obtainDeviceGrant } from './device-flow.ts'
export {
  type ClientSecretPair,
  DEVICE_CODE,
  ID_JAG,
  type Idp,
  type IdpOptions,
  JWT_BEARER,
  TOKEN_EXCHANGE,
  type TokenRequestRecord,
  fixture,
  startIdp,
} from './idp.ts'
