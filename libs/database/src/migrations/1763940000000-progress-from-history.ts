import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Machine version 2: progress updates leave the snapshot. Each was rewritten with the whole
 * snapshot on every later event (a delivering cycle's snapshot grew without bound); the cycle's
 * history already holds every RECORD_PROGRESS with its note, readings, author and time, and the
 * view reads them from there. Nothing is lost: `down` rebuilds the lists from the history.
 * Cycles' rows also leave room on their pages so that an event's update can stay on the page
 * (a HOT update: no index entries written).
 */
export class ProgressFromHistory1763940000000 implements MigrationInterface {
  name = 'ProgressFromHistory1763940000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `UPDATE cycles SET snapshot = jsonb_set(snapshot, '{context}', (snapshot->'context') - 'progress'), machine_version = 2
       WHERE machine_version = 1`,
    );
    await q.query(`ALTER TABLE cycles SET (fillfactor = 70)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE cycles RESET (fillfactor)`);
    await q.query(
      `UPDATE cycles c SET machine_version = 1, snapshot = jsonb_set(c.snapshot, '{context,progress}', (
         SELECT COALESCE(jsonb_agg(jsonb_build_object(
           'note', h.payload->'note', 'readings', COALESCE(h.payload->'readings', '[]'::jsonb),
           'organisationId', h.organisation_id, 'userId', h.actor_user_id,
           'at', to_char(h.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')) ORDER BY h.seq), '[]'::jsonb)
         FROM cycle_history h WHERE h.cycle_id = c.id AND h.type = 'RECORD_PROGRESS'))
       WHERE c.machine_version = 2`,
    );
  }
}
