import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Webhooks follow access (issue 31): each webhook is bound to its maker's organisation, and
 * switched off, with its reason, in the same transaction as whatever ends that access, whichever
 * code makes the change: its organisation leaving the partnership, its maker deactivated or no
 * longer acting for that commissioner organisation, the organisation no longer a commissioner,
 * the partnership archived. Its pending deliveries fail with it (none goes out afterwards). A
 * switched-off webhook stays off: a commissioner adds it again. And webhooks do not amplify: one
 * webhook that is on per address and partnership; failures kept so far are put in general terms.
 */
export class WebhooksFollowAccess1764300000000 implements MigrationInterface {
  name = 'WebhooksFollowAccess1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "webhooks" ADD "organisation_id" uuid CONSTRAINT "webhooks_organisation_fkey" REFERENCES "organisations"("id") ON DELETE CASCADE`);
    await q.query(`ALTER TABLE "webhooks" ADD "disabled_reason" text`);
    await q.query(`UPDATE "webhooks" w SET organisation_id = u.organisation_id FROM users u WHERE u.id = w.created_by_user_id`);
    // Made by no organisation's person (never possible through the service): nobody speaks for it.
    await q.query(`DELETE FROM "webhooks" WHERE organisation_id IS NULL`);
    await q.query(`ALTER TABLE "webhooks" ALTER COLUMN "organisation_id" SET NOT NULL`);
    await q.query(`CREATE INDEX "webhooks_created_by_idx" ON "webhooks" ("created_by_user_id")`);
    await q.query(`CREATE INDEX "webhooks_organisation_idx" ON "webhooks" ("organisation_id")`);
    await q.query(`UPDATE "webhooks" SET disabled_reason = 'failures' WHERE NOT active`);
    // Failures are shown in general terms from now on: the details kept so far (addresses, ports,
    // network codes) leave what the API answers.
    await q.query(`UPDATE "webhook_deliveries" SET last_error = CASE
        WHEN last_error ~ '^answered [0-9]{3}$' THEN 'The receiver answered ' || substr(last_error, 10) || '.'
        ELSE 'The delivery could not be made.' END
      WHERE last_error IS NOT NULL AND last_error NOT IN ('The webhook is switched off.', 'The webhook was switched off.')`);

    // The deliveries before their webhooks: the order the worker's transaction takes them in (no deadlock).
    await q.query(`CREATE FUNCTION webhooks_switch_off(reason text, ids uuid[]) RETURNS void LANGUAGE plpgsql AS $$
      BEGIN
        IF coalesce(cardinality(ids), 0) = 0 THEN RETURN; END IF;
        UPDATE webhook_deliveries d SET status = 'failed', last_error = 'The webhook was switched off.'
        FROM webhooks w WHERE w.id = ANY(ids) AND w.active AND d.webhook_id = w.id AND d.status = 'pending';
        UPDATE webhooks SET active = false, disabled_at = now(), disabled_reason = reason WHERE id = ANY(ids) AND active;
      END $$`);

    // Those that already fail the rule are switched off now, with the first reason that applies.
    await q.query(`SELECT webhooks_switch_off(r.reason, array_agg(r.id)) FROM (
      SELECT w.id, CASE
          WHEN p.archived_at IS NOT NULL THEN 'partnership-archived'
          WHEN NOT u.active THEN 'creator-deactivated'
          WHEN u.role = 'admin' OR u.organisation_id IS DISTINCT FROM w.organisation_id THEN 'creator-role'
          WHEN o.kind <> 'commissioner' THEN 'organisation-not-commissioner'
          WHEN NOT EXISTS (SELECT 1 FROM partnership_members pm WHERE pm.partnership_id = w.partnership_id AND pm.organisation_id = w.organisation_id) THEN 'member-removed'
        END AS reason
      FROM webhooks w JOIN partnerships p ON p.id = w.partnership_id JOIN organisations o ON o.id = w.organisation_id
      LEFT JOIN users u ON u.id = w.created_by_user_id
      WHERE w.active) r WHERE r.reason IS NOT NULL GROUP BY r.reason`);
    // One webhook that is on per address in a partnership: the oldest stays, the others go off.
    await q.query(`SELECT webhooks_switch_off('duplicate', coalesce(array_agg(id), '{}')) FROM (
      SELECT id, row_number() OVER (PARTITION BY partnership_id, url ORDER BY created_at, id) AS n FROM webhooks WHERE active) d WHERE n > 1`);
    await q.query(`CREATE UNIQUE INDEX "webhooks_partnership_url_key" ON "webhooks" ("partnership_id", "url") WHERE active`);

    // Its organisation leaves the partnership (or is replaced in it).
    const member = `SELECT id FROM webhooks WHERE partnership_id = OLD.partnership_id AND organisation_id = OLD.organisation_id AND active`;
    await follow(q, 'webhooks_follow_membership', `'member-removed'`, member, 'AFTER DELETE ON partnership_members FOR EACH ROW');
    await follow(
      q,
      'webhooks_follow_membership_change',
      `'member-removed'`,
      member,
      'AFTER UPDATE ON partnership_members FOR EACH ROW WHEN (NEW.partnership_id <> OLD.partnership_id OR NEW.organisation_id <> OLD.organisation_id)',
    );
    // Its maker is deactivated, or no longer acts for its organisation (moved, or made an admin).
    await follow(
      q,
      'webhooks_follow_maker',
      `CASE WHEN NOT NEW.active THEN 'creator-deactivated' ELSE 'creator-role' END`,
      `SELECT id FROM webhooks WHERE created_by_user_id = NEW.id AND active
         AND NOT (NEW.active AND NEW.role <> 'admin' AND NEW.organisation_id IS NOT DISTINCT FROM organisation_id)`,
      `AFTER UPDATE OF active, role, organisation_id ON users FOR EACH ROW
         WHEN (NEW.active IS DISTINCT FROM OLD.active OR NEW.role IS DISTINCT FROM OLD.role OR NEW.organisation_id IS DISTINCT FROM OLD.organisation_id)`,
    );
    // Its organisation is no longer a commissioner.
    await follow(
      q,
      'webhooks_follow_organisation_kind',
      `'organisation-not-commissioner'`,
      `SELECT id FROM webhooks WHERE organisation_id = NEW.id AND active`,
      `AFTER UPDATE OF kind ON organisations FOR EACH ROW WHEN (NEW.kind <> 'commissioner' AND OLD.kind = 'commissioner')`,
    );
    // The partnership is archived.
    await follow(
      q,
      'webhooks_follow_archive',
      `'partnership-archived'`,
      `SELECT id FROM webhooks WHERE partnership_id = NEW.id AND active`,
      `AFTER UPDATE OF archived_at ON partnerships FOR EACH ROW WHEN (NEW.archived_at IS NOT NULL AND OLD.archived_at IS NULL)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const [name, table] of TRIGGERS) await q.query(`DROP TRIGGER ${name} ON ${table}`);
    for (const [name] of TRIGGERS) await q.query(`DROP FUNCTION ${name}()`);
    await q.query(`DROP FUNCTION webhooks_switch_off(text, uuid[])`);
    await q.query(`DROP INDEX "webhooks_partnership_url_key"`);
    await q.query(`DROP INDEX "webhooks_organisation_idx"`);
    await q.query(`DROP INDEX "webhooks_created_by_idx"`);
    await q.query(`ALTER TABLE "webhooks" DROP COLUMN "disabled_reason"`);
    await q.query(`ALTER TABLE "webhooks" DROP COLUMN "organisation_id"`);
  }
}

const TRIGGERS = [
  ['webhooks_follow_membership', 'partnership_members'],
  ['webhooks_follow_membership_change', 'partnership_members'],
  ['webhooks_follow_maker', 'users'],
  ['webhooks_follow_organisation_kind', 'organisations'],
  ['webhooks_follow_archive', 'partnerships'],
];

/** A trigger (`when`: its timing, table and condition) switching off the webhooks `select` answers, for `reason` (an SQL expression). */
async function follow(q: QueryRunner, name: string, reason: string, select: string, when: string): Promise<void> {
  await q.query(`CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM webhooks_switch_off(${reason}, ARRAY(${select}));
      RETURN NULL;
    END $$`);
  await q.query(`CREATE TRIGGER ${name} ${when} EXECUTE FUNCTION ${name}()`);
}
