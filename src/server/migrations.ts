/**
 * Schema versions, applied in order on start and recorded in `schema_migrations`.
 * A published migration is never edited; a change is a new entry.
 */
export const MIGRATIONS: readonly { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'inventory core',
    sql: `
CREATE TABLE users (
  id text PRIMARY KEY,
  name text NOT NULL,
  roles text[] NOT NULL,
  pin_hash text NOT NULL
);
CREATE TABLE sessions (
  token_hash text PRIMARY KEY,
  user_id text NOT NULL REFERENCES users(id),
  device_id text NOT NULL,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL
);
-- Who has signed in on which device: an event's actor must be one of them.
CREATE TABLE device_users (
  device_id text NOT NULL,
  user_id text NOT NULL REFERENCES users(id),
  first_seen_at timestamptz NOT NULL,
  PRIMARY KEY (device_id, user_id)
);
-- One row per device; its row lock orders that device's pushes across every API process.
CREATE TABLE devices (
  device_id text PRIMARY KEY,
  last_seq bigint NOT NULL DEFAULT 0,
  last_contact_at timestamptz,
  rejected_count integer NOT NULL DEFAULT 0
);
-- Every event a device delivered, applied or rejected, in the order the API took it.
CREATE TABLE ledger (
  position bigserial PRIMARY KEY,
  id text NOT NULL,
  device_id text NOT NULL,
  seq bigint NOT NULL,
  type text NOT NULL,
  schema_version integer,
  actor text NOT NULL,
  occurred_at text NOT NULL,
  received_at timestamptz NOT NULL,
  status text NOT NULL CHECK (status IN ('applied', 'rejected')),
  code text,
  message text,
  payload jsonb,
  -- The stock figures this event moved, as 'sku location': what "the ledger behind a figure" selects on.
  touches text[] NOT NULL DEFAULT '{}',
  skus text[] NOT NULL DEFAULT '{}',
  locations text[] NOT NULL DEFAULT '{}',
  UNIQUE (device_id, seq)
);
CREATE INDEX ledger_id ON ledger (id);
CREATE INDEX ledger_touches ON ledger USING gin (touches);
CREATE INDEX ledger_skus ON ledger USING gin (skus);
CREATE INDEX ledger_locations ON ledger USING gin (locations);
CREATE TABLE stock (
  sku text NOT NULL,
  location text NOT NULL,
  available integer NOT NULL DEFAULT 0,
  committed integer NOT NULL DEFAULT 0,
  qc integer NOT NULL DEFAULT 0,
  quarantine integer NOT NULL DEFAULT 0,
  suspect integer NOT NULL DEFAULT 0,
  PRIMARY KEY (sku, location)
);
CREATE INDEX stock_location ON stock (location);
CREATE TABLE discrepancies (
  id bigserial PRIMARY KEY,
  event_id text NOT NULL,
  device_id text NOT NULL,
  seq bigint NOT NULL,
  kind text NOT NULL,
  sku text NOT NULL,
  location text NOT NULL,
  expected integer NOT NULL,
  reported integer NOT NULL,
  message text NOT NULL,
  created_at timestamptz NOT NULL
);
CREATE TABLE count_tasks (
  id text PRIMARY KEY,
  location text NOT NULL,
  reason text NOT NULL,
  status text NOT NULL,
  snapshot jsonb,
  held jsonb,
  updated_at timestamptz NOT NULL
);
CREATE TABLE catalog (
  sku text PRIMARY KEY,
  gtin text NOT NULL UNIQUE,
  name text NOT NULL,
  units_per_case integer
);
CREATE TABLE locations (
  id text PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('bin', 'dock', 'returns'))
);
CREATE TABLE pick_lists (
  id text PRIMARY KEY,
  order_ref text NOT NULL,
  assigned_to text REFERENCES users(id)
);
CREATE TABLE pick_lines (
  pick_list_id text NOT NULL REFERENCES pick_lists(id),
  line_id text NOT NULL,
  position integer NOT NULL,
  sku text NOT NULL,
  location text NOT NULL,
  qty integer NOT NULL,
  picked integer NOT NULL DEFAULT 0,
  short integer NOT NULL DEFAULT 0,
  PRIMARY KEY (pick_list_id, line_id)
);
CREATE TABLE receipts (
  id text PRIMARY KEY,
  supplier text NOT NULL,
  dock text NOT NULL,
  ssccs text[] NOT NULL
);
CREATE TABLE receipt_lines (
  receipt_id text NOT NULL REFERENCES receipts(id),
  line_id text NOT NULL,
  position integer NOT NULL,
  sku text NOT NULL,
  gtin text NOT NULL,
  expected_qty integer NOT NULL,
  received_qty integer NOT NULL DEFAULT 0,
  PRIMARY KEY (receipt_id, line_id)
);
CREATE TABLE returns (
  return_id text PRIMARY KEY,
  sku text NOT NULL,
  location text NOT NULL,
  qty integer NOT NULL,
  resolved_qty integer NOT NULL DEFAULT 0,
  condition text NOT NULL,
  note text,
  received_at timestamptz NOT NULL
);
`,
  },
  {
    version: 2,
    name: 'identity: device binding, session ids, sign-in counters, stream tickets',
    sql: `
-- A session has a public id (events carry it) besides its secret token; it ends at sign-out
-- (its events stay valid) or is revoked by a supervisor (its events are refused).
ALTER TABLE sessions ADD COLUMN id text;
UPDATE sessions SET id = 'legacy-' || substr(token_hash, 1, 32);
ALTER TABLE sessions ALTER COLUMN id SET NOT NULL;
CREATE UNIQUE INDEX sessions_id ON sessions (id);
ALTER TABLE sessions ADD COLUMN ended_at timestamptz;
ALTER TABLE sessions ADD COLUMN revoked_at timestamptz;
CREATE INDEX sessions_device ON sessions (device_id);
-- Tokens of the old 30-day life end within a shift of the upgrade.
UPDATE sessions SET expires_at = LEAST(expires_at, now() + interval '12 hours');
-- Sign-ins from before sessions existed: only these let a v1 event (no session) through.
ALTER TABLE device_users ADD COLUMN legacy boolean NOT NULL DEFAULT false;
UPDATE device_users SET legacy = true;
-- Device binding: the hash of the secret the device got at registration; a supervisor may
-- revoke it (stolen) or reset it (stuck), after which it re-registers under a fresh id that
-- names the old one (replaces), proving it with the old secret.
ALTER TABLE devices ADD COLUMN secret_hash text;
ALTER TABLE devices ADD COLUMN registered_at timestamptz;
ALTER TABLE devices ADD COLUMN revoked_at timestamptz;
ALTER TABLE devices ADD COLUMN reset_at timestamptz;
ALTER TABLE devices ADD COLUMN replaces text;
ALTER TABLE devices ADD COLUMN replaced_by text;
CREATE UNIQUE INDEX devices_replaces ON devices (replaces) WHERE replaces IS NOT NULL;
-- Failed (and in-flight) PIN checks per user, per device and per address, in a window: every
-- API process reserves an attempt here before it checks a hash.
CREATE TABLE sign_in_counters (
  scope text NOT NULL,
  key text NOT NULL,
  window_start timestamptz NOT NULL,
  failures integer NOT NULL,
  PRIMARY KEY (scope, key)
);
-- Single-use tickets for the live feed (EventSource cannot send a header).
CREATE TABLE stream_tickets (
  ticket_hash text PRIMARY KEY,
  token_hash text NOT NULL,
  expires_at timestamptz NOT NULL
);
`,
  },
  {
    version: 3,
    name: 'what exists: picks, claims, count windows',
    sql: `
-- One row per applied pick.held: what an undo may still correct (qty - undone) and give back (taken - returned).
CREATE TABLE picks (
  event_id text PRIMARY KEY,
  pick_list_id text NOT NULL,
  line_id text NOT NULL,
  sku text NOT NULL,
  location text NOT NULL,
  qty integer NOT NULL,
  taken integer NOT NULL,
  undone integer NOT NULL DEFAULT 0,
  returned integer NOT NULL DEFAULT 0
);
-- Picks recorded before this version: what they took is unknown, so it is taken as asked.
INSERT INTO picks (event_id, pick_list_id, line_id, sku, location, qty, taken, undone, returned)
SELECT h.id, h.payload->>'pickListId', h.payload->>'lineId', h.payload->>'sku', h.payload->>'location',
  (h.payload->>'qty')::int, (h.payload->>'qty')::int,
  LEAST((h.payload->>'qty')::int, coalesce(u.qty, 0)), LEAST((h.payload->>'qty')::int, coalesce(u.qty, 0))
FROM ledger h
LEFT JOIN (SELECT payload->>'corrects' AS corrects, sum((payload->>'qty')::int) AS qty FROM ledger
           WHERE type = 'pick.undone' AND status = 'applied' GROUP BY 1) u ON u.corrects = h.id
WHERE h.type = 'pick.held' AND h.status = 'applied'
ON CONFLICT DO NOTHING;
-- Units the floor claimed beyond the figures: in no bucket, settled by the count the discrepancy raised.
ALTER TABLE discrepancies ADD COLUMN claimed integer NOT NULL DEFAULT 0;
-- The count.started that opened a task's counting window (its place in the ledger).
ALTER TABLE count_tasks ADD COLUMN started jsonb;
-- Receipt totals are not stock buckets: a long-lived receipt line must not overflow.
ALTER TABLE receipt_lines ALTER COLUMN received_qty TYPE bigint;
`,
  },
  {
    version: 4,
    name: 'ledger hashes, clock skew, resend conflicts',
    sql: `
-- A hash of what each event said (type, version, time, actor, payload): a resend of its seq
-- and id saying something else is flagged, never silently taken.
ALTER TABLE ledger ADD COLUMN payload_hash text;
-- The device clock far from the API's receipt time: 'ahead' (after receipt) or 'behind' (older than the offline allowance).
ALTER TABLE ledger ADD COLUMN clock_skew text CHECK (clock_skew IN ('ahead', 'behind'));
-- Resends of a held seq and id with other content, for a supervisor; one row per distinct content.
CREATE TABLE event_conflicts (
  id bigserial PRIMARY KEY,
  device_id text NOT NULL,
  seq bigint NOT NULL,
  event_id text NOT NULL,
  held_hash text NOT NULL,
  sent_hash text NOT NULL,
  sent jsonb,
  first_seen_at timestamptz NOT NULL,
  last_seen_at timestamptz NOT NULL,
  times integer NOT NULL DEFAULT 1,
  UNIQUE (device_id, seq, sent_hash)
);
`,
  },
  {
    version: 5,
    name: 'sites',
    sql: `
-- A warehouse building. Every location belongs to one; a channel sells from one or more.
CREATE TABLE sites (
  id text PRIMARY KEY,
  name text NOT NULL,
  active boolean NOT NULL DEFAULT true
);
-- Every store before sites existed is the one building called 'main'.
INSERT INTO sites (id, name) VALUES ('main', 'Main warehouse');
ALTER TABLE locations ADD COLUMN site_id text NOT NULL DEFAULT 'main' REFERENCES sites(id);
CREATE INDEX locations_site ON locations (site_id);
`,
  },
  {
    version: 7,
    name: 'channels: orders, reservations, ATP versions, webhook outbox',
    sql: `
-- A sales channel sells from the sites it names; it authenticates with its own keys (hashed).
CREATE TABLE channels (
  id text PRIMARY KEY,
  name text NOT NULL,
  sites text[] NOT NULL,
  reservation_ttl_seconds integer NOT NULL,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL,
  disabled_at timestamptz
);
CREATE TABLE channel_keys (
  key_hash text PRIMARY KEY,
  channel_id text NOT NULL REFERENCES channels(id),
  prefix text NOT NULL,
  created_at timestamptz NOT NULL,
  revoked_at timestamptz
);
CREATE INDEX channel_keys_channel ON channel_keys (channel_id);
-- Policy rules per channel: sku '*' is every SKU, site_id '*' every site; a null field is "not set here".
CREATE TABLE channel_policies (
  channel_id text NOT NULL REFERENCES channels(id),
  sku text NOT NULL,
  site_id text NOT NULL,
  safety_buffer integer,
  share_pct integer,
  max_listed integer,
  ring_fence integer,
  max_listed_set boolean NOT NULL DEFAULT false,
  PRIMARY KEY (channel_id, sku, site_id)
);
-- One row per SKU: every reservation of that SKU (any channel, any site) takes its row lock first.
CREATE TABLE atp_locks (sku text PRIMARY KEY);
-- The last ATP computed per channel and SKU, with the version its webhooks carry.
CREATE TABLE channel_atp (
  channel_id text NOT NULL REFERENCES channels(id),
  sku text NOT NULL,
  atp integer NOT NULL DEFAULT 0,
  version bigint NOT NULL DEFAULT 0,
  zeroed_by text[],
  updated_at timestamptz,
  PRIMARY KEY (channel_id, sku)
);
CREATE TABLE channel_orders (
  id text PRIMARY KEY,
  channel_id text NOT NULL REFERENCES channels(id),
  idempotency_key text NOT NULL,
  request_hash text NOT NULL,
  status text NOT NULL CHECK (status IN ('refused', 'reserved', 'confirmed', 'short', 'picked', 'cancelled', 'expired')),
  reference text,
  partial boolean NOT NULL,
  expires_at timestamptz,
  version integer NOT NULL DEFAULT 1,
  answer_status integer NOT NULL,
  answer jsonb NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  UNIQUE (channel_id, idempotency_key)
);
CREATE INDEX channel_orders_expiring ON channel_orders (expires_at) WHERE status = 'reserved';
CREATE TABLE order_lines (
  order_id text NOT NULL REFERENCES channel_orders(id),
  line_id text NOT NULL,
  position integer NOT NULL,
  sku text NOT NULL,
  requested integer NOT NULL,
  PRIMARY KEY (order_id, line_id)
);
-- Units an order line holds at a site. Live while the order is reserved (until expires_at),
-- confirmed or short; what the floor has picked for it (pick_lines of PL-<order>) is no longer reserved but committed.
CREATE TABLE reservations (
  order_id text NOT NULL REFERENCES channel_orders(id),
  line_id text NOT NULL,
  channel_id text NOT NULL,
  sku text NOT NULL,
  site_id text NOT NULL,
  qty integer NOT NULL CHECK (qty >= 0),
  PRIMARY KEY (order_id, line_id, site_id)
);
CREATE INDEX reservations_sku ON reservations (sku);
-- The ledger of order facts. Separate from the floor ledger: these move no bucket, so the stock
-- replay stays a fold of floor facts alone.
CREATE TABLE order_events (
  position bigserial PRIMARY KEY,
  order_id text NOT NULL,
  channel_id text NOT NULL,
  type text NOT NULL,
  actor text NOT NULL,
  at timestamptz NOT NULL,
  payload jsonb NOT NULL
);
CREATE INDEX order_events_order ON order_events (order_id);
CREATE TABLE webhook_endpoints (
  id text PRIMARY KEY,
  channel_id text NOT NULL REFERENCES channels(id),
  url text NOT NULL,
  -- Signing secrets (needed in clear to sign); a rotated-out one keeps signing until it expires.
  secrets jsonb NOT NULL,
  status text NOT NULL CHECK (status IN ('active', 'disabled')),
  disabled_reason text,
  created_at timestamptz NOT NULL
);
CREATE INDEX webhook_endpoints_channel ON webhook_endpoints (channel_id);
-- What waits for delivery: one row per endpoint and subject (an SKU's ATP, an order), newest value only.
CREATE TABLE webhook_outbox (
  id bigserial PRIMARY KEY,
  endpoint_id text NOT NULL REFERENCES webhook_endpoints(id),
  kind text NOT NULL,
  subject text NOT NULL,
  msg_id text NOT NULL,
  payload jsonb NOT NULL,
  enqueued_at timestamptz NOT NULL,
  next_attempt_at timestamptz NOT NULL,
  attempts integer NOT NULL DEFAULT 0,
  lease_until timestamptz,
  UNIQUE (endpoint_id, kind, subject)
);
CREATE INDEX webhook_outbox_due ON webhook_outbox (next_attempt_at);
CREATE TABLE webhook_deliveries (
  id bigserial PRIMARY KEY,
  endpoint_id text NOT NULL,
  msg_id text NOT NULL,
  kind text NOT NULL,
  subject text NOT NULL,
  attempt integer NOT NULL,
  status_code integer,
  error text,
  duration_ms integer NOT NULL,
  at timestamptz NOT NULL
);
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, id);
`,
  },
  {
    version: 8,
    name: 'master data: catalog attributes and case GTINs, location kinds and state, badges and locks',
    sql: `
-- What a warehouse knows of a SKU beyond its unit GTIN; a retired SKU stays (its history and stock do).
ALTER TABLE catalog ADD COLUMN lot_tracked boolean NOT NULL DEFAULT false;
ALTER TABLE catalog ADD COLUMN expiry_tracked boolean NOT NULL DEFAULT false;
ALTER TABLE catalog ADD COLUMN reorder_point integer CHECK (reorder_point >= 0);
ALTER TABLE catalog ADD COLUMN velocity_class text CHECK (velocity_class IN ('A', 'B', 'C'));
ALTER TABLE catalog ADD COLUMN retired_at timestamptz;
-- The GTINs of a SKU's cases. A GTIN names one SKU only: the master-data module checks a case
-- GTIN against every unit GTIN too (catalog.gtin is unique on its own).
CREATE TABLE catalog_cases (
  gtin text PRIMARY KEY,
  sku text NOT NULL REFERENCES catalog(sku) ON DELETE CASCADE,
  units integer NOT NULL CHECK (units BETWEEN 2 AND 100000)
);
CREATE INDEX catalog_cases_sku ON catalog_cases (sku);
-- A QC area is a place of its own; an inactive location takes no new work.
ALTER TABLE locations DROP CONSTRAINT IF EXISTS locations_kind_check;
ALTER TABLE locations ADD CONSTRAINT locations_kind_check CHECK (kind IN ('bin', 'dock', 'qc', 'returns'));
ALTER TABLE locations ADD COLUMN active boolean NOT NULL DEFAULT true;
-- A badge card's code (one per person) and an admin's lock: a locked user cannot sign in.
ALTER TABLE users ADD COLUMN badge_code text;
CREATE UNIQUE INDEX users_badge_code ON users (badge_code) WHERE badge_code IS NOT NULL;
ALTER TABLE users ADD COLUMN locked_at timestamptz;
`,
  },
  {
    version: 9,
    name: 'short undo, offline sign-in grants',
    sql: `
-- One row per applied pick.short: what an undo may correct (missing - undone, once) and give back
-- (moved - returned: what the short took from available into suspect). Shorts applied before
-- this version have no row: what they moved is not recorded, so they cannot be undone.
CREATE TABLE pick_shorts (
  event_id text PRIMARY KEY,
  pick_list_id text NOT NULL,
  line_id text NOT NULL,
  sku text NOT NULL,
  location text NOT NULL,
  missing integer NOT NULL,
  moved integer NOT NULL,
  undone integer NOT NULL DEFAULT 0,
  returned integer NOT NULL DEFAULT 0
);
-- Offline sign-in: a grant the API signs at an online sign-in, naming user, device and expiry.
-- Events recorded under it offline carry it; a revoked grant refuses them.
CREATE TABLE offline_grants (
  id text PRIMARY KEY,
  user_id text NOT NULL,
  device_id text NOT NULL,
  session_id text NOT NULL,
  issued_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz
);
CREATE INDEX offline_grants_user ON offline_grants (user_id);
-- The API's own secrets (the grant signing key), made by the first process that needs one.
CREATE TABLE server_keys (
  name text PRIMARY KEY,
  secret text NOT NULL,
  created_at timestamptz NOT NULL
);
-- Settings a supervisor changes at run time.
CREATE TABLE settings (
  key text PRIMARY KEY,
  value jsonb NOT NULL,
  updated_at timestamptz NOT NULL,
  updated_by text
);
`,
  },
  {
    version: 10,
    name: 'control room: device health reports, alerts, ATP history and acknowledged values',
    sql: `
-- What a handheld last reported of itself: its undelivered events, what needs attention, its storage.
CREATE TABLE device_health (
  device_id text PRIMARY KEY,
  reported_at timestamptz NOT NULL,
  pending integer NOT NULL,
  oldest_pending_at timestamptz,
  needs_attention integer NOT NULL,
  storage_usage double precision,
  storage_quota double precision
);
-- Alerts: one open alert per key; a cleared one stays as history (alerts per day).
CREATE TABLE control_alerts (
  id bigserial PRIMARY KEY,
  key text NOT NULL,
  kind text NOT NULL,
  severity text NOT NULL CHECK (severity IN ('warning', 'critical')),
  subject text NOT NULL,
  sku text,
  site text,
  message text NOT NULL,
  figures jsonb NOT NULL,
  raised_at timestamptz NOT NULL,
  last_seen_at timestamptz NOT NULL,
  cleared_at timestamptz,
  acked_at timestamptz,
  acked_by text
);
CREATE UNIQUE INDEX control_alerts_open ON control_alerts (key) WHERE cleared_at IS NULL;
CREATE INDEX control_alerts_raised ON control_alerts (raised_at);
-- Every value of a channel's ATP, by version: written by the database itself whatever path changed it.
CREATE TABLE control_atp_history (
  channel_id text NOT NULL,
  sku text NOT NULL,
  version bigint NOT NULL,
  atp integer NOT NULL,
  at timestamptz NOT NULL,
  msg_id text NOT NULL,
  PRIMARY KEY (channel_id, sku, version)
);
CREATE INDEX control_atp_history_msg ON control_atp_history (msg_id);
CREATE INDEX control_atp_history_at ON control_atp_history (at);
CREATE FUNCTION control_atp_history_write() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.version > 0 AND (TG_OP = 'INSERT' OR NEW.version <> OLD.version) THEN
    INSERT INTO control_atp_history (channel_id, sku, version, atp, at, msg_id)
    VALUES (NEW.channel_id, NEW.sku, NEW.version, NEW.atp, coalesce(NEW.updated_at, now()), 'atp-' || NEW.channel_id || '-' || NEW.sku || '-v' || NEW.version)
    ON CONFLICT DO NOTHING;
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER control_atp_history AFTER INSERT OR UPDATE ON channel_atp FOR EACH ROW EXECUTE FUNCTION control_atp_history_write();
-- What each endpoint acknowledged (2xx) of a channel's ATP: the value it shows, and change-to-delivery lag.
CREATE TABLE control_atp_acks (
  endpoint_id text NOT NULL,
  channel_id text NOT NULL,
  sku text NOT NULL,
  version bigint NOT NULL,
  atp integer NOT NULL,
  changed_at timestamptz NOT NULL,
  acked_at timestamptz NOT NULL,
  PRIMARY KEY (endpoint_id, sku, version)
);
CREATE INDEX control_atp_acks_channel ON control_atp_acks (channel_id, sku, version);
CREATE INDEX control_atp_acks_at ON control_atp_acks (endpoint_id, acked_at);
CREATE FUNCTION control_atp_ack_write() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.kind = 'atp' AND NEW.status_code BETWEEN 200 AND 299 THEN
    INSERT INTO control_atp_acks (endpoint_id, channel_id, sku, version, atp, changed_at, acked_at)
    SELECT NEW.endpoint_id, h.channel_id, h.sku, h.version, h.atp, h.at, NEW.at FROM control_atp_history h WHERE h.msg_id = NEW.msg_id
    ON CONFLICT DO NOTHING;
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER control_atp_acks AFTER INSERT ON webhook_deliveries FOR EACH ROW EXECUTE FUNCTION control_atp_ack_write();
-- An endpoint that also takes the control room's alert events.
ALTER TABLE webhook_endpoints ADD COLUMN alerts boolean NOT NULL DEFAULT false;
`,
  },
  {
    version: 11,
    name: 'reconciliation: channel read-back, drift report, cycle counts',
    sql: `
-- Where a channel answers what it shows (GET, { items: [{ sku, quantity }] }); null: it cannot.
ALTER TABLE channels ADD COLUMN stock_url text;
-- One row per run; a scheduled run's slot key is claimed once across every API process.
CREATE TABLE reconcile_runs (
  id bigserial PRIMARY KEY,
  slot text UNIQUE,
  scope text NOT NULL CHECK (scope IN ('fast', 'all', 'skus')),
  trigger text NOT NULL CHECK (trigger IN ('schedule', 'on_demand', 'repush')),
  started_at timestamptz NOT NULL,
  finished_at timestamptz,
  skus integer NOT NULL DEFAULT 0,
  drifts integer NOT NULL DEFAULT 0,
  read_back_errors jsonb NOT NULL DEFAULT '{}',
  -- Why a run stopped before its end (its drift rows were left as they were).
  error text,
  started_by text
);
-- The drift of every SKU as its last check found it: a check of a SKU replaces that SKU's rows.
CREATE TABLE reconcile_drifts (
  id bigserial PRIMARY KEY,
  run_id bigint NOT NULL REFERENCES reconcile_runs(id),
  kind text NOT NULL CHECK (kind IN ('channel', 'stock')),
  sku text NOT NULL,
  channel_id text,
  sites text[] NOT NULL DEFAULT '{}',
  location text,
  cause text NOT NULL CHECK (cause IN ('not_delivered', 'channel_edited', 'ledger_mismatch')),
  expected bigint NOT NULL,
  shown bigint,
  detail text NOT NULL,
  detected_at timestamptz NOT NULL,
  repushed_at timestamptz,
  repush_version bigint
);
CREATE INDEX reconcile_drifts_sku ON reconcile_drifts (sku);
-- The bins a morning's cycle count lists, each with the count task that counts it (a new one the
-- schedule raised, or the one a discrepancy raised already; the task itself is a count_tasks row).
CREATE TABLE cycle_counts (
  task_id text NOT NULL,
  day date NOT NULL,
  location text NOT NULL,
  reason text NOT NULL CHECK (reason IN ('open_discrepancy', 'fast_mover')),
  detail text NOT NULL,
  raised_at timestamptz NOT NULL,
  PRIMARY KEY (day, task_id)
);
CREATE INDEX cycle_counts_task ON cycle_counts (task_id);
-- Which pick events a velocity window reads: picks by ledger time.
CREATE INDEX ledger_received_type ON ledger (type, received_at);
`,
  },
  {
    version: 12,
    name: 'webhook delivery log retention',
    sql: `
-- The log keeps failed attempts; delivered ones leave it after the retention, found by this index.
CREATE INDEX webhook_deliveries_delivered_at ON webhook_deliveries (at) WHERE status_code BETWEEN 200 AND 299;
`,
  },
  {
    version: 13,
    name: 'stock rows know when they last moved',
    sql: `
-- Kept by the push's write: the control room's dead-stock and held-too-long rules read it instead
-- of every ledger entry of a SKU on each evaluation (a cost that grew with the ledger).
ALTER TABLE stock ADD COLUMN last_moved_at timestamptz;
UPDATE stock st SET last_moved_at = m.last_at
FROM (SELECT split_part(t, ' ', 1) AS sku, split_part(t, ' ', 2) AS location, max(g.received_at) AS last_at
      FROM ledger g CROSS JOIN LATERAL unnest(g.touches) AS t WHERE g.status = 'applied' GROUP BY 1, 2) m
WHERE st.sku = m.sku AND st.location = m.location;
`,
  },
  {
    version: 14,
    name: 'device keys and sign-in challenges; the last disabled window of a person',
    sql: `
-- A handheld registered with a non-extractable ECDSA P-256 key: its public key (SPKI, DER,
-- base64url). Such a device proves itself by signing a challenge, never with a secret.
ALTER TABLE devices ADD COLUMN public_key text;
-- One-time sign-in challenges, each for one device id, short-lived; taken (deleted) by the
-- sign-in that uses it, so it works once, in whichever API process.
CREATE TABLE sign_in_challenges (
  challenge_hash text PRIMARY KEY,
  device_id text NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE INDEX sign_in_challenges_expires ON sign_in_challenges (expires_at);
-- A disabled person is users.locked_at (since when); enabling them keeps their last disabled
-- window, so what a handheld recorded under their old session during it is still refused.
ALTER TABLE users ADD COLUMN disabled_from timestamptz, ADD COLUMN disabled_until timestamptz;
`,
  },
];
