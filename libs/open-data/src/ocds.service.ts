// Cycles as OCDS release packages (one cycle's, or a partnership's streamed), with the visibility of reading them.
import { Inject, Injectable } from '@nestjs/common';
import { AccountsService, Principal } from '@app/accounts';
import { APP_CONFIG, AppConfig } from '@app/config';
import { CycleEntity, CycleExportPage, CycleExportRow, CycleMilestoneView, CycleQueriesService, StatesReached } from '@app/cycles';
import type { CycleContext } from '@app/domain';
import { PartnershipsService } from '@app/partnerships';
import { OcdsContext, OcdsCycle, OcdsDirectory, PackageWriter, packageHead, releaseOf } from './ocds.mapping';

/** Cycles an export reads at a time: it holds one page (and its names) in memory, never the whole partnership. */
export const OCDS_PAGE_SIZE = 100;

/** Open data: cycles as OCDS release packages, with the visibility of reading them. */
@Injectable()
export class OcdsService {
  /** How many cycles a partnership export reads per page. */
  readonly pageSize = OCDS_PAGE_SIZE;

  constructor(
    private readonly cycles: CycleQueriesService,
    private readonly partnerships: PartnershipsService,
    private readonly accounts: AccountsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The cycle's release package (its latest release), if the caller may read the cycle (404 otherwise). */
  async cyclePackage(principal: Principal, id: string): Promise<string> {
    const { record, reached } = await this.cycles.withStatesReached(principal, id);
    const cycle = ocdsCycle(record.row, record.snapshot.context, record.milestones, reached);
    const writer = new PackageWriter(packageHead(this.uri(`/v1/cycles/${id}/ocds`), this.base));
    const release = releaseOf(cycle, await this.directoryOf([cycle.context]), this.config.openData.ocidPrefix);
    return writer.open() + writer.release(release) + writer.close();
  }

  /**
   * The partnership's release package, one release per cycle (oldest first), as chunks of one
   * JSON document. The partnership's visibility is checked and its first page read now, so that a
   * refusal (404) or a database that does not answer (503) comes before anything is written; the
   * other pages are read as the chunks are taken, so memory stays flat however many cycles it has,
   * and a slow reader slows the reads.
   */
  async partnershipPackage(principal: Principal, partnershipId: string): Promise<AsyncIterable<string>> {
    await this.partnerships.requireVisible(principal, partnershipId);
    const first = await this.cycles.exportPage(partnershipId, undefined, this.pageSize);
    return this.chunks(partnershipId, first);
  }

  private async *chunks(partnershipId: string, first: CycleExportPage): AsyncGenerator<string> {
    const prefix = this.config.openData.ocidPrefix;
    const writer = new PackageWriter(packageHead(this.uri(`/v1/partnerships/${partnershipId}/ocds`), this.base));
    yield writer.open();
    let page: CycleExportPage | undefined = first;
    while (page) {
      const cycles = page.items.map(fromExportRow);
      const directory = await this.directoryOf(cycles.map((c) => c.context));
      let chunk = '';
      for (const cycle of cycles) chunk += writer.release(releaseOf(cycle, directory, prefix));
      if (chunk) yield chunk;
      page = page.next ? await this.cycles.exportPage(partnershipId, page.next, this.pageSize) : undefined;
    }
    yield writer.close();
  }

  /** The names of the organisations these cycles name, and the organisation of each person they name. */
  private async directoryOf(contexts: OcdsContext[]): Promise<OcdsDirectory> {
    const userIds = new Set(contexts.flatMap((c) => [...c.panelUserIds, ...c.facilitatorUserIds]));
    const users = await this.accounts.findUsers([...userIds]);
    const userOrganisation = new Map(users.flatMap((u) => (u.organisationId ? [[u.id, u.organisationId] as const] : [])));
    const organisationIds = new Set<string>([
      ...contexts.flatMap((c) => [...c.coOwners.map((o) => o.organisationId), ...(c.pledges ?? []).map((p) => p.organisationId)]),
      ...userOrganisation.values(),
    ]);
    // A dissolved organisation is named "Former <name> (now <successor>)": its party keeps its id.
    const names = (await this.accounts.namesOf([...organisationIds], [])).organisations;
    return {
      organisationName: (id) => names.get(id),
      organisationOfUser: (id) => userOrganisation.get(id),
    };
  }

  private get base(): string {
    return this.config.http.publicUrl.replace(/\/$/, '');
  }

  private uri(path: string): string {
    return `${this.base}${path}`;
  }
}

const fromExportRow = (r: CycleExportRow): OcdsCycle => ({ ...r, updatedAt: new Date(r.updatedAt).toISOString() });

function ocdsCycle(row: CycleEntity, context: CycleContext, milestones: CycleMilestoneView[], reached: StatesReached): OcdsCycle {
  return {
    id: row.id,
    title: row.title,
    iteration: row.iteration,
    previousCycleId: row.previousCycleId,
    nextCycleId: row.nextCycleId,
    state: row.state,
    version: row.version,
    updatedAt: new Date(row.updatedAt).toISOString(),
    context,
    milestones,
    reached,
  };
}
