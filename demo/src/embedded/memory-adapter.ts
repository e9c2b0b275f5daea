import type { Adapter, AdapterPayload } from 'oidc-provider'

interface Entry {
  readonly payload: AdapterPayload
  /** Epoch ms, `Infinity` when the model does not expire. */
  readonly expiresAt: number
}

/**
 * oidc-provider's storage for one process and one provider instance: a `Map` per provider. It
 * stands in for the provider's own quick-start adapter, which prints a warning at start-up.
 * Expired entries are forgotten when read.
 */
export function memoryAdapter(): (model: string) => Adapter {
  const entries = new Map<string, Entry>()
  const read = (key: string | undefined): AdapterPayload | undefined => {
    if (key === undefined) return undefined
    const entry = entries.get(key)
    if (entry !== undefined && entry.expiresAt <= Date.now()) {
      entries.delete(key)
      return undefined
    }
    return entry?.payload
  }
  const findBy = (model: string, field: 'uid' | 'userCode', value: string): AdapterPayload | undefined => {
    for (const key of entries.keys()) {
      const payload = key.startsWith(`${model}:`) ? read(key) : undefined
      if (payload?.[field] === value) return payload
    }
    return undefined
  }

  return (model) => ({
    async upsert(id, payload, expiresIn) {
      entries.set(`${model}:${id}`, { payload, expiresAt: expiresIn === undefined ? Infinity : Date.now() + expiresIn * 1000 })
    },
    async find(id) {
      return read(`${model}:${id}`)
    },
    async findByUid(uid) {
      return findBy(model, 'uid', uid)
    },
    async findByUserCode(userCode) {
      return findBy(model, 'userCode', userCode)
    },
    async consume(id) {
      const payload = read(`${model}:${id}`)
      if (payload !== undefined) payload.consumed = Math.floor(Date.now() / 1000)
    },
    async destroy(id) {
      entries.delete(`${model}:${id}`)
    },
    async revokeByGrantId(grantId) {
      for (const [key, { payload }] of entries) if (payload.grantId === grantId) entries.delete(key)
    },
  })
}
