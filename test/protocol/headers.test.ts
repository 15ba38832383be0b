import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ALL_APIS,
  ApiVersionsRequestSchema,
  FrameSplitter,
  ApiVersionsResponseSchema,
  decodeMessage,
  decodeRequest,
  decodeResponse,
  encodeMessage,
  encodeRequest,
  encodeResponse,
  encodeResponseChunks,
  FetchResponseSchema,
  isFlexibleVersion,
  peekCorrelationId,
  peekRequestHeader,
  ProduceResponseSchema,
  ProtocolError,
  requestHeaderVersion,
  responseHeaderVersion,
  type ApiKey,
  type FetchResponse,
  type RequestBodies,
  type ResponseBodies,
} from '../../src/protocol/index.js';
import { messageArb, versionsOf } from './arbitraries.js';

/** Hex with spaces, line breaks and `#` comments allowed, for readable expected bytes. */
const hex = (s: string): Buffer =>
  Buffer.from(
    s
      .split('\n')
      .map((line) => line.replace(/#.*/, ''))
      .join('')
      .replace(/\s+/g, ''),
    'hex',
  );

function protocolError(fn: () => unknown): ProtocolError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ProtocolError) return e;
    throw e;
  }
  throw new Error('expected a ProtocolError');
}

describe('known bytes (hand-computed from the spec)', () => {
  it('ApiVersions v3 request: request header v2 (non-compact client_id + tags), compact strings', () => {
    const expected = hex(`
      0000001d            # size 29
      0012 0003           # api_key 18, api_version 3
      00000007            # correlation_id 7
      0003 616263         # client_id "abc" with an int16 length even in header v2
      00                  # header tagged fields: none
      08 746964656c6f67   # client_software_name "tidelog", uvarint 7+1
      06 302e312e30       # client_software_version "0.1.0", uvarint 5+1
      00                  # body tagged fields: none
    `);
    const frame = encodeRequest(
      { apiKey: 18, apiVersion: 3, correlationId: 7, clientId: 'abc' },
      { clientSoftwareName: 'tidelog', clientSoftwareVersion: '0.1.0' },
    );
    expect(frame.toString('hex')).toBe(expected.toString('hex'));
    const decoded = decodeRequest(frame.subarray(4));
    expect(decoded).toEqual({
      apiKey: 18,
      header: { apiKey: 18, apiVersion: 3, correlationId: 7, clientId: 'abc' },
      body: { clientSoftwareName: 'tidelog', clientSoftwareVersion: '0.1.0' },
    });
  });

  it('Metadata v0 request: request header v1, int32 array count, int16 string length', () => {
    const frame = encodeRequest({ apiKey: 3, apiVersion: 0, correlationId: 1, clientId: 'c' }, { topics: [{ name: 'foo' }] });
    expect(frame.toString('hex')).toBe('00000014' + '0003' + '0000' + '00000001' + '000163' + '00000001' + '0003666f6f');
    const req = decodeRequest(frame.subarray(4));
    expect(req.apiKey).toBe(3);
    if (req.apiKey !== 3) throw new Error('narrowing');
    expect(req.body.topics).toEqual([{ topicId: '0'.repeat(32), name: 'foo' }]);
    expect(req.body.allowAutoTopicCreation).toBe(true);
  });

  it('Metadata v1 request: null topics array (-1) and null client_id (-1)', () => {
    const frame = encodeRequest({ apiKey: 3, apiVersion: 1, correlationId: 2, clientId: null }, { topics: null });
    expect(frame.toString('hex')).toBe('0000000e' + '0003' + '0001' + '00000002' + 'ffff' + 'ffffffff');
    expect(decodeRequest(frame.subarray(4)).header.clientId).toBeNull();
  });

  it('ApiVersions v3 response: response header v0 (no tag buffer) and a tagged int64 field', () => {
    const frame = encodeResponse(18, 3, 7, {
      errorCode: 0,
      apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 3 }],
      throttleTimeMs: 0,
      finalizedFeaturesEpoch: 5n,
    });
    expect(frame.toString('hex')).toBe(
      '0000001d' + // size 29
        '00000007' + // header v0: correlation_id only
        '0000' + // error_code
        '02' + // compact array of 1
        '0012' + '0000' + '0003' + '00' + // ApiVersion{18,0,3} + its tag buffer
        '00000000' + // throttle_time_ms
        '01' + '01' + '08' + '0000000000000005', // 1 tagged field: tag 1, size 8, int64 5
    );
    const { correlationId, body } = decodeResponse(18, 3, frame.subarray(4));
    expect(correlationId).toBe(7);
    expect(body.finalizedFeaturesEpoch).toBe(5n);
    expect(body.supportedFeatures).toEqual([]);
    expect(body.zkMigrationReady).toBe(false);
  });

  it('Heartbeat v4 response: response header v1 has a tag buffer', () => {
    const frame = encodeResponse(12, 4, 9, { throttleTimeMs: 0, errorCode: 27 });
    expect(frame.toString('hex')).toBe('0000000c' + '00000009' + '00' + '00000000' + '001b' + '00');
  });

  it('Produce v10 response: a tagged struct (CurrentLeader) inside an array element', () => {
    const body = encodeMessage(ProduceResponseSchema, 10, {
      responses: [
        {
          name: 't',
          partitionResponses: [{ index: 0, errorCode: 6, baseOffset: 5n, currentLeader: { leaderId: 1, leaderEpoch: 2 } }],
        },
      ],
      throttleTimeMs: 0,
    });
    expect(body.toString('hex')).toBe(
      '02' + '0274' + // 1 topic, name "t"
        '02' + '00000000' + '0006' + '0000000000000005' + // 1 partition: index, error 6, base_offset 5
        'ffffffffffffffff' + 'ffffffffffffffff' + // log_append_time_ms, log_start_offset = -1 (defaults)
        '01' + '00' + // record_errors: empty compact array; error_message: null
        '01' + '00' + '09' + '00000001' + '00000002' + '00' + // tag 0, 9 bytes: leader 1, epoch 2, struct tags
        '00' + // topic tag buffer
        '00000000' + '00', // throttle_time_ms, body tags (node_endpoints empty: not written)
    );
  });

  it('skips unknown tagged fields in the header and in the body', () => {
    const frame = hex(
      '0012 0003 00000007 0003 616263' +
        '01 05 02 7a7a' + // header: 1 unknown tag (5), 2 bytes
        '08 746964656c6f67 06 302e312e30' +
        '02 03 01 ff 1f 00', // body: tag 3 (1 byte) and tag 31 (0 bytes)
    );
    const req = decodeRequest(frame);
    expect(req.header.clientId).toBe('abc');
    expect(req.body).toEqual({ clientSoftwareName: 'tidelog', clientSoftwareVersion: '0.1.0' });
  });

  it('rejects a known tagged field whose value does not fill its declared size', () => {
    const body = hex('0000 01 00000000 01 01 09 0000000000000005 00'); // size 9 for an int64
    expect(protocolError(() => decodeMessage(ApiVersionsResponseSchema, 3, body)).code).toBe('INVALID_REQUEST');
  });
});

describe('records and bytes', () => {
  it('decodes records as a zero-copy view of the frame and writes them verbatim', () => {
    const records = Buffer.alloc(1000, 7);
    const frame = encodeRequest(
      { apiKey: 0, apiVersion: 7, correlationId: 3, clientId: 'p' },
      { transactionalId: null, acks: -1, timeoutMs: 30000, topicData: [{ name: 't', partitionData: [{ index: 0, records }] }] },
    );
    const body = frame.subarray(4);
    const req = decodeRequest(body);
    if (req.apiKey !== 0) throw new Error('narrowing');
    const got = req.body.topicData[0]!.partitionData[0]!.records!;
    expect(got.equals(records)).toBe(true);
    expect(got.buffer).toBe(body.buffer);
    expect(got.byteOffset).toBe(body.byteOffset + body.length - 1000);
    expect(req.body.transactionalId).toBeNull();
  });

  it('copies bytes fields out of the frame', () => {
    const frame = encodeRequest({ apiKey: 36, apiVersion: 1, correlationId: 1 }, { authBytes: Buffer.from('secret') });
    const req = decodeRequest(frame.subarray(4));
    if (req.apiKey !== 36) throw new Error('narrowing');
    expect(req.body.authBytes.toString()).toBe('secret');
    frame.fill(0);
    expect(req.body.authBytes.toString()).toBe('secret');
  });

  it('encodeResponseChunks references large records instead of copying them', () => {
    const records = Buffer.alloc(10_000, 1);
    const body: FetchResponse = {
      throttleTimeMs: 0,
      errorCode: 0,
      sessionId: 0,
      responses: [
        {
          topic: 't',
          partitions: [
            { partitionIndex: 0, errorCode: 0, highWatermark: 10n, lastStableOffset: 10n, logStartOffset: 0n, abortedTransactions: null, preferredReadReplica: -1, records },
          ],
        },
      ],
    };
    const chunks = encodeResponseChunks(1, 11, 5, body);
    expect(chunks).toContain(records);
    const joined = Buffer.concat(chunks);
    expect(joined.equals(encodeResponse(1, 11, 5, body))).toBe(true);
    expect(joined.readInt32BE(0)).toBe(joined.length - 4);
    const decoded = decodeResponse(1, 11, joined.subarray(4));
    expect(decoded.body.responses[0]!.partitions[0]!.records!.equals(records)).toBe(true);
    expect(decodeMessage(FetchResponseSchema, 11, joined.subarray(8)).sessionId).toBe(0);
  });
});

describe('header selection and peeking', () => {
  it('chooses header versions by flexibility, ApiVersions responses always v0', () => {
    expect(requestHeaderVersion(18, 2)).toBe(1);
    expect(requestHeaderVersion(18, 3)).toBe(2);
    expect(responseHeaderVersion(18, 3)).toBe(0);
    expect(responseHeaderVersion(12, 4)).toBe(1);
    expect(responseHeaderVersion(1, 11)).toBe(0);
    expect(responseHeaderVersion(1, 12)).toBe(1);
  });

  it('peeks api key, version and correlation id without decoding the body', () => {
    const frame = hex('0012 0009 0000002a ffff deadbeef'); // ApiVersions v9: unknown version, garbage body
    expect(peekRequestHeader(frame)).toEqual({ apiKey: 18, apiVersion: 9, correlationId: 42 });
    expect(protocolError(() => decodeRequest(frame)).code).toBe('UNSUPPORTED_VERSION');
    expect(peekCorrelationId(hex('0000002a 00'))).toBe(42);
    expect(protocolError(() => peekRequestHeader(hex('0012 0003 0000'))).code).toBe('INVALID_REQUEST');
    expect(protocolError(() => peekCorrelationId(hex('0000'))).code).toBe('INVALID_REQUEST');
  });

  it('rejects unknown API keys as INVALID_REQUEST', () => {
    expect(protocolError(() => decodeRequest(hex('0063 0000 00000001 ffff'))).code).toBe('INVALID_REQUEST');
    expect(() => encodeResponse(99 as 0, 0, 1, { responses: [] })).toThrow(ProtocolError);
  });

  it('decodes an UNSUPPORTED_VERSION ApiVersions reply as v0 whatever version was sent', () => {
    const v0 = encodeResponse(18, 0, 11, { errorCode: 35, apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 2 }] });
    expect(v0.toString('hex')).toBe('00000010' + '0000000b' + '0023' + '00000001' + '0012' + '0000' + '0002');
    const got = decodeResponse(18, 3, v0.subarray(4));
    expect(got.apiVersion).toBe(0);
    expect(got.correlationId).toBe(11);
    expect(got.body.errorCode).toBe(35);
    expect(got.body.apiKeys).toEqual([{ apiKey: 18, minVersion: 0, maxVersion: 2 }]);
  });

  it('tolerates trailing bytes after a message (as Kafka does)', () => {
    const frame = encodeRequest({ apiKey: 12, apiVersion: 1, correlationId: 1 }, { groupId: 'g', generationId: 1, memberId: 'm' });
    const padded = Buffer.concat([frame.subarray(4), hex('0102')]);
    expect(decodeRequest(padded).body).toEqual(decodeRequest(frame.subarray(4)).body);
  });

  it('every proper prefix of a request or response frame fails to decode', () => {
    const req = encodeRequest(
      { apiKey: 18, apiVersion: 3, correlationId: 7, clientId: 'abc' },
      { clientSoftwareName: 'x', clientSoftwareVersion: 'y' },
    ).subarray(4);
    const res = encodeResponse(12, 4, 9, { throttleTimeMs: 1, errorCode: 0 }).subarray(4);
    for (let n = 0; n < req.length; n++) expect(() => decodeRequest(req.subarray(0, n))).toThrow(ProtocolError);
    for (let n = 0; n < res.length; n++) expect(() => decodeResponse(12, 4, res.subarray(0, n))).toThrow(ProtocolError);
  });

  it('round-trips the ApiVersions request at every version through the framing helpers', () => {
    for (let v = 0; v <= 4; v++) {
      const frame = encodeRequest({ apiKey: 18, apiVersion: v, correlationId: v, clientId: 'c' }, { clientSoftwareName: v >= 3 ? 'n' : '' });
      const req = decodeRequest(frame.subarray(4));
      expect(req.header).toEqual({ apiKey: 18, apiVersion: v, correlationId: v, clientId: 'c' });
      expect(decodeMessage(ApiVersionsRequestSchema, v, encodeMessage(ApiVersionsRequestSchema, v, req.body as object))).toEqual(req.body);
    }
  });
});

describe('framing round trip: every API, every version', () => {
  it('encodeRequest → decodeRequest and encodeResponse → decodeResponse', () => {
    let checked = 0;
    for (const api of ALL_APIS) {
      const key = api.apiKey as ApiKey;
      for (const version of versionsOf(api.request)) {
        const flexible = isFlexibleVersion(key, version);
        const [request] = fc.sample(messageArb(api.request, version), { numRuns: 1, seed: version });
        const [response] = fc.sample(messageArb(api.response, version), { numRuns: 1, seed: version });
        const header = { apiKey: key, apiVersion: version, correlationId: 1000 + version, clientId: 'client' };
        const reqFrame = encodeRequest(header, request as RequestBodies[ApiKey]);
        expect(reqFrame.readInt32BE(0)).toBe(reqFrame.length - 4);
        const req = decodeRequest(reqFrame.subarray(4));
        expect(req.header).toEqual(header);
        expect(req.body).toEqual(request);
        // Request header v2 adds one tag-buffer byte after the non-compact client_id.
        expect(reqFrame.length).toBe(4 + 8 + 2 + 6 + (flexible ? 1 : 0) + encodeMessage(api.request, version, request).length);

        const resFrame = encodeResponse(key, version, 2000 + version, response as ResponseBodies[ApiKey]);
        const res = decodeResponse(key, version, resFrame.subarray(4));
        expect(res).toEqual({ correlationId: 2000 + version, apiVersion: version, body: response });
        const headerBytes = 4 + (flexible && key !== 18 ? 1 : 0);
        expect(resFrame.length).toBe(4 + headerBytes + encodeMessage(api.response, version, response).length);
        checked++;
      }
    }
    expect(checked).toBe(162);
  });

  it('splits and decodes pipelined requests (ApiVersions v0 then Metadata v0, as kafka-python probes)', () => {
    const stream = Buffer.concat([
      encodeRequest({ apiKey: 18, apiVersion: 0, correlationId: 1, clientId: 'kafka-python' }, {}),
      encodeRequest({ apiKey: 3, apiVersion: 0, correlationId: 2, clientId: 'kafka-python' }, { topics: [] }),
    ]);
    const splitter = new FrameSplitter();
    const got: Array<[number, number]> = [];
    for (let i = 0; i < stream.length; i += 5) {
      splitter.push(stream.subarray(i, i + 5), (frame) => {
        const req = decodeRequest(frame);
        got.push([req.apiKey, req.header.correlationId]);
      });
    }
    expect(got).toEqual([
      [18, 1],
      [3, 2],
    ]);
  });
});
