/**
 * Supervisor decisions: a quarantined return goes back to stock ("ready for resale" into a
 * bin) or is written off with a reason (`return.resolved`); a held count variance is approved
 * or sent back for a recount (`count.approved`). Plus the read-side helpers of the
 * exceptions screen (ages, stale devices).
 */
import type { DraftEvent } from '../events.ts';
import { asLocation, asQty, asSku, asTask, type LocationId } from '../ids.ts';
import type { CatalogItem, QuarantinedReturn } from '../protocol.ts';
import type { Role } from '../roles.ts';
import { describeScan, duplicate, nameOf, needsSupervisor, ok, refuse, unreadable, wrong, type Feedback, type Step, type WorkflowScan } from './common.ts';
import type { LocationKind } from './qc-release.ts';

export type DecisionState = {
  selected: string | null;
  /** The bin a resale goes back into. */
  to: LocationId | null;
  reason: string;
  /** Returns and counts decided on this device, so a second tap is not a second decision. */
  decided: string[];
};

export type DecisionInput =
  | { type: 'select'; returnId: string }
  | { type: 'scan'; scan: WorkflowScan }
  | { type: 'reason'; text: string }
  | { type: 'resale' }
  | { type: 'writeOff' }
  /** `location` is the counted bin, for the worker's words. */
  | { type: 'approve'; countTaskId: string; approve: boolean; location?: string };

export type DecisionContext = {
  roles: readonly Role[];
  returns: readonly QuarantinedReturn[];
  locations: readonly { id: string; kind: LocationKind }[];
  /** For product names in what the supervisor is told. */
  catalog?: readonly CatalogItem[];
};

export const REASON_MAX = 500;

export function startDecisions(): DecisionState {
  return { selected: null, to: null, reason: '', decided: [] };
}

/** The supervisor decisions reducer. */
export function decisionStep(state: DecisionState, input: DecisionInput, ctx: DecisionContext): Step<DecisionState> {
  if (!ctx.roles.includes('supervisor')) return refuse(state, needsSupervisor('decide.onlySupervisor'));
  switch (input.type) {
    case 'select': {
      const ret = ctx.returns.find((r) => r.returnId === input.returnId);
      if (!ret) return refuse(state, wrong('decide.notInQuarantine', { id: input.returnId.slice(0, 64) }));
      if (ret.resolved || state.decided.includes(ret.returnId)) return refuse(state, duplicate('decide.alreadyDecided', { id: ret.returnId }));
      return { state: { ...state, selected: ret.returnId, to: null, reason: '' }, events: [], feedback: [] };
    }
    case 'scan': {
      const scan = input.scan;
      if (scan.kind === 'unreadable') return refuse(state, unreadable(scan));
      if (scan.kind !== 'location') return refuse(state, wrong('decide.binNotItem', describeScan(scan)));
      if (!state.selected) return refuse(state, wrong('decide.pickReturn'));
      const place = ctx.locations.find((l) => l.id === scan.location);
      if (!place) return refuse(state, wrong('location.unknown', { location: scan.location }));
      if (place.kind !== 'bin') return refuse(state, wrong('decide.notBin', { location: scan.location }));
      return { state: { ...state, to: scan.location }, events: [], feedback: [ok('decide.binChosen', { bin: scan.location })] };
    }
    case 'reason':
      if (input.text.length > REASON_MAX) return refuse(state, wrong('decide.reasonTooLong', { max: REASON_MAX }));
      return { state: { ...state, reason: input.text }, events: [], feedback: [] };
    case 'resale':
    case 'writeOff': {
      const ret = ctx.returns.find((r) => r.returnId === state.selected);
      if (!ret) return refuse(state, wrong('decide.pickReturn'));
      if (state.decided.includes(ret.returnId)) return refuse(state, duplicate('decide.alreadyDecided', { id: ret.returnId }));
      const base = { returnId: asTask(ret.returnId), sku: asSku(ret.sku), from: asLocation(ret.location), qty: asQty(ret.qty) };
      const name = nameOf(ctx.catalog ?? [], ret.sku);
      let event: DraftEvent;
      let said: Feedback;
      if (input.type === 'resale') {
        if (!state.to) return refuse(state, wrong('decide.scanBinFirst'));
        event = { type: 'return.resolved', payload: { ...base, decision: 'resale', to: state.to } };
        said = ok('decide.resold', { qty: ret.qty, name, bin: state.to });
      } else {
        const reason = state.reason.trim();
        if (!reason) return refuse(state, wrong('decide.needReason'));
        event = { type: 'return.resolved', payload: { ...base, decision: 'write_off', reason } };
        said = ok('decide.writtenOff', { qty: ret.qty, name, reason });
      }
      return { state: { selected: null, to: null, reason: '', decided: [...state.decided, ret.returnId] }, events: [event], feedback: [said] };
    }
    case 'approve': {
      const key = `count:${input.countTaskId}`;
      if (state.decided.includes(key)) return refuse(state, duplicate('decide.countDecided', { id: input.countTaskId }));
      const event: DraftEvent = { type: 'count.approved', payload: { countTaskId: asTask(input.countTaskId), approve: input.approve } };
      return {
        state: { ...state, decided: [...state.decided, key] },
        events: [event],
        feedback: [ok(input.approve ? 'decide.countApproved' : 'decide.countRecount', { bin: input.location ?? input.countTaskId })],
      };
    }
  }
}

/** How long something has waited, for people: "45 min", "3 h", "2 d". */
export function ageLabel(since: string, now: Date): string {
  const ms = now.getTime() - new Date(since).getTime();
  if (!Number.isFinite(ms)) return 'unknown';
  const min = Math.max(0, Math.floor(ms / 60_000));
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 48) return `${h} h`;
  return `${Math.floor(h / 24)} d`;
}

/** A device is stale when it has not reached the API for this long. */
export const STALE_DEVICE_MS = 15 * 60_000;

/** Devices that have not synced for a while (or never), longest silent first. */
export function staleDevices<D extends { deviceId: string; lastContactAt: string | null }>(
  devices: readonly D[],
  now: Date,
  thresholdMs = STALE_DEVICE_MS,
): D[] {
  const silence = (d: D) => (d.lastContactAt ? now.getTime() - new Date(d.lastContactAt).getTime() : Number.POSITIVE_INFINITY);
  return devices.filter((d) => silence(d) >= thresholdMs).sort((a, b) => silence(b) - silence(a));
}
