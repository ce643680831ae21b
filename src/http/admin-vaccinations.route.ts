/**
 * The admin API for doses and certificate corrections (issue 5):
 *
 *   POST  /admin/vaccinations            record a dose (idempotent by source + sourceRecordId)
 *         {personId | identityType + number, doseNumber, productCode, lotNumber?, administeredAt,
 *          hospitalCode, sourceRecordId, source?, recordedBy?}
 *   PATCH /admin/vaccinations/:id        correct a dose {doseNumber?, productCode?, lotNumber?, administeredAt?, hospitalCode?, reason}
 *   POST  /admin/vaccinations/:id/void   void a dose {reason}
 *   GET   /admin/corrections?hospitalCode=&status=     citizens' correction requests
 *   POST  /admin/corrections/:id/resolve {action:'correct', correction:{...}, reason} | {action:'reject', reason}
 *
 * A correction or void revokes at once the certificates that no longer match. Bearer
 * ADMIN_TOKEN (admin-auth.ts). A dose for a document nobody registered yet is held (202) and
 * recorded when that document registers. Refusals are problem details: 404 unknown person or dose, 409
 * a conflicting report or a dose number already recorded, 422 invalid fields. An identity
 * number is only hashed for the look-up: never stored or logged.
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import type { Db, PrismaClient } from '../db/client.js';
import type { Logger } from '../shared/logger.js';
import type { PersonalDataCipher } from '../shared/personal-data.js';
import { normalisePassport, normaliseThaiId, passportKey } from '../domain/identity/thai-national-id.js';
import { holdDoseReport } from '../domain/vaccination/held-dose-reports.js';
import { recordDose } from '../domain/vaccination/record-dose.js';
import { correctDose, voidDose } from '../domain/vaccination/correct-dose.js';
import type { CertificateKeys } from '../domain/certificates/certificate-keys.js';
import { revokeOutdatedCertificates } from '../domain/certificates/revocation.js';
import { listCorrectionRequests } from '../domain/certificates/request-correction.js';
import { resolveCorrection } from '../domain/certificates/resolve-correction.js';
import { createAdminAuth } from './admin-auth.js';
import { sendProblem } from './problem.js';

/** Audit actor of changes made with the shared admin token. */
const ACTOR = 'admin:api';

const instant = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time with an offset' }).transform((v) => new Date(v));
const doseFieldsSchema = {
  doseNumber: z.number().int().min(1).max(10),
  productCode: z.string().trim().min(1).max(20).transform((v) => v.toUpperCase()),
  lotNumber: z.string().trim().min(1).max(40).nullable(),
  administeredAt: instant,
  hospitalCode: z.string().regex(/^\d{5}$/, 'must be 5 digits'),
};
const reason = z.string().trim().min(1, 'a reason is required').max(500);

const recordBody = z
  .object({
    personId: z.uuid().optional(),
    identityType: z.enum(['THAI_ID', 'PASSPORT']).optional(),
    number: z.string().min(1).max(40).optional(),
    /** ISO 3166-1 alpha-3 of the passport's issuer (passports are keyed by country + number). */
    nationality: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 3166-1 alpha-3 code').optional(),
    ...doseFieldsSchema,
    lotNumber: doseFieldsSchema.lotNumber.optional(),
    sourceRecordId: z.string().trim().min(1).max(100),
    source: z.string().regex(/^(his:\d{5}|admin:[a-z0-9._-]{1,40})$/, "must be 'his:<hospital code>' or 'admin:<name>'").optional(),
    recordedBy: z.string().trim().min(1).max(100).optional(),
  })
  .refine((b) => (b.personId !== undefined) !== (b.identityType !== undefined && b.number !== undefined), {
    message: 'identify the person by personId, or by identityType and number (not both)',
  })
  .refine((b) => b.identityType !== 'PASSPORT' || b.nationality !== undefined, {
    message: 'a passport needs its nationality (ISO 3166-1 alpha-3)',
    path: ['nationality'],
  });
const correctBody = z
  .object({
    doseNumber: doseFieldsSchema.doseNumber.optional(),
    productCode: doseFieldsSchema.productCode.optional(),
    lotNumber: doseFieldsSchema.lotNumber.optional(),
    administeredAt: doseFieldsSchema.administeredAt.optional(),
    hospitalCode: doseFieldsSchema.hospitalCode.optional(),
    reason,
  })
  .strict();
const voidBody = z.object({ reason });
const listQuery = z.object({
  hospitalCode: z.string().regex(/^\d{5}$/, 'must be 5 digits').optional(),
  status: z.enum(['OPEN', 'CORRECTED', 'REJECTED']).optional(),
});
const resolveBody = z.discriminatedUnion('action', [
  z.object({
    action: z.literal('correct'),
    correction: correctBody
      .omit({ reason: true })
      .extend({
        vaccinationId: z.uuid().optional(),
        /** Name or date-of-birth corrections (the hospital checked the person's documents). */
        person: z
          .object({
            firstName: z.string().trim().min(1).max(100).optional(),
            lastName: z.string().trim().min(1).max(100).optional(),
            birthDate: z.iso.date('birthDate must be YYYY-MM-DD').optional(),
          })
          .strict()
          .optional(),
      })
      .strict(),
    reason,
  }),
  z.object({ action: z.literal('reject'), reason }),
]);
const uuidParam = z.uuid();

const STATUS_OF: Record<string, [number, string]> = {
  'unknown-person': [404, 'No such person'],
  'not-found': [404, 'Not found'],
  'no-dose': [404, 'No dose of this person to correct'],
  'nothing-to-correct': [422, 'The correction changes nothing'],
  'conflicting-report': [409, 'A different report was recorded under this source record id'],
  'dose-already-recorded': [409, 'This dose number is already recorded for the person'],
  'already-resolved': [409, 'This request is already resolved'],
  voided: [409, 'This dose is voided'],
  'unknown-product': [422, 'Unknown product code'],
  'unknown-hospital': [422, 'Unknown hospital code'],
  'in-the-future': [422, 'The date is in the future'],
  'reason-required': [422, 'A reason is required'],
};

export function createAdminVaccinationsRouter(deps: {
  db: PrismaClient;
  cipher: PersonalDataCipher;
  certificateKeys: CertificateKeys;
  adminToken: string | undefined;
  log: Logger;
  now?: () => Date;
}): Router {
  const now = deps.now ?? (() => new Date());
  const router = express.Router();
  const paths = ['/admin/vaccinations', '/admin/corrections'];
  router.use(paths, createAdminAuth(deps.adminToken), express.json({ limit: '64kb' }));

  /** A dose change and, when it changed something, the revocation of the certificates it made untrue: one transaction. */
  const changeDose = <R extends { ok: true; changed: boolean; vaccination: { personId: string } } | { ok: false; refusal: string }>(
    reason: 'corrected' | 'voided',
    change: (tx: Db) => Promise<R>,
  ) =>
    deps.db.$transaction(async (tx) => {
      const result = await change(tx);
      if (!result.ok || !result.changed) return { result, revoked: 0 };
      return { result, revoked: await revokeOutdatedCertificates({ db: tx, personId: result.vaccination.personId, reason, now: now() }) };
    });

  const refuse = (res: Response, refusal: string) => {
    const [status, title] = STATUS_OF[refusal] ?? [422, refusal];
    sendProblem(res, status, title, undefined, { refusal });
  };

  router.post('/admin/vaccinations', async (req, res) => {
    const body = parse(recordBody, req.body, res);
    if (!body) return;
    const source = body.source ?? ACTOR;
    // The same dose whether it is recorded now or held until its person registers.
    const dose = {
      doseNumber: body.doseNumber,
      productCode: body.productCode,
      lotNumber: body.lotNumber ?? null,
      administeredAt: body.administeredAt,
      hospitalCode: body.hospitalCode,
      source,
      sourceRecordId: body.sourceRecordId,
      recordedBy: body.recordedBy ?? ACTOR,
    };
    let personId = body.personId;
    if (!personId) {
      const idHash =
        body.identityType === 'THAI_ID'
          ? deps.cipher.hashIdentity('THAI_ID', normaliseThaiId(body.number!))
          : deps.cipher.hashIdentity('PASSPORT', passportKey(body.nationality!, normalisePassport(body.number!)));
      const person = await deps.db.person.findUnique({ where: { idHash }, select: { id: true } });
      if (!person) {
        // Not registered with us yet: hold the dose for them (recorded when they register)
        // rather than lose it. 202: accepted, not yet on anyone's record.
        const held = await holdDoseReport({
          db: deps.db,
          idHash,
          report: dose,
        });
        if (!held.ok) return refuse(res, held.refusal);
        deps.log.info({ created: held.created, source }, 'admin: dose held for a document not registered yet');
        return res.status(202).json({ held: true, created: held.created });
      }
      personId = person.id;
    }
    const result = await deps.db.$transaction((tx) =>
      recordDose({
        db: tx,
        report: { personId: personId!, ...dose },
        now: now(),
      }),
    );
    if (!result.ok) return refuse(res, result.refusal);
    deps.log.info({ vaccinationId: result.vaccination.id, created: result.created, source }, 'admin: dose recorded');
    res.status(result.created ? 201 : 200).json({ created: result.created, vaccination: result.vaccination });
  });

  router.patch('/admin/vaccinations/:id', async (req, res) => {
    const id = uuidParam.safeParse(req.params.id);
    if (!id.success) return refuse(res, 'not-found');
    const body = parse(correctBody, req.body, res);
    if (!body) return;
    const { reason: why, ...correction } = body;
    const { result, revoked } = await changeDose('corrected', (tx) => correctDose({ db: tx, vaccinationId: id.data, correction, reason: why, actor: ACTOR, now: now() }));
    if (!result.ok) return refuse(res, result.refusal);
    deps.log.info({ vaccinationId: id.data, changed: result.changed, revokedCertificates: revoked }, 'admin: dose corrected');
    res.json({ changed: result.changed, revokedCertificates: revoked, vaccination: result.vaccination });
  });

  router.post('/admin/vaccinations/:id/void', async (req, res) => {
    const id = uuidParam.safeParse(req.params.id);
    if (!id.success) return refuse(res, 'not-found');
    const body = parse(voidBody, req.body, res);
    if (!body) return;
    const { result, revoked } = await changeDose('voided', (tx) => voidDose({ db: tx, vaccinationId: id.data, reason: body.reason, actor: ACTOR }));
    if (!result.ok) return refuse(res, result.refusal);
    deps.log.info({ vaccinationId: id.data, changed: result.changed, revokedCertificates: revoked }, 'admin: dose voided');
    res.json({ changed: result.changed, revokedCertificates: revoked, vaccination: result.vaccination });
  });

  router.get('/admin/corrections', async (req, res) => {
    const query = parse(listQuery, req.query, res);
    if (!query) return;
    res.json({ requests: await listCorrectionRequests({ db: deps.db, ...query }) });
  });

  router.post('/admin/corrections/:id/resolve', async (req, res) => {
    const id = uuidParam.safeParse(req.params.id);
    if (!id.success) return refuse(res, 'not-found');
    const body = parse(resolveBody, req.body, res);
    if (!body) return;
    const result = await deps.db.$transaction((tx) => resolveCorrection({ db: tx, keys: deps.certificateKeys, id: id.data, input: body, actor: ACTOR, now: now() }));
    if (!result.ok) return refuse(res, result.refusal);
    deps.log.info({ correctionId: id.data, status: result.status, revokedCertificates: result.revoked }, 'admin: correction resolved');
    res.json(result);
  });

  router.use(paths, (err: unknown, _req: Request, res: Response, next: NextFunction) => {
    const status = typeof err === 'object' && err !== null && 'status' in err && typeof err.status === 'number' ? err.status : 500;
    if (status === 413) return sendProblem(res, 413, 'Payload too large', 'The body is over the 64 KB limit.');
    if (status === 400) return sendProblem(res, 400, 'Malformed JSON', 'The body is not valid JSON.');
    next(err);
  });
  return router;
}

/** Field errors → 422 with the list (never echoing values: one of them may be an ID number). */
function parse<T>(schema: z.ZodType<T>, body: unknown, res: Response): T | undefined {
  const result = schema.safeParse(body ?? {});
  if (result.success) return result.data;
  const errors = result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
  sendProblem(res, 422, 'Invalid request', errors.map((e) => (e.path ? `${e.path}: ${e.message}` : e.message)).join('; '), { errors });
  return undefined;
}
