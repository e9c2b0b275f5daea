export {
  type OwnRedis,
  REDIS_URL,
  type TestClient,
  cleanPrefix,
  connect,
  connectResilient,
  keysUnder,
  startOwnRedis,
  testPrefix,
} from './redis-fixture.ts'
