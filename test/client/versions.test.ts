import { describe, expect, it } from 'vitest';
import { CLIENT_VERSIONS, pickVersions } from '../../src/client/index.js';
import { API_KEYS } from '../../src/protocol/index.js';

describe('pickVersions', () => {
  it('uses min(our max, broker max) and drops APIs without a common version', () => {
    const picked = pickVersions([
      { apiKey: API_KEYS.ApiVersions, minVersion: 0, maxVersion: 4 },
      { apiKey: API_KEYS.Produce, minVersion: 0, maxVersion: 5 },
      { apiKey: API_KEYS.Metadata, minVersion: 9, maxVersion: 12 },
      { apiKey: API_KEYS.InitProducerId, minVersion: 0, maxVersion: 4 },
    ]);
    expect(picked.get(API_KEYS.ApiVersions)).toBe(CLIENT_VERSIONS.ApiVersions!.max);
    expect(picked.get(API_KEYS.Produce)).toBe(5);
    expect(picked.has(API_KEYS.Metadata)).toBe(false); // broker min 9 > our max 8
    expect(picked.has(API_KEYS.Fetch)).toBe(false); // broker doesn't list it
    expect(picked.has(API_KEYS.InitProducerId)).toBe(false); // we don't implement it
  });
});
