/** The board as the API answers it: the facts read now, coloured by the pure rules of src/domain/control/board.ts. */
import { deviceTile, endpointTile, siteTile, type Rag } from '../../domain/control/board.ts';
import type { Board } from '../../domain/control/protocol.ts';
import type { ControlSettings } from '../../domain/control/settings.ts';
import type { Sql } from '../db.ts';
import { deviceRows, endpointRows, siteRows } from './facts.ts';

const isoOrNull = (d: Date | null): string | null => (d ? d.toISOString() : null);

export async function readBoard(db: Sql, settings: ControlSettings, now: Date): Promise<Board> {
  const [devices, endpoints, sites, alerts] = await Promise.all([
    deviceRows(db),
    endpointRows(db),
    siteRows(db),
    db.query<{ site: string | null; n: number }>('SELECT site, count(*)::int AS n FROM control_alerts WHERE cleared_at IS NULL GROUP BY site'),
  ]);
  const deviceTiles = devices.map((d) => ({
    ...deviceTile(d, settings.device, now),
    deviceId: d.deviceId,
    lastSeq: d.lastSeq,
    lastContactAt: isoOrNull(d.lastContactAt),
    backlog: d.backlog,
    oldestPendingAt: isoOrNull(d.oldestPendingAt),
    refusals: d.refusals,
    storageUsage: d.storageUsage,
    storageQuota: d.storageQuota,
    reportedAt: isoOrNull(d.reportedAt),
    sites: d.sites,
  }));
  const endpointTiles = endpoints.map((e) => ({
    ...endpointTile(e, settings.endpoint),
    endpointId: e.endpointId,
    channelId: e.channelId,
    url: e.url,
    disabled: e.disabled,
    disabledReason: e.disabledReason,
    lastAckAt: isoOrNull(e.lastAckAt),
    oldestWaitingAt: isoOrNull(e.oldestWaitingAt),
    waiting: e.waiting,
    failuresInARow: e.failuresInARow,
    recentLagSeconds: e.recentLagSeconds,
  }));
  const openBySite = new Map(alerts.map((a) => [a.site, Number(a.n)]));
  const siteTiles = sites.map((s) => {
    const parts: Rag[] = [
      ...deviceTiles.filter((d) => d.sites.includes(s.id)).map((d) => d.rag),
      ...endpointTiles.filter((_, i) => endpoints[i]!.sites.includes(s.id)).map((e) => e.rag),
    ];
    const open = openBySite.get(s.id) ?? 0;
    return { ...siteTile(parts, open), siteId: s.id, name: s.name, openAlerts: open };
  });
  return {
    at: now.toISOString(),
    devices: deviceTiles,
    endpoints: endpointTiles,
    sites: siteTiles,
    openAlerts: alerts.reduce((a, r) => a + Number(r.n), 0),
  };
}
