/** What the partnerships feature holds about one person, for their subject-access export: the partnerships they opened or archived, their proposals, declarations, outcomes, invitations and history entries. */
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { entriesByActor } from '@app/history';

const iso = (at: Date | null): string | null => (at ? at.toISOString() : null);

/** An invitation of an organisation to a partnership the person sent or answered (for their organisation). */
export interface SubjectPartnershipInvitation {
  kind: 'partnership';
  relation: 'sent' | 'decided';
  partnershipId: string;
  organisationId: string;
  state: string;
  invitedAt: string;
  decidedAt: string | null;
}

/** Everything of the partnerships feature but the history (streamed apart). */
export interface SubjectPartnershipsPart {
  partnershipsCreated: { partnershipId: string; name: string; createdAt: string }[];
  partnershipsArchived: { partnershipId: string; name: string; archivedAt: string | null }[];
  partnershipProposals: {
    id: string;
    partnershipId: string;
    action: string;
    organisationId: string | null;
    state: string;
    relation: 'proposed' | 'decided';
    proposedAt: string;
    decidedAt: string | null;
  }[];
  tableDeclarations: { id: string; partnershipId: string; organisationId: string; version: number; onTable: unknown; offTable: unknown; declaredAt: string }[];
  outcomesAdded: { id: string; partnershipId: string; title: string; createdAt: string }[];
  invitations: SubjectPartnershipInvitation[];
}

/** An entry the person made in a partnership's own history. */
export interface SubjectPartnershipEntry {
  partnershipId: string;
  seq: number;
  type: string;
  at: string;
  organisationId: string | null;
  representative: boolean;
}

@Injectable()
export class PartnershipsSubjectAccess {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private readonly query = (sql: string, parameters: unknown[]) => this.dataSource.query(sql, parameters) as Promise<unknown[]>;

  async of(userId: string): Promise<SubjectPartnershipsPart> {
    const [partnerships, proposals, declarations, outcomes, invitations] = (await Promise.all([
      this.query(
        `SELECT id, name, created_at, archived_at, created_by_user_id = $1 AS created, archived_by_user_id IS NOT DISTINCT FROM $1::uuid AS archived
         FROM partnerships WHERE created_by_user_id = $1 OR archived_by_user_id = $1 ORDER BY created_at, id`,
        [userId],
      ),
      this.query(
        `SELECT id, partnership_id, action, organisation_id, state, proposed_at, decided_at, proposed_by_user_id = $1 AS proposed, decided_by_user_id IS NOT DISTINCT FROM $1::uuid AS decided
         FROM partnership_proposals WHERE proposed_by_user_id = $1 OR decided_by_user_id = $1 ORDER BY proposed_at, id`,
        [userId],
      ),
      this.query(`SELECT id, partnership_id, organisation_id, version, on_table, off_table, declared_at FROM table_declarations WHERE declared_by_user_id = $1 ORDER BY declared_at, id`, [userId]),
      this.query(`SELECT id, partnership_id, title, created_at FROM outcomes WHERE created_by_user_id = $1 ORDER BY created_at, id`, [userId]),
      this.query(
        `SELECT partnership_id, organisation_id, state, invited_at, decided_at, invited_by_user_id = $1 AS sent, decided_by_user_id IS NOT DISTINCT FROM $1::uuid AS decided
         FROM partnership_invitations WHERE invited_by_user_id = $1 OR decided_by_user_id = $1 ORDER BY invited_at, partnership_id, organisation_id`,
        [userId],
      ),
    ])) as [
      { id: string; name: string; created_at: Date; archived_at: Date | null; created: boolean; archived: boolean }[],
      { id: string; partnership_id: string; action: string; organisation_id: string | null; state: string; proposed_at: Date; decided_at: Date | null; proposed: boolean; decided: boolean }[],
      { id: string; partnership_id: string; organisation_id: string; version: number; on_table: unknown; off_table: unknown; declared_at: Date }[],
      { id: string; partnership_id: string; title: string; created_at: Date }[],
      { partnership_id: string; organisation_id: string; state: string; invited_at: Date; decided_at: Date | null; sent: boolean; decided: boolean }[],
    ];
    return {
      partnershipsCreated: partnerships.filter((p) => p.created).map((p) => ({ partnershipId: p.id, name: p.name, createdAt: p.created_at.toISOString() })),
      partnershipsArchived: partnerships.filter((p) => p.archived).map((p) => ({ partnershipId: p.id, name: p.name, archivedAt: iso(p.archived_at) })),
      // One the person proposed and decided (an admin acting alone) is listed twice, once for each.
      partnershipProposals: proposals.flatMap((p) => {
        const common = {
          id: p.id,
          partnershipId: p.partnership_id,
          action: p.action,
          organisationId: p.organisation_id,
          state: p.state,
          proposedAt: p.proposed_at.toISOString(),
          decidedAt: iso(p.decided_at),
        };
        return [...(p.proposed ? [{ ...common, relation: 'proposed' as const }] : []), ...(p.decided ? [{ ...common, relation: 'decided' as const }] : [])];
      }),
      tableDeclarations: declarations.map((d) => ({
        id: d.id,
        partnershipId: d.partnership_id,
        organisationId: d.organisation_id,
        version: d.version,
        onTable: d.on_table,
        offTable: d.off_table,
        declaredAt: d.declared_at.toISOString(),
      })),
      outcomesAdded: outcomes.map((o) => ({ id: o.id, partnershipId: o.partnership_id, title: o.title, createdAt: o.created_at.toISOString() })),
      invitations: invitations.flatMap((i) => {
        const common = {
          kind: 'partnership' as const,
          partnershipId: i.partnership_id,
          organisationId: i.organisation_id,
          state: i.state,
          invitedAt: i.invited_at.toISOString(),
          decidedAt: iso(i.decided_at),
        };
        return [...(i.sent ? [{ ...common, relation: 'sent' as const }] : []), ...(i.decided ? [{ ...common, relation: 'decided' as const }] : [])];
      }),
    };
  }

  /** Every entry the person made in a partnership's history, a page at a time (see entriesByActor). */
  async *historyEntries(userId: string): AsyncGenerator<SubjectPartnershipEntry[]> {
    type Row = { subject_id: string; seq: number; type: string; at: Date; organisation_id: string | null; representative: boolean };
    for await (const rows of entriesByActor<Row>(this.query, { table: 'partnership_history', subject: 'partnership_id' }, userId, {
      columns: 'h.type, h.at, h.organisation_id, h.representative',
    })) {
      yield rows.map((r) => ({ partnershipId: r.subject_id, seq: r.seq, type: r.type, at: r.at.toISOString(), organisationId: r.organisation_id, representative: r.representative }));
    }
  }
}
