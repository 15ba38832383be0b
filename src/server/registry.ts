import { getApi, type ApiKey } from '../protocol/index.js';
import type { Handler } from './handler.js';

export interface ApiVersionRange {
  apiKey: number;
  minVersion: number;
  maxVersion: number;
}

/** The handlers the broker serves, by API key; the only source of the advertised versions. */
export class HandlerRegistry {
  private readonly handlers = new Map<number, Handler>();

  constructor(handlers: readonly Handler[]) {
    for (const handler of handlers) {
      const api = getApi(handler.apiKey);
      if (!api || handler.minVersion < api.minVersion || handler.maxVersion > api.maxVersion || handler.minVersion > handler.maxVersion) {
        throw new Error(`handler for API ${handler.apiKey} advertises versions the schema lacks`);
      }
      if (this.handlers.has(handler.apiKey)) throw new Error(`two handlers for API ${handler.apiKey}`);
      this.handlers.set(handler.apiKey, handler);
    }
  }

  /** The handler for a request, or undefined when the key or version is not served. */
  find(apiKey: number, apiVersion: number): Handler | undefined {
    const handler = this.handlers.get(apiKey);
    return handler && apiVersion >= handler.minVersion && apiVersion <= handler.maxVersion ? handler : undefined;
  }

  range(apiKey: ApiKey): ApiVersionRange | undefined {
    const handler = this.handlers.get(apiKey);
    return handler && { apiKey, minVersion: handler.minVersion, maxVersion: handler.maxVersion };
  }

  ranges(): ApiVersionRange[] {
    return [...this.handlers.values()]
      .map((h) => ({ apiKey: h.apiKey, minVersion: h.minVersion, maxVersion: h.maxVersion }))
      .sort((a, b) => a.apiKey - b.apiKey);
  }
}
