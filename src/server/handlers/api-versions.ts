import { API_KEYS } from '../../protocol/index.js';
import { defineHandler, type Handler } from '../handler.js';
import type { ApiVersionRange } from '../registry.js';

/** ApiVersions 0-3; the list it returns is the registry's, never a second copy. */
export function apiVersionsHandler(ranges: () => ApiVersionRange[]): Handler<typeof API_KEYS.ApiVersions> {
  return defineHandler({
    apiKey: API_KEYS.ApiVersions,
    minVersion: 0,
    maxVersion: 3,
    handle: () => ({ errorCode: 0, apiKeys: ranges(), throttleTimeMs: 0 }),
  });
}
