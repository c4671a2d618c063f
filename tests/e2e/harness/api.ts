import { randomUUID } from 'node:crypto';
import { DEMO_USERS as SEED_USERS } from '../../../src/server/seed.ts';
import type { DeviceHealth, LedgerEntry, StockFigure as StockRow } from '../../../src/domain/protocol.ts';

export type { DeviceHealth, LedgerEntry, StockFigure as StockRow } from '../../../src/domain/protocol.ts';

export type Api = {
  /** Server address, reached directly (never through the proxy, so `offline()` does not cut the test off). */
  url: string;
  /** Signs in; returns the bearer token. */
  signIn(user?: string, pin?: string, deviceId?: string): Promise<string>;
  /** GET a JSON path with a token (a supervisor's by default). */
  get<T>(pathAndQuery: string, token?: string): Promise<T>;
  stock(q?: { sku?: string; location?: string }): Promise<StockRow[]>;
  ledger(q?: { sku?: string; location?: string; deviceId?: string }): Promise<LedgerEntry[]>;
  devices(): Promise<DeviceHealth[]>;
};

/** A demo user of the seed, as a sign-in needs it. */
function demoUser(id: string): { user: string; pin: string } {
  const u = SEED_USERS.find((x) => x.id === id);
  if (!u) throw new Error(`e2e: the seed has no demo user ${id}`);
  return { user: u.id, pin: u.pin };
}

/** The seed's demo users (src/server/seed.ts), by name. */
export const DEMO_USERS = {
  picker: demoUser('picker'),
  receiver: demoUser('receiver'),
  supervisor: demoUser('supervisor'),
  returns: demoUser('returns'),
} as const;

export function makeApi(url: string): Api {
  let supervisorToken: string | null = null;
  const call = async <T>(method: string, p: string, body?: unknown, token?: string): Promise<T> => {
    const res = await fetch(url + p, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`e2e api: ${method} ${p} -> ${res.status} ${text.slice(0, 300)}`);
    return JSON.parse(text) as T;
  };
  const qs = (q: Record<string, string | undefined> = {}) => {
    const p = new URLSearchParams(Object.entries(q).filter((e): e is [string, string] => e[1] !== undefined));
    const s = p.toString();
    return s ? `?${s}` : '';
  };
  const api: Api = {
    url,
    async signIn(user = DEMO_USERS.supervisor.user, pin = DEMO_USERS.supervisor.pin, deviceId = randomUUID()) {
      const r = await call<{ token: string }>('POST', '/api/v1/sessions', { user, pin, deviceId });
      return r.token;
    },
    async get<T>(p: string, token?: string) {
      supervisorToken ??= await api.signIn();
      return call<T>('GET', p, undefined, token ?? supervisorToken);
    },
    stock: async (q) => (await api.get<{ rows: StockRow[] }>(`/api/v1/stock${qs(q)}`)).rows,
    ledger: async (q) => (await api.get<{ events: LedgerEntry[] }>(`/api/v1/ledger${qs(q)}`)).events,
    devices: async () => (await api.get<{ devices: DeviceHealth[] }>('/api/v1/devices')).devices,
  };
  return api;
}
