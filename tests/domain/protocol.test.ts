import { describe, expect, it } from 'vitest';
import { describeIssues } from '../../src/domain/events.ts';
import { AnyDeviceIdSchema, DeviceIdSchema, QtySchema, SkuSchema } from '../../src/domain/ids.ts';
import { ChangeMessageSchema, DeviceHealthSchema, PushResponseSchema, SignInRequestSchema } from '../../src/domain/protocol.ts';

const fail = (r: { success: boolean; error?: { issues: readonly { path: readonly PropertyKey[]; message: string }[] } }) =>
  r.success ? 'ok' : describeIssues(r.error!);

describe('wire contract', () => {
  it('normalises a device id once, where it is parsed, and refuses the reserved ones', () => {
    expect(DeviceIdSchema.parse('0190A0B0-0000-7000-8000-0000000000AB')).toBe('0190a0b0-0000-7000-8000-0000000000ab');
    expect(AnyDeviceIdSchema.parse('00000000-0000-0000-0000-000000000000')).toBe('00000000-0000-0000-0000-000000000000');
    expect(fail(DeviceIdSchema.safeParse('00000000-0000-0000-0000-000000000000'))).toMatch(/deviceId may not start with 00000000-/);
    expect(fail(DeviceIdSchema.safeParse('not-a-uuid'))).toBe('(root): deviceId is not a UUID');
    expect(fail(DeviceIdSchema.safeParse(7))).toBe('(root): deviceId must be text');
  });

  it('keeps the messages the classic build gave', () => {
    expect(fail(QtySchema.safeParse(1.5))).toBe('(root): qty must be a whole number');
    expect(fail(QtySchema.safeParse(0))).toBe('(root): qty must be at least 1');
    expect(fail(QtySchema.safeParse('3'))).toBe('(root): qty must be a number');
    expect(fail(SkuSchema.safeParse('  '))).toMatch(/sku is empty/);
    expect(fail(SignInRequestSchema.safeParse({ user: 'pat', pin: '12', deviceId: '0190a0b0-0000-7000-8000-000000000001', extra: 1 }))).toMatch(
      /pin: pin must be 4 to 8 digits.*Unrecognized key/,
    );
  });

  it('reads answers loosely but not carelessly', () => {
    expect(PushResponseSchema.safeParse({ ackedSeq: 3, rejected: [], newField: true }).success).toBe(true);
    expect(fail(PushResponseSchema.safeParse({ ackedSeq: 3, rejected: [{ seq: 1, id: 'x', code: 'made_up', message: 'm' }] }))).toMatch(/rejected\.0\.code/);
    expect(fail(ChangeMessageSchema.safeParse({ kind: 'everything' }))).toMatch(/kind/);
    // A device that never called in has no contact time: null, not a string that lies.
    expect(
      DeviceHealthSchema.safeParse({
        deviceId: '0190a0b0-0000-7000-8000-000000000001',
        lastSeq: 0,
        lastContactAt: null,
        rejectedCount: 0,
        registeredAt: null,
        revokedAt: null,
        resetAt: null,
        replaces: null,
        replacedBy: null,
        signedIn: [],
      }).success,
    ).toBe(true);
  });
});
