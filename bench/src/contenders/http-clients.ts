import type { Agent as HttpAgent } from 'node:http'
import axios, { type AxiosInstance, isAxiosError } from 'axios'
import got, { type Got, HTTPError } from 'got'
import type { Dispatcher } from 'undici'
import type { BenchRequest, Client, HandSetHeaders, Reply } from './contender.ts'

/** The headers of `request`, plus `extra` (hand-set ones, or nothing). */
export function headersOf(request: BenchRequest, extra: HandSetHeaders): Record<string, string> {
  const own = typeof extra === 'function' ? extra(request) : extra
  return request.method === 'POST' ? { ...own, 'content-type': 'application/json' } : own
}

/** A client sending through an undici dispatcher (`dispatcher.request`). */
export function undiciClient(dispatcher: Dispatcher, origin: string, extra: HandSetHeaders = {}): Client {
  return {
    async send(request) {
      const res = await dispatcher.request({
        origin,
        path: request.path,
        method: request.method,
        headers: headersOf(request, extra),
        body: request.method === 'POST' ? request.body : undefined,
      })
      return { status: res.statusCode, body: await res.body.text() }
    },
    close: async () => {},
  }
}

/** An axios instance on `agent`, configured as on the hand-set side and the adapter side alike. */
export function axiosInstance(origin: string, agent: HttpAgent): AxiosInstance {
  return axios.create({ baseURL: origin, httpAgent: agent, responseType: 'text' })
}

/** A client sending through an axios instance; a rejected status is read back from the error. */
export function axiosClient(instance: AxiosInstance, extra: HandSetHeaders = {}): Client {
  return {
    async send(request) {
      try {
        const res = await instance.request<string>({
          url: request.path,
          method: request.method,
          headers: headersOf(request, extra),
          data: request.method === 'POST' ? request.body : undefined,
        })
        return { status: res.status, body: res.data }
      } catch (error) {
        if (isAxiosError(error) && error.response !== undefined) return { status: error.response.status, body: '' }
        throw error
      }
    },
    close: async () => {},
  }
}

/** A got instance on `agent`. */
export function gotInstance(origin: string, agent: HttpAgent): Got {
  return got.extend({ prefixUrl: origin, agent: { http: agent } })
}

/** A client sending through a got instance; a rejected status is read back from the error. */
export function gotClient(instance: Got, extra: HandSetHeaders = {}): Client {
  return {
    async send(request) {
      try {
        const res = await instance(request.path.slice(1), {
          method: request.method,
          headers: headersOf(request, extra),
          body: request.method === 'POST' ? request.body : undefined,
        })
        return { status: res.statusCode, body: res.body }
      } catch (error) {
        if (error instanceof HTTPError) return { status: error.response.statusCode, body: '' }
        throw error
      }
    },
    close: async () => {},
  }
}

/** A client sending through a `fetch` function (the global one, or a wrapper around it). */
export function fetchClient(fetchFn: typeof fetch, origin: string, extra: HandSetHeaders = {}): Client {
  return {
    async send(request): Promise<Reply> {
      const res = await fetchFn(`${origin}${request.path}`, {
        method: request.method,
        headers: headersOf(request, extra),
        body: request.method === 'POST' ? request.body : undefined,
      })
      return { status: res.status, body: await res.text() }
    },
    close: async () => {},
  }
}
