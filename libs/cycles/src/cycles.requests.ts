/** The cycles feature's request bodies, checked by the validation pipe. */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsOptional, IsString, IsUUID, MaxLength, MinLength } from 'class-validator';

// The body that opens a cycle: the API's pipe and the web app's form validate with this class.

/** A list of at most 200 ids. */
const Ids = () => (target: object, key: string) => {
  IsArray()(target, key);
  ArrayMaxSize(200)(target, key);
  IsUUID('all', { each: true })(target, key);
};

export class CreateCycleDto {
  @ApiProperty() @IsUUID() partnershipId!: string;
  @ApiProperty({ example: 'Staying well at home this winter' }) @IsString() @MinLength(1) @MaxLength(300) title!: string;
  @ApiProperty({ type: [String], description: "Commissioning co-owners; the caller's organisation is added" })
  @Ids()
  commissionerOrganisationIds!: string[];
  @ApiProperty({ type: [String] }) @Ids() providerOrganisationIds!: string[];
  @ApiPropertyOptional({ type: [String] }) @IsOptional() @Ids() communityOrganisationIds?: string[];
  @ApiProperty({ type: [String], description: 'Review panel members (users of member organisations)' }) @Ids() panelUserIds!: string[];
  @ApiPropertyOptional({ type: [String], description: 'Neutral facilitators who resolve escalations' })
  @IsOptional()
  @Ids()
  facilitatorUserIds?: string[];
  @ApiPropertyOptional({ type: [String], description: "Outcomes of the partnership's shared framework" })
  @IsOptional()
  @Ids()
  outcomeIds?: string[];
}
