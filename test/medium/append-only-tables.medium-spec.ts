import { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { AppConfigModule } from '@app/config';
import { CycleEventsService, CyclesModule } from '@app/cycles';
import type { Principal } from '@app/accounts';
import { ERASED, type Seals, releaseFields } from '@app/history';
import { DatabaseModule } from '@app/database';
import { QueueModule } from '@app/queue';
import { servicesCollaboration } from '../support/medium';
import { asOwner } from '../support/owner';

/**
 * Tables written once and never changed, as PostgreSQL keeps them: the apps' role may not change
 * or remove a row at all, and the tables' owner is stopped by a trigger (unless it switches it off).
 */
describe('append-only tables', () => {
  let app: INestApplicationContext;
  let db: DataSource;
  let partnershipId: string;
  let council: Principal;
  let newCycle: () => Promise<string>;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ imports: [AppConfigModule, DatabaseModule, QueueModule, CyclesModule] }).compile();
    app = await moduleRef.init();
    db = app.get(DataSource);
    ({ partnershipId, council, newCycle } = await servicesCollaboration(app));
  });
  afterAll(() => app.close());

  it('the database refuses to change or delete history: to the apps’ role it is not theirs to alter, and its owner is stopped by the triggers', async () => {
    const id = await newCycle();
    // The apps connect as a role that owns nothing: no UPDATE or DELETE of history, no TRUNCATE, no trigger switched off.
    const [{ role, owns }] = await db.query(`SELECT current_user AS role, (SELECT count(*)::int FROM pg_tables WHERE schemaname = 'public' AND tableowner = current_user) AS owns`);
    expect(role).toBe(new URL(process.env.DATABASE_URL!).username);
    expect(owns).toBe(0);
    for (const table of ['cycle_history', 'agreement_history']) {
      await expect(db.query(`UPDATE ${table} SET type = 'X'`)).rejects.toThrow(/permission denied/);
      await expect(db.query(`DELETE FROM ${table}`)).rejects.toThrow(/permission denied/);
      await expect(db.query(`TRUNCATE ${table} CASCADE`)).rejects.toThrow(/permission denied/);
      await expect(db.query(`ALTER TABLE ${table} DISABLE TRIGGER ALL`)).rejects.toThrow(/must be owner/);
    }
    for (const table of ['cycles', 'cycle_texts', 'history_checkpoints', 'users']) {
      await expect(db.query(`TRUNCATE ${table} CASCADE`)).rejects.toThrow(/permission denied/);
      await expect(db.query(`ALTER TABLE ${table} DISABLE TRIGGER ALL`)).rejects.toThrow(/must be owner/);
    }
    await expect(db.query(`CREATE TRIGGER sneak BEFORE INSERT ON cycle_history FOR EACH ROW EXECUTE FUNCTION cycle_history_append_only()`)).rejects.toThrow(/permission denied/);
    await expect(db.query(`SET session_replication_role = replica`)).rejects.toThrow(/permission denied/);
    await expect(db.query(`CREATE TABLE sneak (id int)`)).rejects.toThrow(/permission denied/);
    // Its owner (the migrations') is refused by the append-only triggers.
    await asOwner(async (m) => {
      await expect(m.query(`UPDATE cycle_history SET type = 'X' WHERE cycle_id = $1`, [id])).rejects.toThrow(/append-only/);
    });
    await asOwner(async (m) => {
      await expect(m.query(`DELETE FROM cycle_history WHERE cycle_id = $1`, [id])).rejects.toThrow(/append-only/);
    });
    await asOwner(async (m) => {
      await expect(m.query(`TRUNCATE cycle_history CASCADE`)).rejects.toThrow(/append-only/);
    });
  });

  it('a sealed entry (hash scheme 4) may have its personal fields released, and nothing else changed', async () => {
    const id = await newCycle();
    const events = app.get(CycleEventsService);
    await events.send(council, id, { type: 'LAUNCH' });
    await events.send(council, id, { type: 'ESCALATE', reason: 'Sam Patel of Elm Road was not told' });
    const [entry]: { seq: number; payload: Record<string, unknown>; seals: Seals; hash_scheme: number }[] = await db.query(
      `SELECT seq, payload, seals, hash_scheme FROM cycle_history WHERE cycle_id = $1 AND type = 'ESCALATE'`,
      [id],
    );
    expect(entry.hash_scheme).toBe(4);
    expect(Object.keys(entry.seals)).toEqual(['/reason']);
    const update = (payload: unknown, seals: unknown) =>
      db.query(`UPDATE cycle_history SET payload = $3, seals = $4 WHERE cycle_id = $1 AND seq = $2`, [id, entry.seq, JSON.stringify(payload), JSON.stringify(seals)]);
    const released = releaseFields(entry.payload, entry.seals, ['/reason'], ERASED);
    // Refused: another text in its place (salt kept or dropped), the digest changed, a seal added or removed, a field outside the seals changed, a row of an older scheme.
    await expect(update({ ...entry.payload, reason: 'Someone else' }, entry.seals)).rejects.toThrow(/append-only/);
    await expect(update({ ...entry.payload, reason: 'Someone else' }, released.seals)).rejects.toThrow(/append-only/);
    await expect(update(released.payload, { '/reason': { digest: '0'.repeat(64) } })).rejects.toThrow(/append-only/);
    await expect(update(released.payload, { ...released.seals, '/other': { digest: 'x' } })).rejects.toThrow(/append-only/);
    // A seal that keeps something beside its digest, or a salt made null: refused too.
    await expect(update(released.payload, { '/reason': { ...released.seals['/reason'], note: entry.payload.reason } })).rejects.toThrow(/append-only/);
    await expect(update(released.payload, { '/reason': { ...released.seals['/reason'], salt: null } })).rejects.toThrow(/append-only/);
    await expect(update({ ...released.payload, extra: 1 }, released.seals)).rejects.toThrow(/append-only/);
    await expect(db.query(`UPDATE cycle_history SET payload = payload WHERE cycle_id = $1 AND seq = 1`, [id])).rejects.toThrow(/append-only/);
    await expect(db.query(`UPDATE cycle_history SET hash = 'x' WHERE cycle_id = $1 AND seq = $2`, [id, entry.seq])).rejects.toThrow(/permission denied/);
    // Allowed: the text replaced by its marker, the salt dropped, the digest kept.
    await update(released.payload, released.seals);
    const [after] = await db.query(`SELECT payload, seals FROM cycle_history WHERE cycle_id = $1 AND seq = $2`, [id, entry.seq]);
    expect(after).toEqual({ payload: { ...entry.payload, reason: ERASED }, seals: { '/reason': { digest: entry.seals['/reason'].digest } } });
    // Once released, a text cannot come back.
    await expect(update(entry.payload, entry.seals)).rejects.toThrow(/append-only/);
    await expect(asOwner((m) => m.query(`DELETE FROM cycle_history WHERE cycle_id = $1 AND seq = $2`, [id, entry.seq]))).rejects.toThrow(/append-only/);
  });

  it('a partnership’s history: the apps’ role may change only sealed texts, which the trigger checks; its owner is stopped by the trigger', async () => {
    // Hash scheme 4 (migration 1764430000000): the apps' role may UPDATE payload and seals, which the trigger checks; any other column is not theirs.
    await expect(db.query(`UPDATE partnership_history SET type = 'X' WHERE partnership_id = $1 AND seq = 2`, [partnershipId])).rejects.toThrow(/permission denied/);
    await expect(db.query(`UPDATE partnership_history SET payload = '{}' WHERE partnership_id = $1 AND seq = 2`, [partnershipId])).rejects.toThrow(/append-only/);
    await expect(asOwner((m) => m.query(`UPDATE partnership_history SET payload = '{}' WHERE partnership_id = $1 AND seq = 2`, [partnershipId]))).rejects.toThrow(/append-only/);
  });

  it('signed checkpoints: the apps’ role may add them but not change or remove one', async () => {
    await expect(db.query(`UPDATE signed_heads SET hash = 'x'`)).rejects.toThrow(/permission denied/);
    await expect(db.query(`DELETE FROM signed_checkpoints`)).rejects.toThrow(/permission denied/);
  });
});
