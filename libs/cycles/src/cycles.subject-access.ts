/** What the cycles feature holds about one person, for their subject-access export: their history entries and free texts, their seats, the cycles they opened, their invitations. */
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { CYCLE_FREE_TEXT_FIELDS, freeTextTypes, freeTextsOf } from '@app/domain';
import { entriesByActor } from '@app/history';

const iso = (at: Date | null): string | null => (at ? at.toISOString() : null);

/** An entry of a cycle's history the person made. */
export interface SubjectCycleEntry {
  cycleId: string;
  seq: number;
  type: string;
  at: string;
  /** The organisation they acted for, and whether as its representative. */
  organisationId: string | null;
  representative: boolean;
}

/** A free text the person wrote in a cycle's history, with the field's path in the entry. */
export interface SubjectCycleText {
  cycleId: string;
  seq: number;
  field: string;
  text: string;
}

/** A cycle in which the person holds a seat now. */
export interface SubjectSeat {
  cycleId: string;
  title: string;
  state: string;
}

/**
 * An invitation to a cycle the person sent (the invitee's address and name are the invitee's own
 * data and are left out) or received (by their address, or taken up as their guest account).
 */
export type SubjectCycleInvitation =
  | { kind: 'cycle'; relation: 'sent'; id: string; cycleId: string; role: string; createdAt: string; expiresAt: string; usedAt: string | null }
  | { kind: 'cycle'; relation: 'received'; id: string; cycleId: string; role: string; email: string; name: string; createdAt: string; expiresAt: string; usedAt: string | null };

const PAGE = 500;
/** Entries with texts carry up to 40,000 characters each: smaller pages. */
const TEXT_PAGE = 100;

@Injectable()
export class CyclesSubjectAccess {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private readonly query = (sql: string, parameters: unknown[]) => this.dataSource.query(sql, parameters) as Promise<unknown[]>;

  /** Every entry the person made in any cycle's history, a page at a time (see entriesByActor). */
  async *historyEntries(userId: string): AsyncGenerator<SubjectCycleEntry[]> {
    type Row = { subject_id: string; seq: number; type: string; at: Date; organisation_id: string | null; representative: boolean };
    for await (const rows of entriesByActor<Row>(this.query, { table: 'cycle_history', subject: 'cycle_id' }, userId, {
      columns: 'h.type, h.at, h.organisation_id, h.representative',
      pageSize: PAGE,
    })) {
      yield rows.map((r) => ({ cycleId: r.subject_id, seq: r.seq, type: r.type, at: r.at.toISOString(), organisationId: r.organisation_id, representative: r.representative }));
    }
  }

  /** The free texts of the person's entries (CYCLE_FREE_TEXT_FIELDS), a page of entries at a time. */
  async *texts(userId: string): AsyncGenerator<SubjectCycleText[]> {
    type Row = { subject_id: string; seq: number; type: string; payload: Record<string, unknown> };
    for await (const rows of entriesByActor<Row>(this.query, { table: 'cycle_history', subject: 'cycle_id' }, userId, {
      columns: 'h.type, h.payload',
      types: freeTextTypes(CYCLE_FREE_TEXT_FIELDS),
      pageSize: TEXT_PAGE,
    })) {
      const texts = rows.flatMap((r) => freeTextsOf(CYCLE_FREE_TEXT_FIELDS, r.type, r.payload).map(({ field, text }) => ({ cycleId: r.subject_id, seq: r.seq, field, text })));
      if (texts.length) yield texts;
    }
  }

  /** The cycles whose review panel, or whose facilitators, name the person now. */
  async seats(userId: string): Promise<{ panelSeats: SubjectSeat[]; facilitatorRoles: SubjectSeat[] }> {
    const rows: { id: string; title: string; state: string; panel: boolean; facilitator: boolean }[] = await this.dataSource.query(
      `SELECT c.id, c.title, c.state,
         c.snapshot->'context'->'panelUserIds' @> jsonb_build_array($1::text) AS panel,
         c.snapshot->'context'->'facilitatorUserIds' @> jsonb_build_array($1::text) AS facilitator
       FROM cycles c
       WHERE c.snapshot->'context'->'panelUserIds' @> jsonb_build_array($1::text) OR c.snapshot->'context'->'facilitatorUserIds' @> jsonb_build_array($1::text)
       ORDER BY c.created_at, c.id`,
      [userId],
    );
    const seat = (r: (typeof rows)[number]) => ({ cycleId: r.id, title: r.title, state: r.state });
    return { panelSeats: rows.filter((r) => r.panel).map(seat), facilitatorRoles: rows.filter((r) => r.facilitator).map(seat) };
  }

  /** The cycles the person opened (iteration n+1 included). */
  async created(userId: string): Promise<{ cycleId: string; partnershipId: string; title: string; iteration: number; createdAt: string }[]> {
    const rows: { id: string; partnership_id: string; title: string; iteration: number; created_at: Date }[] = await this.dataSource.query(
      `SELECT id, partnership_id, title, iteration, created_at FROM cycles WHERE created_by_user_id = $1 ORDER BY created_at, id`,
      [userId],
    );
    return rows.map((r) => ({ cycleId: r.id, partnershipId: r.partnership_id, title: r.title, iteration: r.iteration, createdAt: r.created_at.toISOString() }));
  }

  /** The invitations to cycles the person sent, and those sent to their address or taken up as their account. */
  async invitations(userId: string, email: string): Promise<SubjectCycleInvitation[]> {
    const rows: {
      id: string;
      cycle_id: string;
      role: string;
      email: string;
      name: string;
      created_at: Date;
      expires_at: Date;
      used_at: Date | null;
      sent: boolean;
      received: boolean;
    }[] = await this.dataSource.query(
      `SELECT i.id, i.cycle_id, i.role, i.email, i.name, i.created_at, i.expires_at, i.used_at,
         i.invited_by_user_id IS NOT DISTINCT FROM $1::uuid AS sent,
         (i.guest_user_id IS NOT DISTINCT FROM $1::uuid OR lower(i.email) = lower($2)) AS received
       FROM cycle_invitations i
       WHERE i.invited_by_user_id = $1 OR i.guest_user_id = $1 OR lower(i.email) = lower($2)
       ORDER BY i.created_at, i.id`,
      [userId, email],
    );
    return rows.flatMap((r): SubjectCycleInvitation[] => {
      const common = { kind: 'cycle' as const, id: r.id, cycleId: r.cycle_id, role: r.role, createdAt: r.created_at.toISOString(), expiresAt: r.expires_at.toISOString(), usedAt: iso(r.used_at) };
      return [...(r.sent ? [{ ...common, relation: 'sent' as const }] : []), ...(r.received ? [{ ...common, relation: 'received' as const, email: r.email, name: r.name }] : [])];
    });
  }
}
