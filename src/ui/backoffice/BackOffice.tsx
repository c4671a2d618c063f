/**
 * The back office (supervisors and admins), loaded only when opened: catalog, sites and
 * locations, users, expected receipts and devices, each with CSV import (preview, line errors,
 * all or clean lines) and export; single fixes; labels to print.
 */
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { API_PREFIX } from '../../domain/protocol.ts';
import { ROLES } from '../../domain/roles.ts';
import { useDevice } from '../app/device.ts';
import { useSignedIn } from '../session/store.ts';
import { call, type Entity, type ImportReport } from './api.ts';
import { ImportPanel } from './ImportPanel.tsx';
import { LabelSheet, type LabelData, type LabelKind, type LabelSize, type Symbology } from './Labels.tsx';
import './backoffice.css';

type Tab = Entity | 'devices' | 'labels';
const TABS: { id: Tab; label: string }[] = [
  { id: 'catalog', label: 'Catalog' },
  { id: 'sites', label: 'Sites' },
  { id: 'locations', label: 'Locations' },
  { id: 'users', label: 'Users' },
  { id: 'receipts', label: 'Expected receipts' },
  { id: 'devices', label: 'Devices' },
  { id: 'labels', label: 'Labels' },
];
const COLUMNS: Record<Entity, string[]> = {
  catalog: ['sku', 'name', 'gtin', 'unitsPerCase', 'lotTracked', 'expiryTracked', 'reorderPoint', 'velocityClass', 'status'],
  sites: ['id', 'name', 'active'],
  locations: ['id', 'kind', 'site', 'active'],
  users: ['id', 'name', 'roles', 'badge', 'locked'],
  receipts: ['id', 'supplier', 'dock', 'ssccs', 'receiving'],
};

/** Column headings where the field's name is not the word the back office shows. */
const HEADINGS: Record<string, string> = { locked: 'disabled' };

type Row = Record<string, unknown>;
const cell = (v: unknown): string =>
  Array.isArray(v) ? v.join(', ') : typeof v === 'boolean' ? (v ? 'yes' : 'no') : v === null || v === undefined ? '' : String(v);

function useItems(entity: Entity) {
  const { http } = useDevice();
  const { token } = useSignedIn();
  const [items, setItems] = useState<Row[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const reload = useCallback(() => {
    call<{ items: Row[] }>(http, token, 'GET', `/${entity}`)
      .then((r) => (r.status === 200 ? (setItems(r.body.items), setError(null)) : setError(r.body.message ?? `the API answered ${r.status}`)))
      .catch((err: unknown) => setError(err instanceof Error ? err.message : String(err)));
  }, [http, token, entity]);
  useEffect(reload, [reload]);
  return { items, error, reload };
}

function Table({ entity, items, actions }: { entity: Entity; items: Row[]; actions?: (r: Row) => React.ReactNode }) {
  return (
    <div className="bo-scroll">
      <table aria-label={entity}>
        <thead>
          <tr>
            {COLUMNS[entity].map((c) => (
              <th key={c}>{HEADINGS[c] ?? c}</th>
            ))}
            {actions ? <th>actions</th> : null}
          </tr>
        </thead>
        <tbody>
          {items.slice(0, 500).map((r, i) => (
            <tr key={i}>
              {COLUMNS[entity].map((c) => (
                <td key={c}>{cell(r[c])}</td>
              ))}
              {actions ? <td>{actions(r)}</td> : null}
            </tr>
          ))}
        </tbody>
      </table>
      {items.length > 500 ? <p>First 500 of {items.length}; export the CSV for all.</p> : null}
    </div>
  );
}

function EntityPanel({
  entity,
  extra,
  actions,
}: {
  entity: Entity;
  extra?: (reload: () => void) => React.ReactNode;
  actions?: (r: Row, reload: () => void) => React.ReactNode;
}) {
  const { items, error, reload } = useItems(entity);
  return (
    <section aria-label={entity}>
      <ImportPanel entity={entity} onImported={reload} />
      {extra?.(reload)}
      {error ? <p role="alert">{error}</p> : null}
      {items ? <Table entity={entity} items={items} {...(actions ? { actions: (r: Row) => actions(r, reload) } : {})} /> : <p aria-busy="true">Loading…</p>}
    </section>
  );
}

/** One record changed in place: sent as a one-item JSON import, so every import rule applies. */
function useSave(entity: Entity) {
  const { http } = useDevice();
  const { token } = useSignedIn();
  const [message, setMessage] = useState<string | null>(null);
  const save = async (record: Row): Promise<boolean> => {
    const r = await call<ImportReport>(http, token, 'POST', `/${entity}/import`, { json: { items: [record] } });
    setMessage(r.status === 200 ? 'Saved.' : (r.body.errors?.map((e) => e.message).join('; ') ?? r.body.message ?? `the API answered ${r.status}`));
    return r.status === 200;
  };
  return { save, message };
}

function CatalogFix({ reload }: { reload: () => void }) {
  const { save, message } = useSave('catalog');
  const { items } = useItems('catalog');
  const [sku, setSku] = useState('');
  const [gtin, setGtin] = useState('');
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const current = items?.find((r) => r.sku === sku.trim());
    if (await save({ ...(current ?? { name: sku.trim() }), sku: sku.trim(), gtin: gtin.trim() })) reload();
  };
  return (
    <form aria-label="Fix a GTIN" onSubmit={(e) => void submit(e)}>
      <label>
        SKU
        <input value={sku} onChange={(e) => setSku(e.target.value)} required />
      </label>
      <label>
        GTIN
        <input value={gtin} onChange={(e) => setGtin(e.target.value)} inputMode="numeric" required />
      </label>
      <button type="submit">Save GTIN</button>
      {message ? <p role="status">{message}</p> : null}
    </form>
  );
}

function NewUser({ reload }: { reload: () => void }) {
  const { save, message } = useSave('users');
  const [form, setForm] = useState({ id: '', name: '', pin: '', badge: '' });
  // A person often has several roles (a picker who also counts): one box each.
  const [roles, setRoles] = useState<string[]>(['picker']);
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value });
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (await save({ ...form, roles })) reload();
  };
  return (
    <form aria-label="New user" onSubmit={(e) => void submit(e)}>
      <label>
        User id
        <input value={form.id} onChange={set('id')} required />
      </label>
      <label>
        Name
        <input value={form.name} onChange={set('name')} required />
      </label>
      <fieldset>
        <legend>Roles</legend>
        {ROLES.map((r) => (
          <label key={r}>
            <input type="checkbox" checked={roles.includes(r)} onChange={(e) => setRoles(e.target.checked ? [...roles, r] : roles.filter((x) => x !== r))} />
            {r}
          </label>
        ))}
      </fieldset>
      <label>
        PIN
        <input value={form.pin} onChange={set('pin')} inputMode="numeric" type="password" autoComplete="new-password" required />
      </label>
      <label>
        Badge code
        <input value={form.badge} onChange={set('badge')} />
      </label>
      <button type="submit">Create user</button>
      {message ? <p role="status">{message}</p> : null}
    </form>
  );
}

function UserActions({ user, reload }: { user: Row; reload: () => void }) {
  const { http } = useDevice();
  const { token } = useSignedIn();
  const [message, setMessage] = useState<string | null>(null);
  const id = String(user.id);
  const act = async (path: string, body?: unknown, done = 'Done.') => {
    const r = await call<ImportReport>(http, token, 'POST', `/users/${encodeURIComponent(id)}/${path}`, body ? { json: body } : undefined);
    setMessage(r.status === 200 ? done : (r.body.errors?.map((e) => e.message).join('; ') ?? r.body.message ?? `the API answered ${r.status}`));
    reload();
  };
  // Disabling signs the person out everywhere at once and refuses their sign-in; what they
  // recorded before it still counts (a handheld's queue is delivered under the next sign-in).
  return (
    <span>
      {user.locked ? (
        <button type="button" onClick={() => void act('enable', undefined, `${id} is enabled: they can sign in again.`)}>
          Enable {id}
        </button>
      ) : (
        <button type="button" onClick={() => void act('disable', undefined, `${id} is disabled: signed out everywhere, and cannot sign in.`)}>
          Disable {id}
        </button>
      )}
      <button
        type="button"
        onClick={() => {
          const pin = window.prompt(`New PIN for ${id} (4 to 8 digits)`);
          if (pin) void act('pin', { pin });
        }}
      >
        Reset PIN of {id}
      </button>
      {message ? <span role="status"> {message}</span> : null}
    </span>
  );
}

function Devices() {
  const { http } = useDevice();
  const { token } = useSignedIn();
  const [devices, setDevices] = useState<Row[] | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [version, setVersion] = useState(0);
  useEffect(() => {
    let live = true;
    http
      .send({ method: 'GET', path: `${API_PREFIX}/devices`, headers: { authorization: `Bearer ${token}` } })
      .then((res) => {
        if (!live) return;
        if (res.status === 200) setDevices((JSON.parse(res.text) as { devices: Row[] }).devices);
        else setMessage(`The device list needs a supervisor or an admin (the API answered ${res.status}).`);
      })
      .catch((err: unknown) => live && setMessage(err instanceof Error ? err.message : String(err)));
    return () => {
      live = false;
    };
  }, [http, token, version]);
  const act = async (id: string, what: 'revoke' | 'reset') => {
    const res = await http.send({
      method: 'POST',
      path: `${API_PREFIX}/devices/${encodeURIComponent(id)}/${what}`,
      headers: { authorization: `Bearer ${token}` },
    });
    setMessage(res.status === 200 ? `${what} of ${id}: done.` : `${what} of ${id}: the API answered ${res.status}.`);
    setVersion((v) => v + 1);
  };
  return (
    <section aria-label="devices">
      {message ? <p role="status">{message}</p> : null}
      <table aria-label="devices">
        <thead>
          <tr>
            <th>device</th>
            <th>last contact</th>
            <th>signed in</th>
            <th>state</th>
            <th>proven by</th>
            <th>actions</th>
          </tr>
        </thead>
        <tbody>
          {(devices ?? []).map((d) => (
            <tr key={String(d.deviceId)}>
              <td>{String(d.deviceId)}</td>
              <td>{cell(d.lastContactAt)}</td>
              <td>{cell(d.signedIn)}</td>
              <td>{d.revokedAt ? 'revoked' : d.resetAt ? 'reset' : 'active'}</td>
              <td>{d.proof === 'key' ? 'key' : d.proof === 'secret' ? 'secret' : ''}</td>
              <td>
                <button type="button" onClick={() => void act(String(d.deviceId), 'revoke')}>
                  Revoke
                </button>
                <button type="button" onClick={() => void act(String(d.deviceId), 'reset')}>
                  Reset
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function LabelsPanel() {
  const [kind, setKind] = useState<LabelKind>('bin');
  const [size, setSize] = useState<LabelSize>('100x50');
  const [codes, setCodes] = useState('');
  const [product, setProduct] = useState({ gtin: '', lot: '', expiry: '' });
  const [symbology, setSymbology] = useState<Symbology>('gs1-128');
  const [labels, setLabels] = useState<LabelData[] | null>(null);
  const make = (e: FormEvent) => {
    e.preventDefault();
    if (kind === 'product') setLabels([{ title: product.gtin, code: product.gtin, ...product }]);
    else
      setLabels(
        codes
          .split(/[\s,;]+/)
          .filter(Boolean)
          .map((c) => ({ title: c, code: c })),
      );
  };
  return (
    <section aria-label="labels" className="bo-print">
      <form aria-label="Labels" onSubmit={make}>
        <label>
          Label
          <select value={kind} onChange={(e) => setKind(e.target.value as LabelKind)}>
            <option value="bin">bin</option>
            <option value="tote">tote</option>
            <option value="badge">badge card</option>
            <option value="product">product (GTIN, lot, expiry)</option>
          </select>
        </label>
        <label>
          Size
          <select value={size} onChange={(e) => setSize(e.target.value as LabelSize)}>
            <option value="4x6">4 x 6 in</option>
            <option value="100x50">100 x 50 mm</option>
            <option value="a4">A4 sheet</option>
          </select>
        </label>
        {kind === 'product' ? (
          <>
            <label>
              Barcode
              <select value={symbology} onChange={(e) => setSymbology(e.target.value as Symbology)}>
                <option value="gs1-128">GS1-128</option>
                <option value="gs1datamatrix">GS1 DataMatrix</option>
              </select>
            </label>
            <label>
              GTIN
              <input value={product.gtin} onChange={(e) => setProduct({ ...product, gtin: e.target.value })} required pattern="\d{14}" title="14 digits" />
            </label>
            <label>
              Lot
              <input value={product.lot} onChange={(e) => setProduct({ ...product, lot: e.target.value })} />
            </label>
            <label>
              Expiry
              <input type="date" value={product.expiry} onChange={(e) => setProduct({ ...product, expiry: e.target.value })} />
            </label>
          </>
        ) : (
          <label>
            Codes (bins, totes or badge codes)
            <input value={codes} onChange={(e) => setCodes(e.target.value)} required />
          </label>
        )}
        <button type="submit">Make labels</button>
        {labels ? (
          <button type="button" onClick={() => window.print()}>
            Print
          </button>
        ) : null}
      </form>
      {labels ? <LabelSheet key={JSON.stringify([kind, labels, symbology])} kind={kind} size={size} labels={labels} symbology={symbology} /> : null}
    </section>
  );
}

export function BackOffice() {
  const { user } = useSignedIn();
  const [tab, setTab] = useState<Tab>('catalog');
  if (!user.roles.includes('supervisor') && !user.roles.includes('admin')) return <p role="alert">The back office is for supervisors and admins.</p>;
  return (
    <main className="backoffice">
      <h1>Back office</h1>
      <nav aria-label="Back office">
        {TABS.map((t) => (
          <button key={t.id} type="button" aria-current={tab === t.id ? 'page' : undefined} onClick={() => setTab(t.id)}>
            {t.label}
          </button>
        ))}
      </nav>
      {tab === 'catalog' ? <EntityPanel key="catalog" entity="catalog" extra={(reload) => <CatalogFix reload={reload} />} /> : null}
      {tab === 'sites' ? <EntityPanel key="sites" entity="sites" /> : null}
      {tab === 'locations' ? <EntityPanel key="locations" entity="locations" /> : null}
      {tab === 'users' ? (
        <EntityPanel
          key="users"
          entity="users"
          extra={(reload) => <NewUser reload={reload} />}
          actions={(r, reload) => <UserActions user={r} reload={reload} />}
        />
      ) : null}
      {tab === 'receipts' ? <EntityPanel key="receipts" entity="receipts" /> : null}
      {tab === 'devices' ? <Devices /> : null}
      {tab === 'labels' ? <LabelsPanel /> : null}
    </main>
  );
}
