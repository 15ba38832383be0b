import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  ALL_APIS,
  API_KEYS,
  APIS,
  getApi,
  isFlexibleVersion,
  RequestHeaderSchema,
  ResponseHeaderSchema,
  type FieldSchema,
  type MessageSchema,
} from '../../src/protocol/index.js';

const KAFKA_JSON_DIR = new URL('../../../shared/kafka-protocol/', import.meta.url);
const DOC_ONLY = new Set(['about', 'mapKey', 'entityType', 'zeroCopy', 'listeners']);

/** Kafka's JSON with `//` comments removed (strings may contain "//"). */
function readKafkaJson(name: string): Record<string, unknown> {
  const text = readFileSync(new URL(`${name}.json`, KAFKA_JSON_DIR), 'utf8');
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      out += c;
      if (c === '\\') out += text[++i];
      else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
      out += c;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
    } else {
      out += c;
    }
  }
  return JSON.parse(out) as Record<string, unknown>;
}

function strip(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(strip);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([k]) => !DOC_ONLY.has(k))
        .map(([k, v]) => [k, strip(v)]),
    );
  }
  return value;
}

const schemas: MessageSchema[] = [...ALL_APIS.flatMap((a): MessageSchema[] => [a.request, a.response]), RequestHeaderSchema, ResponseHeaderSchema];

describe('API table', () => {
  it('covers the 22 APIs of the Kafka schema folder, keyed consistently', () => {
    expect(ALL_APIS.map((a) => a.apiKey)).toEqual([0, 1, 2, 3, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 22, 32, 36, 37, 42]);
    for (const [name, key] of Object.entries(API_KEYS)) {
      expect(getApi(key)?.name).toBe(name);
      expect(APIS[key].request.name).toBe(`${name}Request`);
      expect(APIS[key].response.name).toBe(`${name}Response`);
    }
    expect(getApi(21)).toBeUndefined();
    expect(APIS[1]).toMatchObject({ minVersion: 0, maxVersion: 17 });
    expect(isFlexibleVersion(1, 11)).toBe(false);
    expect(isFlexibleVersion(1, 12)).toBe(true);
    expect(isFlexibleVersion(17, 1)).toBe(false);
  });
});

describe.skipIf(!existsSync(KAFKA_JSON_DIR))('schema data matches Kafka JSON files', () => {
  for (const schema of schemas) {
    it(schema.name, () => {
      const kafka = strip(readKafkaJson(schema.name)) as Record<string, unknown>;
      expect({ ...schema }).toEqual(kafka);
      const count = (fields: readonly FieldSchema[]): number => fields.reduce((n, f) => n + 1 + count(f.fields ?? []), 0);
      expect(count(schema.fields)).toBeGreaterThan(0);
    });
  }
});
