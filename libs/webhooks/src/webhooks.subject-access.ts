/** What the webhooks feature holds about one person, for their subject-access export: the subscriptions they made (never their signing secrets). */
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

export interface SubjectWebhook {
  id: string;
  partnershipId: string;
  organisationId: string;
  url: string;
  events: unknown;
  active: boolean;
  createdAt: string;
  disabledAt: string | null;
  disabledReason: string | null;
}

@Injectable()
export class WebhooksSubjectAccess {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The webhook subscriptions the person made (by its own index), oldest first. */
  async of(userId: string): Promise<SubjectWebhook[]> {
    const rows: {
      id: string;
      partnership_id: string;
      organisation_id: string;
      url: string;
      events: unknown;
      active: boolean;
      created_at: Date;
      disabled_at: Date | null;
      disabled_reason: string | null;
    }[] = await this.dataSource.query(
      `SELECT id, partnership_id, organisation_id, url, events, active, created_at, disabled_at, disabled_reason FROM webhooks WHERE created_by_user_id = $1 ORDER BY created_at, id`,
      [userId],
    );
    return rows.map((w) => ({
      id: w.id,
      partnershipId: w.partnership_id,
      organisationId: w.organisation_id,
      url: w.url,
      events: w.events,
      active: w.active,
      createdAt: w.created_at.toISOString(),
      disabledAt: w.disabled_at?.toISOString() ?? null,
      disabledReason: w.disabled_reason,
    }));
  }
}
