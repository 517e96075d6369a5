/** The histories' signed checkpoints: the public days with their key, and a cycle's signed heads for who may see it. */
import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Principal } from '@app/accounts';
import { AuditSigningKey, CycleQueriesService, SignedCheckpointsService } from '@app/cycles';
import { IdPipe } from '@app/http';
import { Caller, Public } from '../http/auth.guard';
import { CheckpointsDto, CheckpointsQuery, SignedHeadsDto } from './audit.dto';

/**
 * The histories' signed checkpoints (docs/security.md): the days are public (they name no cycle:
 * a count and a digest), with the key to verify them; a cycle's own signed heads go to whoever may
 * see the cycle (and, for a public partnership, its public page).
 */
@ApiTags('audit')
@Controller('v1')
export class AuditController {
  constructor(
    private readonly checkpoints: SignedCheckpointsService,
    private readonly key: AuditSigningKey,
    private readonly cycles: CycleQueriesService,
  ) {}

  @Public()
  @Get('audit/checkpoints')
  @ApiOperation({
    summary: 'The daily signed checkpoints, newest first, and the public key to verify them with (no sign-in)',
    description: 'Each day an Ed25519 key held outside the database signs every history’s head; keep a copy: a history rewritten later no longer holds the hash signed for it.',
  })
  @ApiOkResponse({ type: CheckpointsDto })
  async list(@Query() query: CheckpointsQuery): Promise<CheckpointsDto> {
    const key = this.key.get();
    const page = await this.checkpoints.days(query.limit ?? 30, query.cursor);
    return { algorithm: 'Ed25519', publicKey: key?.publicKeyPem ?? null, keyId: key?.keyId ?? null, signing: Boolean(key), ...page };
  }

  @ApiBearerAuth()
  @Get('cycles/:id/history/checkpoints')
  @ApiOperation({ summary: 'The cycle’s signed heads, newest first: each names an entry of its history and the hash it had when signed' })
  @ApiOkResponse({ type: SignedHeadsDto })
  @ApiNotFoundResponse({ description: 'No such cycle, or the caller may not see it' })
  async cycleHeads(@Caller() caller: Principal, @Param('id', new IdPipe('cycle')) id: string): Promise<SignedHeadsDto> {
    return { algorithm: 'Ed25519', publicKey: this.key.get()?.publicKeyPem ?? null, items: await this.cycles.signedHeads(caller, id) };
  }
}
