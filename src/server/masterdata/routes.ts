/**
 * The back office's API (supervisors and admins): preview, import (CSV or JSON, all or nothing
 * or clean lines only), export (CSV and JSON), single changes, deletes, and a user's PIN and lock.
 *
 *   GET    /api/v1/masterdata/:entity               JSON { items }
 *   GET    /api/v1/masterdata/:entity/export.csv    CSV (formulas neutralised)
 *   POST   /api/v1/masterdata/:entity/preview       text/csv or { items }: the report, nothing written
 *   POST   /api/v1/masterdata/:entity/import?mode=all|clean
 *   PUT    /api/v1/masterdata/:entity/:key          one JSON record
 *   DELETE /api/v1/masterdata/:entity/:key          catalog, locations, sites, receipts
 *   POST   /api/v1/masterdata/users/:key/pin        { pin }
 *   POST   /api/v1/masterdata/users/:key/disable | enable (older names: lock | unlock)
 *
 * Authorization is checked before the body is read: a stranger's 50 MB upload costs nothing.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { API_PREFIX } from '../../domain/protocol.ts';
import { PinSchema } from '../../domain/masterdata/index.ts';
import type { Database } from '../db.ts';
import { fail, parse } from '../http.ts';
import { requireSession } from '../identity/routes.ts';
import {
  ENTITIES,
  deleteMasterdata,
  exportCsv,
  importMasterdata,
  listMasterdata,
  userRecord,
  type EntityName,
  type ImportContext,
  type ImportInput,
  type ImportReport,
} from './service.ts';

/** Largest import file (or JSON list) the API reads; larger is a 413 before it is parsed. */
export const MAX_IMPORT_BYTES = 16 * 1024 * 1024;
/** Most items one JSON import may carry (a CSV is bounded by its size and the parser's line limit). */
export const MAX_IMPORT_ITEMS = 100_000;

export type MasterdataDeps = { db: Database; now: () => Date; channel: string };

const EntityParam = z.strictObject({ entity: z.enum(ENTITIES, { error: `entity must be one of ${ENTITIES.join(', ')}` }) });
const KeyParams = EntityParam.extend({ key: z.string().trim().min(1, 'key is empty').max(64, 'key is longer than 64 characters') });
const ModeQuery = z.object({ mode: z.enum(['all', 'clean'], { error: 'mode must be all or clean' }).default('all') });
const ItemsBody = z.strictObject({
  items: z.array(z.unknown(), { error: 'items must be a list' }).max(MAX_IMPORT_ITEMS, `at most ${MAX_IMPORT_ITEMS} items per import`),
});
const PinBody = z.strictObject({ pin: PinSchema });

/** Supervisors and admins only; every back-office route. */
function requireBackOffice(req: FastifyRequest) {
  const user = requireSession(req);
  if (!user.roles.includes('supervisor') && !user.roles.includes('admin'))
    fail(403, 'forbidden', 'only a supervisor or an admin may read or change master data');
  return user;
}

const isCsv = (req: FastifyRequest) => /^text\/(csv|plain)\b/i.test(String(req.headers['content-type'] ?? ''));

function inputOf(req: FastifyRequest): ImportInput {
  if (isCsv(req)) {
    const csv = req.body;
    if (typeof csv !== 'string' || csv.trim() === '') return fail(400, 'empty_file', 'the file is empty: send a header line and data lines');
    return { csv };
  }
  return { items: parse(ItemsBody, req.body, 'body').items };
}

function sendReport(reply: FastifyReply, report: ImportReport, write: boolean) {
  if (write && !report.imported) {
    return reply.code(422).send({
      error: 'invalid_file',
      message: `${report.errorCount} ${report.errorCount === 1 ? 'line has an error' : 'lines have errors'}; nothing was imported (fix them, or import the clean lines only with mode=clean)`,
      ...report,
    });
  }
  return reply.send(report);
}

/** The master-data plugin; register it after identity (its session hook) and the rate limit. */
export async function masterdataRoutes(app: FastifyInstance, deps: MasterdataDeps): Promise<void> {
  const { db, now, channel } = deps;
  const ctxOf = (req: FastifyRequest): ImportContext => {
    const user = requireBackOffice(req);
    return { actor: { id: user.id, roles: user.roles }, now, channel };
  };
  const prefix = `${API_PREFIX}/masterdata`;

  // A CSV file is read as text, up to the import limit; only in this plugin.
  app.addContentTypeParser(['text/csv', 'text/plain'], { parseAs: 'string', bodyLimit: MAX_IMPORT_BYTES }, (_req, body, done) => done(null, body));
  app.addHook('preParsing', async (req) => {
    if (req.url.startsWith(prefix)) requireBackOffice(req);
  });
  app.setErrorHandler((err: unknown, _req, reply) => {
    const e = err as { statusCode?: number; code?: string };
    if (e.statusCode === 413 || e.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return reply.code(413).send({
        error: 'file_too_large',
        message: `the file is larger than ${MAX_IMPORT_BYTES / 1024 / 1024} MB; nothing was read. Split it into smaller files`,
      });
    }
    if (e.statusCode === 415 || e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return reply.code(415).send({ error: 'unsupported_media_type', message: 'send a CSV file as text/csv, or JSON { items } as application/json' });
    }
    throw err;
  });
  const big = { bodyLimit: MAX_IMPORT_BYTES };

  app.get(`${prefix}/:entity`, async (req) => {
    requireBackOffice(req);
    const { entity } = parse(EntityParam, req.params, 'path');
    return { items: await listMasterdata(db, entity) };
  });

  app.get(`${prefix}/:entity/export.csv`, async (req, reply) => {
    requireBackOffice(req);
    const { entity } = parse(EntityParam, req.params, 'path');
    const csv = await exportCsv(db, entity);
    return reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${entity}-${now().toISOString().slice(0, 10)}.csv"`)
      .header('x-content-type-options', 'nosniff')
      .send(csv);
  });

  app.post(`${prefix}/:entity/preview`, big, async (req, reply) => {
    const ctx = ctxOf(req);
    const { entity } = parse(EntityParam, req.params, 'path');
    return sendReport(reply, await importMasterdata(db, ctx, entity, inputOf(req), { write: false, mode: 'all' }), false);
  });

  app.post(`${prefix}/:entity/import`, big, async (req, reply) => {
    const ctx = ctxOf(req);
    const { entity } = parse(EntityParam, req.params, 'path');
    const { mode } = parse(ModeQuery, req.query, 'query');
    return sendReport(reply, await importMasterdata(db, ctx, entity, inputOf(req), { write: true, mode }), true);
  });

  app.put(`${prefix}/:entity/:key`, async (req, reply) => {
    const ctx = ctxOf(req);
    const { entity, key } = parse(KeyParams, req.params, 'path');
    const body = req.body as Record<string, unknown> | null;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return fail(400, 'invalid_request', 'body must be one JSON record');
    const idField = entity === 'catalog' ? 'sku' : 'id';
    if (body[idField] !== undefined && body[idField] !== key)
      return fail(400, 'key_mismatch', `the path names ${key} but the body's ${idField} is ${JSON.stringify(body[idField])}`, idField);
    let record: Record<string, unknown> = { ...body, [idField]: key };
    if (entity === 'users') {
      // A PIN is set through its own route; an edit keeps it.
      const current = await userRecord(db, key);
      record = { ...(current ?? {}), ...record, pin: body.pin ?? null };
    }
    return sendReport(reply, await importMasterdata(db, ctx, entity, { items: [record] }, { write: true, mode: 'all' }), true);
  });

  app.delete(`${prefix}/:entity/:key`, async (req, reply) => {
    const ctx = ctxOf(req);
    const { entity, key } = parse(KeyParams, req.params, 'path');
    if (entity === 'users') return fail(409, 'not_deletable', 'a user is never deleted (their scans name them): lock them instead');
    const refusal = await deleteMasterdata(db, ctx, entity as Exclude<EntityName, 'users'>, key);
    if (refusal) return reply.code(refusal.status).send({ error: refusal.error, message: refusal.message });
    return { deleted: key };
  });

  const userChange = async (
    req: FastifyRequest,
    reply: FastifyReply,
    change: (r: NonNullable<Awaited<ReturnType<typeof userRecord>>>) => Record<string, unknown>,
  ) => {
    const ctx = ctxOf(req);
    const { key } = parse(z.object({ key: z.string().min(1).max(64) }), req.params, 'path');
    const current = await userRecord(db, key);
    if (!current) return fail(404, 'not_found', `user ${key} does not exist`);
    return sendReport(reply, await importMasterdata(db, ctx, 'users', { items: [change(current)] }, { write: true, mode: 'all' }), true);
  };
  app.post(`${prefix}/users/:key/pin`, async (req, reply) => {
    requireBackOffice(req);
    const { pin } = parse(PinBody, req.body, 'body');
    return userChange(req, reply, (r) => ({ ...r, pin }));
  });
  // Disabling ends the person's sessions at once in every API process and refuses their sign-in;
  // `lock` / `unlock` are the older names of the same switch (the record's field is `locked`).
  for (const [path, locked] of [
    ['disable', true],
    ['lock', true],
    ['enable', false],
    ['unlock', false],
  ] as const) {
    app.post(`${prefix}/users/:key/${path}`, async (req, reply) => userChange(req, reply, (r) => ({ ...r, locked })));
  }
}
