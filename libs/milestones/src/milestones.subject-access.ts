/** What the milestones feature holds about one person, for their subject-access export: the milestones they scheduled and the incidents they retried. */
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

export interface SubjectMilestonesPart {
  milestonesScheduled: { id: string; cycleId: string; kind: string; dueAt: string; status: string; createdAt: string }[];
  incidentsRetried: { id: string; cycleId: string; milestoneId: string; retriedAt: string | null }[];
}

@Injectable()
export class MilestonesSubjectAccess {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async of(userId: string): Promise<SubjectMilestonesPart> {
    const [milestones, incidents]: [
      { id: string; cycle_id: string; kind: string; due_at: Date; status: string; created_at: Date }[],
      { id: string; cycle_id: string; milestone_id: string; retried_at: Date | null }[],
    ] = await Promise.all([
      this.dataSource.query(`SELECT id, cycle_id, kind, due_at, status, created_at FROM milestones WHERE created_by_user_id = $1 ORDER BY created_at, id`, [userId]),
      this.dataSource.query(`SELECT id, cycle_id, milestone_id, retried_at FROM incidents WHERE retried_by_user_id = $1 ORDER BY created_at, id`, [userId]),
    ]);
    return {
      milestonesScheduled: milestones.map((m) => ({ id: m.id, cycleId: m.cycle_id, kind: m.kind, dueAt: m.due_at.toISOString(), status: m.status, createdAt: m.created_at.toISOString() })),
      incidentsRetried: incidents.map((i) => ({ id: i.id, cycleId: i.cycle_id, milestoneId: i.milestone_id, retriedAt: i.retried_at?.toISOString() ?? null })),
    };
  }
}
