import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesSerializer, jsonSerializer, msgpackSerializer, stringSerializer } from '../../src/client/index.js';

describe('serializers', () => {
  it('round-trip strings, bytes, JSON and MessagePack values', () => {
    fc.assert(fc.property(fc.string(), (s) => {
      expect(stringSerializer.deserialize(stringSerializer.serialize(s))).toBe(s);
    }));
    fc.assert(fc.property(fc.uint8Array(), (b) => {
      expect(bytesSerializer.deserialize(bytesSerializer.serialize(Buffer.from(b)))).toEqual(Buffer.from(b));
    }));
    const json = jsonSerializer<unknown>();
    fc.assert(fc.property(fc.jsonValue(), (v) => {
      expect(json.deserialize(json.serialize(v))).toEqual(JSON.parse(JSON.stringify(v)));
    }));
    const msgpack = msgpackSerializer<unknown>();
    const value = { id: 7, name: 'tide', tags: ['a', 'b'], nested: { ok: true, n: null }, bytes: Buffer.from([1, 2, 3]) } // bin comes back as a Buffer;
    expect(msgpack.deserialize(msgpack.serialize(value))).toEqual(value);
  });

  it('writes plain MessagePack maps (no msgpackr record extension)', () => {
    // fixmap of 1: 0x81, "a" as fixstr 0xa1 0x61, 1 as positive fixint.
    expect([...msgpackSerializer<{ a: number }>().serialize({ a: 1 })]).toEqual([0x81, 0xa1, 0x61, 0x01]);
  });
});
