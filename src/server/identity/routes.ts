/**
 * Who is calling: authentication of every request, sign-in (with device binding and PIN
 * throttling), sign-out, the live feed's tickets and streams, and the supervisor's session and
 * device admin. See storage.ts in this folder for the rules.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { DeviceIdSchema } from '../../domain/ids.ts';
import {
  API_PREFIX,
  ChallengeRequestSchema,
  RESERVED_DEVICE_IDS,
  SignInRequestSchema,
  type ChallengeResponse,
  type SessionView,
  type SignInResponse,
  type StreamTicket,
} from '../../domain/protocol.ts';
import { newToken, tokenHash, verifyPin } from '../auth.ts';
import type { Database } from '../db.ts';
import type { ChangeFeed } from '../feed.ts';
import { fail, parse } from '../http.ts';
import { userWithPin } from '../storage/index.ts';
import { CHALLENGE_MS, newChallenge, readPublicKey, verifyDeviceSignature } from './device-key.ts';
import { PinGate } from './pin-gate.ts';
import * as ids from './storage.ts';

/** A shift: a token signs in one worker for one shift at most, then they sign in again. */
export const SESSION_HOURS = 12;
/** Failed PIN checks allowed per window: per user (any device), per proven device, per address (unproven devices). */
export const PIN_LIMITS = { user: 5, device: 10, address: 20 } as const;
export const PIN_WINDOW_MS = 15 * 60_000;
/** PIN checks (scrypt) running at once in one process, and unproven sign-ins allowed to wait for one. */
const PIN_SLOTS = 2;
const MAX_UNPROVEN_WAITING = 8;
const STREAM_TICKET_MS = 30_000;
const ADDRESS_LOCK_CACHE_S = 5;
export const MAX_STREAMS_PER_SESSION = 4;
/** Sign-in challenges one address may ask for per CHALLENGE_MS (a handheld asks one per sign-in). */
const CHALLENGE_LIMIT = 600;

declare module 'fastify' {
  interface FastifyRequest {
    /** The verified session of the Authorization header, set before anything else runs. */
    user?: ids.SessionUser;
  }
}

export type IdentityDeps = { db: Database; feed: ChangeFeed; now: () => Date; keepAliveMs: number };

const StreamQuery = z.strictObject({ ticket: z.string().regex(/^[A-Za-z0-9_-]{20,100}$/, 'ticket must be one from POST /stream-tickets') });
const SessionIdParam = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'not a session id');
const UserIdParam = z.string().trim().min(1).max(64);

const sameHash = (a: string, b: string | null | undefined): boolean => {
  if (!b || a.length !== b.length) return false;
  return timingSafeEqual(Buffer.from(a), Buffer.from(b));
};
const secondsUntil = (at: Date, now: Date) => String(Math.max(1, Math.ceil((at.getTime() - now.getTime()) / 1000)));

/** The caller's verified session or a 401. */
export function requireSession(req: FastifyRequest): ids.SessionUser {
  return req.user ?? fail(401, 'unauthorized', 'sign in first: send Authorization: Bearer <token> of an open session');
}

/** The verified session of a supervisor, or a 401/403. */
export function requireSupervisor(req: FastifyRequest, what = 'do this'): ids.SessionUser {
  const user = requireSession(req);
  if (!user.roles.includes('supervisor')) fail(403, 'forbidden', `only a supervisor may ${what}`);
  return user;
}

/** The verified session of someone who administers devices (a supervisor, or the back office's admin), or a 401/403. */
export function requireDeviceAdmin(req: FastifyRequest, what: string): ids.SessionUser {
  const user = requireSession(req);
  if (!user.roles.includes('supervisor') && !user.roles.includes('admin')) fail(403, 'forbidden', `only a supervisor or an admin may ${what}`);
  return user;
}

/** The rate limit's key: the verified session, else the client address (never an unverified header). */
export const rateKey = (req: FastifyRequest): string => (req.user ? `s:${req.user.sessionId}` : `ip:${req.ip}`);

/**
 * Registers authentication (an `onRequest` hook, so it runs before the rate limit and every
 * route) and the identity routes. Answers a function closing every live stream (for shutdown).
 */
export async function registerIdentity(app: FastifyInstance, deps: IdentityDeps): Promise<{ closeStreams(): void; close(): Promise<void> }> {
  const { db, now } = deps;
  const gate = new PinGate(PIN_SLOTS, MAX_UNPROVEN_WAITING);
  /**
   * Addresses this process saw locked (over their failure limit), until when (wall clock, at
   * most a few seconds ahead): a flood from a locked address is answered 429 without touching
   * the database, so it cannot slow the sign-ins of registered handhelds. It only ever refuses
   * what the database would refuse too; a registered device (with its secret) is not held up by it.
   */
  const lockedAddresses = new Map<string, number>();
  const streams = new Map<string, Set<() => void>>();
  const closeStreamsOf = (sessionIds: readonly string[]) => {
    for (const id of sessionIds) for (const end of [...(streams.get(id) ?? [])]) end();
  };
  // Ended and revoked sessions are announced to every API process, whose streams of them close.
  const channel = await ids.sessionChannel(db);
  const unlisten = await db.listen(channel, (payload) => {
    try {
      closeStreamsOf(JSON.parse(payload) as string[]);
    } catch {
      // Not ours: ignore.
    }
  });
  const announce = async (sessionIds: readonly string[]) => {
    if (sessionIds.length === 0) return;
    closeStreamsOf(sessionIds);
    await db.query('SELECT pg_notify($1, $2)', [channel, JSON.stringify(sessionIds)]);
  };

  app.addHook('onRequest', async (req) => {
    const header = req.headers.authorization;
    if (typeof header !== 'string' || !header.startsWith('Bearer ')) return;
    const token = header.slice(7).trim();
    if (token.length < 20 || token.length > 200) return;
    req.user = await ids.sessionByToken(db, tokenHash(token), now());
  });

  app.post(`${API_PREFIX}/sessions`, { config: { rateLimit: false } }, async (req, reply): Promise<SignInResponse> => {
    const body = parse(SignInRequestSchema, req.body, 'body');
    const deviceId = body.deviceId;
    if (RESERVED_DEVICE_IDS.includes(deviceId))
      return fail(403, 'reserved_device', `device id ${deviceId} is reserved for the API's own records; no handheld signs in on it`);
    const claimsDevice = !!body.deviceSecret || !!body.signature;
    const lockedUntil = lockedAddresses.get(req.ip);
    if (lockedUntil !== undefined && !claimsDevice) {
      if (lockedUntil > Date.now()) {
        reply.header('retry-after', String(Math.ceil((lockedUntil - Date.now()) / 1000)));
        return fail(429, 'rate_limited', 'too many failed sign-ins for this network address; wait or ask a supervisor');
      }
      lockedAddresses.delete(req.ip);
    }
    // A request that cannot be from a registered device waits for a PIN slot before it touches
    // the database at all: a flood costs at most a few queries at a time.
    let entered = false;
    if (!claimsDevice) {
      if (!(await gate.enter('unproven'))) return busy(reply);
      entered = true;
    }
    try {
      return await signIn(req, reply, body, deviceId, entered);
    } finally {
      if (entered) gate.leave();
    }
  });

  // A one-time challenge for a device's next sign-in (any device id: a new handheld proves its key
  // at registration too). Kept in the database, so any API process takes it, once. A bucket of its
  // own per address: a flood of challenges neither spends the address's budget for other calls nor
  // keeps more than CHALLENGE_LIMIT rows per address alive (each lives CHALLENGE_MS).
  app.post(
    `${API_PREFIX}/sessions/challenge`,
    { config: { rateLimit: { max: CHALLENGE_LIMIT, timeWindow: CHALLENGE_MS } } },
    async (req): Promise<ChallengeResponse> => {
      const { deviceId } = parse(ChallengeRequestSchema, req.body, 'body');
      if (RESERVED_DEVICE_IDS.includes(deviceId)) return fail(403, 'reserved_device', `device id ${deviceId} is reserved for the API's own records`);
      const challenge = newChallenge();
      const at = now();
      const expiresAt = new Date(at.getTime() + CHALLENGE_MS);
      await ids.createChallenge(db, challenge, deviceId, expiresAt, at);
      return { challenge, expiresAt: expiresAt.toISOString() };
    },
  );

  const busy = (reply: FastifyReply): never => {
    reply.header('retry-after', '1');
    return fail(429, 'rate_limited', 'too many sign-ins at once from unregistered devices; try again in a moment');
  };

  /**
   * Whether a request's challenge and signature prove the holder of `publicKey` for `deviceId`.
   * The challenge is used up whatever the outcome: a replay, a challenge of another device or an
   * expired one proves nothing.
   */
  async function keyProof(deviceId: string, proof: { challenge?: string; signature?: string }, publicKey: string | null | undefined): Promise<KeyCheck> {
    if (!proof.challenge || !proof.signature) return { ok: false, why: 'no signed challenge' };
    const taken = await ids.takeChallenge(db, proof.challenge, deviceId, now());
    if (taken !== 'ok')
      return { ok: false, why: taken === 'expired' ? 'the challenge expired; ask for a new one' : 'the challenge is unknown, used or not for this device' };
    if (!publicKey || !verifyDeviceSignature(publicKey, deviceId, proof.challenge, proof.signature))
      return { ok: false, why: "the signature is not this device's key's signature of the challenge" };
    return { ok: true, publicKey };
  }
  type KeyCheck = { ok: true; publicKey: string } | { ok: false; why: string };
  const notProvenBy = (deviceId: string, check: KeyCheck) => `${ids.notProven(deviceId)} (${check.ok ? 'proven' : check.why})`;

  async function signIn(
    req: FastifyRequest,
    reply: FastifyReply,
    body: z.output<typeof SignInRequestSchema>,
    deviceId: string,
    entered: boolean,
  ): Promise<SignInResponse> {
    if (body.publicKey && !readPublicKey(body.publicKey)) return fail(400, 'invalid_request', 'publicKey is not an ECDSA P-256 public key (SPKI)', 'publicKey');
    const reg = await ids.deviceRegistration(db, deviceId);
    const registered = ids.isRegistered(reg);
    const prevId = body.previous?.deviceId;
    // The replacement of a reset device whose first answer was lost: proven by the old registration instead.
    const retry = registered && !!prevId && reg?.replaces === prevId;
    // Device checks come before any PIN is checked or counted: they cost no hashing, and a
    // stranger naming a registered device can neither sign in on it nor lock it out.
    const secretHash = body.deviceSecret ? tokenHash(body.deviceSecret) : undefined;
    const byKey = registered && !retry && !!reg?.publicKey;
    const key = body.signature ? await keyProof(deviceId, body, byKey ? reg?.publicKey : body.publicKey) : undefined;
    // A device registered with a key is proven by a signature only; one registered with a secret, by the secret.
    const provenBy: ids.Credential | undefined = byKey
      ? key?.ok
        ? { publicKey: key.publicKey }
        : undefined
      : registered && !reg?.publicKey && secretHash && sameHash(secretHash, reg?.secretHash)
        ? { secretHash }
        : undefined;
    const proven = !!provenBy;
    if (registered && !proven && !retry) return fail(403, 'device_not_proven', byKey && key ? notProvenBy(deviceId, key) : ids.notProven(deviceId));
    if (proven && reg?.revokedAt) return fail(403, 'device_revoked', ids.revokedMessage);
    if (proven && reg?.resetAt) return fail(403, 'device_reset', ids.resetMessage);
    // A signature that proves nothing is refused whatever else the request carries; a key is
    // registered only with a fresh challenge signed by it (the device can sign before it is bound to it).
    if (key && !key.ok) return fail(403, 'device_not_proven', notProvenBy(deviceId, key));
    if (body.publicKey && !key?.ok)
      return fail(403, 'device_not_proven', 'a public key is registered only with a fresh challenge signed by it (challenge, signature)');
    let previous: ids.OpenSession['previous'];
    if (body.previous && prevId) {
      const prev = await ids.deviceRegistration(db, prevId);
      const p = body.previous;
      let prevProof: ids.Credential | undefined;
      if (p.deviceSecret) {
        const prevHash = tokenHash(p.deviceSecret);
        if (prev && !prev.publicKey && sameHash(prevHash, prev.secretHash)) prevProof = { secretHash: prevHash };
      } else if (prev?.publicKey) {
        const check = await keyProof(prevId, p, prev.publicKey);
        if (check.ok) prevProof = { publicKey: check.publicKey };
      }
      if (!prev || !prevProof || !prev.resetAt || (prev.replacedBy && prev.replacedBy !== deviceId) || (registered && !retry)) {
        return fail(403, 'previous_not_proven', ids.previousMessage);
      }
      previous = { deviceId: prevId, proven: prevProof };
    }

    if (!entered && !(await gate.enter(proven ? 'proven' : 'unproven'))) return busy(reply);
    let user: Awaited<ReturnType<typeof userWithPin>>;
    let counters: ids.CounterKey[];
    try {
      const at = now();
      counters = [
        { scope: 'user', key: body.user, limit: PIN_LIMITS.user },
        proven ? { scope: 'device', key: deviceId, limit: PIN_LIMITS.device } : { scope: 'address', key: req.ip, limit: PIN_LIMITS.address },
      ];
      const reserved = await ids.reserveAttempt(db, counters, at, PIN_WINDOW_MS);
      if (reserved.over) {
        const retry = reserved.retryAt ? secondsUntil(reserved.retryAt, at) : '60';
        if (reserved.over.scope === 'address') {
          if (lockedAddresses.size > 10_000) lockedAddresses.clear();
          lockedAddresses.set(req.ip, Date.now() + Math.min(Number(retry), ADDRESS_LOCK_CACHE_S) * 1000);
        }
        const who = reserved.over.scope === 'user' ? `"${body.user}"` : reserved.over.scope === 'device' ? 'this handheld' : 'this network address';
        return fail(429, 'rate_limited', `too many failed sign-ins for ${who}; wait ${retry} s or ask a supervisor to unlock`, undefined, {
          'retry-after': retry,
        });
      }
      user = await userWithPin(db, body.user);
      const ok = await verifyPin(body.pin, user?.pinHash);
      if (!user || !ok) return fail(401, 'bad_credentials', 'unknown user or wrong PIN');
    } finally {
      if (!entered) gate.leave();
    }
    await ids.releaseAttempt(db, counters);
    // Told only to whoever knows the PIN: the person is disabled, not mistyping.
    if (user.disabled) return fail(403, 'user_disabled', ids.disabledMessage(user.id));

    const token = newToken();
    const session = randomBytes(16).toString('base64url');
    // What this sign-in registers: the key it proved, else (a new device, or a reset one's replacement again) a new secret.
    const newKey = body.publicKey && key?.ok && (!registered || retry || !reg?.publicKey) ? body.publicKey : undefined;
    const deviceSecret = !newKey && (!registered || retry) ? newToken() : undefined;
    const register: ids.Credential | undefined = newKey ? { publicKey: newKey } : deviceSecret ? { secretHash: tokenHash(deviceSecret) } : undefined;
    const at = now();
    const expiresAt = new Date(at.getTime() + SESSION_HOURS * 3_600_000);
    const opened = await ids.openSession(db, {
      tokenHash: tokenHash(token),
      sessionId: session,
      userId: user.id,
      deviceId,
      ...(register ? { register } : {}),
      ...(provenBy ? { proven: provenBy } : {}),
      ...(previous ? { previous } : {}),
      now: at,
      expiresAt,
    });
    if (!opened.ok) return fail(403, opened.code, opened.message);
    req.log.info(
      { user: user.id, deviceId, registered: register ? ('publicKey' in register ? 'key' : 'secret') : false, replaces: previous?.deviceId },
      'signed in',
    );
    return {
      token,
      session,
      expiresAt: expiresAt.toISOString(),
      user: { id: user.id, name: user.name, roles: user.roles },
      ...(deviceSecret ? { deviceSecret } : {}),
    };
  }

  // Sign-out: the token dies at once in every process (each request checks the database) and
  // the session's streams close; events recorded under it stay valid.
  app.delete(`${API_PREFIX}/sessions/current`, async (req, reply) => {
    const user = requireSession(req);
    const ended = await ids.endSession(db, user.tokenHash, now());
    await announce(ended ? [ended] : []);
    return reply.code(204).send();
  });

  app.get(`${API_PREFIX}/sessions`, async (req): Promise<{ sessions: SessionView[] }> => {
    requireSupervisor(req, 'list sessions');
    const active = (req.query as { active?: unknown }).active;
    return { sessions: await ids.sessionRows(db, now(), active === '1' || active === 'true') };
  });

  app.post(`${API_PREFIX}/sessions/:sessionId/revoke`, async (req) => {
    requireSupervisor(req, 'revoke a session');
    const id = parse(SessionIdParam, (req.params as { sessionId?: string }).sessionId, 'sessionId');
    if (!(await ids.revokeSession(db, id, now()))) return fail(404, 'not_found', `no session ${id}`);
    await announce([id]);
    return { revoked: id };
  });

  app.post(`${API_PREFIX}/devices/:deviceId/revoke`, async (req) => {
    requireDeviceAdmin(req, 'revoke a device');
    const id = parse(DeviceIdSchema, (req.params as { deviceId?: string }).deviceId, 'deviceId');
    const out = await ids.revokeDevice(db, id, now());
    if (!out.found) return fail(404, 'not_found', `no device ${id}`);
    await announce(out.sessions);
    return { revoked: id, sessions: out.sessions };
  });

  app.post(`${API_PREFIX}/devices/:deviceId/reset`, async (req) => {
    requireDeviceAdmin(req, 'reset a device');
    const id = parse(DeviceIdSchema, (req.params as { deviceId?: string }).deviceId, 'deviceId');
    if (!(await ids.resetDevice(db, id, now()))) return fail(404, 'not_found', `no registered device ${id}`);
    return { reset: id };
  });

  app.post(`${API_PREFIX}/users/:userId/unlock`, async (req) => {
    requireSupervisor(req, 'unlock a user');
    const id = parse(UserIdParam, (req.params as { userId?: string }).userId, 'userId');
    return { unlocked: id, wasLocked: await ids.unlockUser(db, id) };
  });

  app.post(`${API_PREFIX}/stream-tickets`, async (req): Promise<StreamTicket> => {
    const user = requireSession(req);
    const ticket = randomBytes(24).toString('base64url');
    const at = now();
    const expiresAt = new Date(at.getTime() + STREAM_TICKET_MS);
    await ids.createStreamTicket(db, ticket, user.tokenHash, expiresAt, at);
    return { ticket, expiresAt: expiresAt.toISOString() };
  });

  app.get(`${API_PREFIX}/stream`, { config: { rateLimit: false } }, async (req, reply: FastifyReply) => {
    const q = parse(StreamQuery, req.query, 'query');
    const token = await ids.takeStreamTicket(db, q.ticket, now());
    const user = token ? await ids.sessionByToken(db, token, now()) : undefined;
    if (!user) return fail(401, 'unauthorized', 'the stream ticket is unknown, used or expired; ask for a new one');
    const mine = streams.get(user.sessionId) ?? new Set<() => void>();
    if (mine.size >= MAX_STREAMS_PER_SESSION) return fail(429, 'too_many_streams', `at most ${MAX_STREAMS_PER_SESSION} live feeds per session`);
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache, no-transform', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.write('retry: 3000\n: connected\n\n');
    const unsubscribe = deps.feed.subscribe((change) => res.write(`event: change\ndata: ${JSON.stringify(change)}\n\n`));
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), deps.keepAliveMs);
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      clearInterval(keepAlive);
      unsubscribe();
      mine.delete(end);
      if (mine.size === 0) streams.delete(user.sessionId);
      res.end();
    };
    mine.add(end);
    streams.set(user.sessionId, mine);
    req.raw.on('close', end);
  });

  return {
    closeStreams: () => {
      for (const set of [...streams.values()]) for (const end of [...set]) end();
    },
    close: () => unlisten(),
  };
}
