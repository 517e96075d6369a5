import { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { AppConfigModule } from '@app/config';
import { CyclesModule } from '@app/cycles';
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
  let newCycle: () => Promise<string>;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ imports: [AppConfigModule, DatabaseModule, QueueModule, CyclesModule] }).compile();
    app = await moduleRef.init();
    db = app.get(DataSource);
    ({ partnershipId, newCycle } = await servicesCollaboration(app));
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

  it('a partnership’s history: the apps’ role may not change it; its owner is stopped by the trigger', async () => {
    await expect(db.query(`UPDATE partnership_history SET payload = '{}' WHERE partnership_id = $1 AND seq = 2`, [partnershipId])).rejects.toThrow(/permission denied/);
    await expect(asOwner((m) => m.query(`UPDATE partnership_history SET payload = '{}' WHERE partnership_id = $1 AND seq = 2`, [partnershipId]))).rejects.toThrow(/append-only/);
  });

  it('signed checkpoints: the apps’ role may add them but not change or remove one', async () => {
    await expect(db.query(`UPDATE signed_heads SET hash = 'x'`)).rejects.toThrow(/permission denied/);
    await expect(db.query(`DELETE FROM signed_checkpoints`)).rejects.toThrow(/permission denied/);
  });
});
