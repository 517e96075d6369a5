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

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ imports: [AppConfigModule, DatabaseModule, QueueModule, CyclesModule] }).compile();
    app = await moduleRef.init();
    db = app.get(DataSource);
    ({ partnershipId } = await servicesCollaboration(app));
  });
  afterAll(() => app.close());

  it('a partnership’s history: the apps’ role may not change it; its owner is stopped by the trigger', async () => {
    await expect(db.query(`UPDATE partnership_history SET payload = '{}' WHERE partnership_id = $1 AND seq = 2`, [partnershipId])).rejects.toThrow(/permission denied/);
    await expect(asOwner((m) => m.query(`UPDATE partnership_history SET payload = '{}' WHERE partnership_id = $1 AND seq = 2`, [partnershipId]))).rejects.toThrow(/append-only/);
  });

  it('signed checkpoints: the apps’ role may add them but not change or remove one', async () => {
    await expect(db.query(`UPDATE signed_heads SET hash = 'x'`)).rejects.toThrow(/permission denied/);
    await expect(db.query(`DELETE FROM signed_checkpoints`)).rejects.toThrow(/permission denied/);
  });
});
