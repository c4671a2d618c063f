import { describe, expect, it } from 'vitest';
import { encodeEvents, expectOk, httpApiClient } from '../../src/device/api/client.ts';
import type { HttpClient, HttpRequest } from '../../src/device/sync/http.ts';
import { asDeviceId } from '../../src/domain/ids.ts';

/** An HTTP edge that answers `body` with `status` and remembers what was asked. */
function answering(status: number, body: unknown) {
  const seen: HttpRequest[] = [];
  const http: HttpClient = {
    send: async (req) => {
      seen.push(req);
      return { status, header: () => null, text: typeof body === 'string' ? body : JSON.stringify(body) };
    },
  };
  return { api: httpApiClient(http), seen };
}
const device = asDeviceId('0190A0B0-0000-7000-8000-000000000001');

describe('API client', () => {
  it('parses a push answer and sends the batch as serialised once', async () => {
    const { api, seen } = answering(200, { ackedSeq: 2, rejected: [{ seq: 2, id: 'e2', code: 'unknown_sku', message: 'no such SKU' }] });
    const body = encodeEvents([
      { id: 'e1', deviceId: device, seq: 1, type: 'pick.held', schemaVersion: 2, occurredAt: '2026-11-23T10:00:00Z', actor: 'picker', payload: {} },
    ]);
    const out = await api.push('t', device, body);
    expect(out).toEqual({ ok: true, value: { ackedSeq: 2, rejected: [{ seq: 2, id: 'e2', code: 'unknown_sku', message: 'no such SKU' }] } });
    expect(seen[0]).toMatchObject({ method: 'POST', path: `/api/v1/devices/${device}/events`, body: body.json });
    expect(device).toBe('0190a0b0-0000-7000-8000-000000000001');
  });

  it('an answer of the wrong shape is an incompatible failure naming the field, never a cast', async () => {
    const { api } = answering(200, { ackedSeq: 'two', rejected: [] });
    const out = await api.push('t', device, encodeEvents([]));
    expect(out).toMatchObject({ ok: false, failure: { kind: 'incompatible' } });
    expect(!out.ok && out.failure.message).toMatch(/ackedSeq/);
    const page = await answering(200, '<html>captive portal</html>').api.work('t', device, {});
    expect(page).toMatchObject({ ok: false, failure: { kind: 'incompatible', message: expect.stringMatching(/not JSON/) } });
    await expect(
      answering(200, { rows: [{ sku: 'S' }] })
        .api.stock('t')
        .then(expectOk),
    ).rejects.toThrow(/this app cannot read: rows\.0\.location/);
  });

  it('normalises device ids in answers and keeps fields it does not know', async () => {
    const row = {
      deviceId: '0190A0B0-0000-7000-8000-00000000000A',
      lastSeq: 3,
      lastContactAt: null,
      rejectedCount: 0,
      registeredAt: null,
      revokedAt: null,
      resetAt: null,
      replaces: null,
      replacedBy: null,
      signedIn: [],
      zone: 'north',
    };
    const out = expectOk(await answering(200, { devices: [row] }).api.devices('t'));
    expect(out.devices[0]).toMatchObject({ deviceId: '0190a0b0-0000-7000-8000-00000000000a', lastContactAt: null, zone: 'north' });
  });

  it('a refusal carries the API message; expectOk throws it', async () => {
    const { api } = answering(403, { error: 'forbidden', message: 'only a supervisor may read this' });
    await expect(api.devices('t').then(expectOk)).rejects.toThrow('only a supervisor may read this');
  });
});
