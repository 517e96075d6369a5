/** The signed checkpoints' query and answers, as the audit routes and OpenAPI describe them. */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, Matches } from 'class-validator';
import { PageLimit } from '@app/http';

export class CheckpointsQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 30 })
  @PageLimit()
  limit?: number;
  @ApiPropertyOptional({ description: 'nextCursor of the previous page (a day, YYYY-MM-DD)' })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'cursor must be a day, YYYY-MM-DD' })
  cursor?: string;
}

export class SignedDayDto {
  @ApiProperty({ example: '2026-12-06' }) day!: string;
  @ApiProperty() signedAt!: string;
  @ApiProperty({ description: 'The first 16 hex digits of the SHA-256 of the public key (SPKI DER)' }) keyId!: string;
  @ApiProperty({ description: 'The public key (SPKI PEM) it was signed with' }) publicKey!: string;
  @ApiProperty({ description: 'How many histories (cycles and agreements) had a signed head' }) chains!: number;
  @ApiProperty({ description: 'SHA-256 (hex) of the canonical JSON list of every history’s newest signed head, [kind, id, seq, hash], sorted by kind and id' }) digest!: string;
  @ApiProperty({ description: 'What is signed: canonical JSON (RFC 8785) of { type: "cocommission-checkpoint", day, chains, digest, keyId }' }) statement!: string;
  @ApiProperty({ description: 'Ed25519 signature of the statement’s UTF-8 bytes, base64' }) signature!: string;
}

export class CheckpointsDto {
  @ApiProperty({ enum: ['Ed25519'] }) algorithm!: 'Ed25519';
  @ApiProperty({ nullable: true, type: String, description: 'The public key (SPKI PEM) checkpoints are signed with now; null when none is' }) publicKey!: string | null;
  @ApiProperty({ nullable: true, type: String }) keyId!: string | null;
  @ApiProperty({ description: 'Whether this installation has an audit key (AUDIT_SIGNING_KEY): false, nothing is signed' }) signing!: boolean;
  @ApiProperty({ type: () => [SignedDayDto], description: 'Newest first' }) items!: SignedDayDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export class SignedHeadDto {
  @ApiProperty({ enum: ['cycle', 'agreement'] }) kind!: 'cycle' | 'agreement';
  @ApiProperty() id!: string;
  @ApiProperty({ description: 'The history entry signed as the head' }) seq!: number;
  @ApiProperty({ description: 'Its hash: GET .../history gives the entry, which must still have it' }) hash!: string;
  @ApiProperty() day!: string;
  @ApiProperty() keyId!: string;
  @ApiProperty({ description: 'What is signed: canonical JSON (RFC 8785) of { type: "cocommission-signed-head", kind, id, seq, hash, day, keyId }' }) statement!: string;
  @ApiProperty({ description: 'Ed25519 signature of the statement’s UTF-8 bytes, base64' }) signature!: string;
}

export class SignedHeadsDto {
  @ApiProperty({ enum: ['Ed25519'] }) algorithm!: 'Ed25519';
  @ApiProperty({ nullable: true, type: String }) publicKey!: string | null;
  @ApiProperty({ type: () => [SignedHeadDto], description: 'Newest first' }) items!: SignedHeadDto[];
}
