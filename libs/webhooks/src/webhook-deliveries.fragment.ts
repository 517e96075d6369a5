/** SQL that makes a history entry's webhook deliveries in the cycle write's own statement, so none is lost or doubled. */
import { WEBHOOK_MAY_RECEIVE } from './webhook-access';

/** An instant as the deliveries' bodies give it (UTC, milliseconds). */
const ISO = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;

/**
 * Where webhook deliveries come from: one per history entry and webhook of the cycle's
 * partnership that asked for its type and may receive it now (webhook-access.ts: its organisation
 * still a commissioner member, its maker still active in it). The cycle write embeds it in its
 * statement, so deliveries commit atomically with the history entry (never lost, never doubled);
 * the worker's relay then posts the pending ones. `source` yields the entries as `e`. No imports
 * but webhook-access, so that libs/cycles can use it without the webhooks module.
 */
export const WEBHOOK_DELIVERIES = (source: string) => `
    INSERT INTO webhook_deliveries (webhook_id, event_type, cycle_id, seq, body)
    SELECT w.id, e.type, e.cycle_id, e.seq, jsonb_build_object('type', e.type, 'cycleId', e.cycle_id, 'partnershipId', c.partnership_id,
      'seq', e.seq, 'at', to_char(e.at AT TIME ZONE 'UTC', ${ISO}), 'payload', e.payload)
    FROM ${source} JOIN cycles c ON c.id = e.cycle_id
    JOIN webhooks w ON w.partnership_id = c.partnership_id AND ${WEBHOOK_MAY_RECEIVE('w')}
      AND (w.events @> jsonb_build_array(e.type) OR w.events @> '["*"]'::jsonb)
    ON CONFLICT DO NOTHING`;

/**
 * Retention (libs/data-protection): deletes up to `limit` webhook deliveries queued before
 * `before` (SQL expressions) that are delivered or have failed for good, and answers how many as
 * `n`. A pending delivery is still the outbox of its event: it never goes.
 */
export const WEBHOOK_DELIVERIES_EXPIRED = (before: string, limit: string) =>
  `WITH gone AS (DELETE FROM webhook_deliveries WHERE id IN (
     SELECT d.id FROM webhook_deliveries d WHERE d.at < ${before} AND d.status <> 'pending' LIMIT ${limit} FOR UPDATE SKIP LOCKED) RETURNING 1)
   SELECT count(*)::int AS n FROM gone`;

/**
 * Erasure and redaction (libs/cycles: cycle-releases.service.ts): the deliveries of the entry
 * `cycleId`, `seq` carry its payload as released (`payload`, jsonb), pending ones and the logs of
 * those sent alike (SQL expressions).
 */
export const WEBHOOK_DELIVERIES_RELEASED = (cycleId: string, seq: string, payload: string) =>
  `UPDATE webhook_deliveries SET body = jsonb_set(body, '{payload}', ${payload}) WHERE cycle_id = ${cycleId} AND seq = ${seq}`;
