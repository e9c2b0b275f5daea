import { afterEach, describe, expect, it, vi } from 'vitest'
import { warn } from '../../src/runtime/warn.ts'

afterEach(() => {
  vi.restoreAllMocks()
})

describe('warn', () => {
  it('emits a process warning with its code and detail where the runtime has process.emitWarning', () => {
    const emit = vi.spyOn(process, 'emitWarning').mockImplementation(() => {})
    warn('something happened', { code: 'TOKENWARDEN_TEST', detail: 'Error' })
    expect(emit).toHaveBeenCalledWith('something happened', { code: 'TOKENWARDEN_TEST', detail: 'Error' })
  })

  it('falls back to console.warn where there is no process.emitWarning (browsers, workerd)', () => {
    const own = Object.getOwnPropertyDescriptor(process, 'emitWarning')
    Object.defineProperty(process, 'emitWarning', { value: undefined, configurable: true, writable: true })
    const log = vi.spyOn(console, 'warn').mockImplementation(() => {})
    try {
      warn('something happened', { code: 'TOKENWARDEN_TEST', detail: 'Error' })
      expect(log).toHaveBeenCalledWith('(tokenwarden) [TOKENWARDEN_TEST] something happened (Error)')
    } finally {
      if (own === undefined) delete (process as { emitWarning?: unknown }).emitWarning
      else Object.defineProperty(process, 'emitWarning', own)
    }
    expect(typeof process.emitWarning).toBe('function')
  })

  it('never throws, even when reporting throws', () => {
    vi.spyOn(process, 'emitWarning').mockImplementation(() => {
      throw new Error('a throwing warning listener')
    })
    expect(() => warn('something happened', { code: 'TOKENWARDEN_TEST' })).not.toThrow()
  })
})
