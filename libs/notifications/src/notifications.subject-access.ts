/** What the notifications feature holds about one person, for their subject-access export: their notifications with each delivery, and their tasks. */
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

const iso = (at: Date | null): string | null => (at ? at.toISOString() : null);

/** A notification as held, with its email deliveries. */
export interface SubjectNotification {
  id: string;
  kind: string;
  cycleId: string | null;
  milestoneId: string | null;
  text: string;
  link: string | null;
  createdAt: string;
  readAt: string | null;
  /** The task it tells of (`endorse`, `milestone.<id>`…), open until done; null for a plain notice. */
  task: { key: string; state: string; doneAt: string | null } | null;
  emailStatus: string;
  deliveries: { channel: string; status: string; attempt: number; detail: string | null; at: string }[];
}

/** A task the person was given (a notification that stays open until it is done). */
export interface SubjectTask {
  notificationId: string;
  cycleId: string | null;
  key: string;
  state: string;
  createdAt: string;
  doneAt: string | null;
}

const PAGE = 500;

@Injectable()
export class NotificationsSubjectAccess {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * The person's notifications, oldest first, a page at a time (by the user's own index), each with
   * its deliveries. The page's key is the time as PostgreSQL writes it (microseconds; a Date keeps milliseconds).
   */
  async *notifications(userId: string): AsyncGenerator<SubjectNotification[]> {
    let after: { at: string; id: string } | undefined;
    for (;;) {
      const rows: {
        at_key: string;
        id: string;
        kind: string;
        cycle_id: string | null;
        milestone_id: string | null;
        text: string;
        link: string | null;
        created_at: Date;
        read_at: Date | null;
        task_key: string | null;
        state: string;
        done_at: Date | null;
        email_status: string;
        deliveries: { channel: string; status: string; attempt: number; detail: string | null; at: string }[];
      }[] = await this.dataSource.query(
        `SELECT n.created_at::text AS at_key, n.id, n.kind, n.cycle_id, n.milestone_id, n.text, n.link, n.created_at, n.read_at, n.task_key, n.state, n.done_at, n.email_status,
           coalesce((SELECT json_agg(json_build_object('channel', d.channel, 'status', d.status, 'attempt', d.attempt, 'detail', d.detail,
               'at', to_char(d.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')) ORDER BY d.at, d.id)
             FROM notification_deliveries d WHERE d.notification_id = n.id), '[]') AS deliveries
         FROM notifications n
         WHERE n.user_id = $1 AND ($2::timestamptz IS NULL OR (n.created_at, n.id) > ($2, $3::uuid))
         ORDER BY n.created_at, n.id LIMIT $4`,
        [userId, after?.at ?? null, after?.id ?? null, PAGE],
      );
      if (rows.length) {
        yield rows.map((n) => ({
          id: n.id,
          kind: n.kind,
          cycleId: n.cycle_id,
          milestoneId: n.milestone_id,
          text: n.text,
          link: n.link,
          createdAt: n.created_at.toISOString(),
          readAt: iso(n.read_at),
          task: n.task_key ? { key: n.task_key, state: n.state, doneAt: iso(n.done_at) } : null,
          emailStatus: n.email_status,
          deliveries: n.deliveries,
        }));
      }
      if (rows.length < PAGE) return;
      after = { at: rows[rows.length - 1].at_key, id: rows[rows.length - 1].id };
    }
  }

  /** The person's tasks (open and done), oldest first, a page at a time. */
  async *tasks(userId: string): AsyncGenerator<SubjectTask[]> {
    let after: { at: string; id: string } | undefined;
    for (;;) {
      const rows: { at_key: string; id: string; cycle_id: string | null; task_key: string; state: string; created_at: Date; done_at: Date | null }[] = await this.dataSource.query(
        `SELECT n.created_at::text AS at_key, n.id, n.cycle_id, n.task_key, n.state, n.created_at, n.done_at FROM notifications n
         WHERE n.user_id = $1 AND n.task_key IS NOT NULL AND ($2::timestamptz IS NULL OR (n.created_at, n.id) > ($2, $3::uuid))
         ORDER BY n.created_at, n.id LIMIT $4`,
        [userId, after?.at ?? null, after?.id ?? null, PAGE],
      );
      if (rows.length) {
        yield rows.map((t) => ({ notificationId: t.id, cycleId: t.cycle_id, key: t.task_key, state: t.state, createdAt: t.created_at.toISOString(), doneAt: iso(t.done_at) }));
      }
      if (rows.length < PAGE) return;
      after = { at: rows[rows.length - 1].at_key, id: rows[rows.length - 1].id };
    }
  }
}
