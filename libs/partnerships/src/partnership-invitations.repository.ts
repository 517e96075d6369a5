/** The partnership's invitations: sent, answered, and listed for the partnership and for the invited. */
import { Injectable } from '@nestjs/common';
import { entityFromJson, FeatureRepository } from '@app/database';
import { ORGANISATION_FIELD, ORGANISATION_ROW, USER_ORGANISATION } from '@app/accounts/accounts.fragment';
import { OrganisationEntity } from '@app/accounts/organisation.entity';
import { InvitationState, PartnershipInvitationEntity } from './partnership.entity';

/** A pending invitation as the invited organisation's lead sees it: the partnership's name and who asked, nothing more. */
export interface InvitationToJoin {
  partnershipId: string;
  partnershipName: string;
  organisationId: string;
  organisationName: string;
  invitedByOrganisationName: string | null;
  invitedAt: Date;
}

@Injectable()
export class PartnershipInvitationsRepository extends FeatureRepository {
  /**
   * Invites the organisations that are neither members nor invited already (a declined or ended
   * invitation is sent again); answers the ones invited now.
   */
  async invite(partnershipId: string, organisationIds: string[], invitedByUserId: string, at: Date): Promise<string[]> {
    if (!organisationIds.length) return [];
    const rows: { organisation_id: string }[] = await this.manager.query(
      `INSERT INTO partnership_invitations (partnership_id, organisation_id, state, invited_by_user_id, invited_at)
       SELECT $1, o, 'pending', $3, $4 FROM unnest($2::uuid[]) AS o
       WHERE NOT EXISTS (SELECT 1 FROM partnership_members m WHERE m.partnership_id = $1 AND m.organisation_id = o)
       ON CONFLICT (partnership_id, organisation_id) DO UPDATE
         SET state = 'pending', invited_by_user_id = EXCLUDED.invited_by_user_id, invited_at = EXCLUDED.invited_at, decided_by_user_id = NULL, decided_at = NULL
         WHERE partnership_invitations.state <> 'pending'
       RETURNING organisation_id`,
      [partnershipId, organisationIds, invitedByUserId, at],
    );
    return rows.map((r) => r.organisation_id);
  }

  /** The invitation's state, locked until the caller's transaction ends (accepting and declining race). */
  async invitationState(partnershipId: string, organisationId: string): Promise<InvitationState | undefined> {
    const rows: { state: InvitationState }[] = await this.manager.query('SELECT state FROM partnership_invitations WHERE partnership_id = $1 AND organisation_id = $2 FOR UPDATE', [
      partnershipId,
      organisationId,
    ]);
    return rows[0]?.state;
  }

  async decideInvitation(partnershipId: string, organisationId: string, state: 'accepted' | 'declined', userId: string, at: Date): Promise<void> {
    await this.manager.query(`UPDATE partnership_invitations SET state = $3, decided_by_user_id = $4, decided_at = $5 WHERE partnership_id = $1 AND organisation_id = $2`, [
      partnershipId,
      organisationId,
      state,
      userId,
      at,
    ]);
  }

  /** The partnership's pending invitations, with the invited organisations, oldest first. */
  async pendingInvitations(partnershipId: string): Promise<PartnershipInvitationEntity[]> {
    const rows: { invitation: Record<string, unknown>; organisation: Record<string, unknown> }[] = await this.dataSource.query(
      `SELECT to_jsonb(i) AS invitation, ${ORGANISATION_ROW('i.organisation_id')} AS organisation FROM partnership_invitations i
       WHERE i.partnership_id = $1 AND i.state = 'pending' ORDER BY i.invited_at, i.organisation_id`,
      [partnershipId],
    );
    return rows.map((r) =>
      Object.assign(entityFromJson(this.dataSource, PartnershipInvitationEntity, r.invitation), { organisation: entityFromJson(this.dataSource, OrganisationEntity, r.organisation) }),
    );
  }

  /** Pending invitations to these organisations (all of them, for `null`), newest first. */
  async invitationsTo(organisationId: string | null): Promise<InvitationToJoin[]> {
    const rows: { partnership_id: string; partnership_name: string; organisation_id: string; organisation_name: string; invited_by_organisation_name: string | null; invited_at: Date }[] =
      await this.dataSource.query(
        `SELECT i.partnership_id, p.name AS partnership_name, i.organisation_id, ${ORGANISATION_FIELD('name', 'i.organisation_id')} AS organisation_name,
           ${ORGANISATION_FIELD('name', USER_ORGANISATION('i.invited_by_user_id'))} AS invited_by_organisation_name, i.invited_at
         FROM partnership_invitations i JOIN partnerships p ON p.id = i.partnership_id
         WHERE i.state = 'pending' AND p.archived_at IS NULL AND ($1::uuid IS NULL OR i.organisation_id = $1)
         ORDER BY i.invited_at DESC, i.partnership_id, i.organisation_id`,
        [organisationId],
      );
    return rows.map((r) => ({
      partnershipId: r.partnership_id,
      partnershipName: r.partnership_name,
      organisationId: r.organisation_id,
      organisationName: r.organisation_name,
      invitedByOrganisationName: r.invited_by_organisation_name,
      invitedAt: r.invited_at,
    }));
  }
}
