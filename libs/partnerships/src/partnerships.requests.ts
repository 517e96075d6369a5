/** The partnerships feature's request bodies (partnerships, tables, outcomes, anchors), checked by the validation pipe. */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsIn, IsInt, IsISO8601, IsNumber, IsOptional, IsUUID, Max, Min, ValidateNested } from 'class-validator';
import { OptionalNotNull, Text, TextList } from '@app/http';
import { METRIC_DIRECTIONS, MetricDirection } from './partnership.entity';

// The bodies the partnerships feature accepts: the API's pipe and the web app's forms validate with these classes.

export class CreatePartnershipDto {
  @ApiProperty({ example: 'Northshire Healthy Lives Partnership' })
  @Text(200)
  name!: string;

  @ApiProperty({ type: [String], description: 'Member organisations. A commissioner creating it is added itself.' })
  @IsArray()
  @ArrayMaxSize(200)
  @IsUUID('all', { each: true })
  memberOrganisationIds!: string[];

  @ApiPropertyOptional({ example: 'Everyone in Northshire lives well and independently for longer' })
  @IsOptional()
  @Text(5000)
  destination?: string;

  @ApiPropertyOptional({ type: [String], example: ['Decisions are made with residents, not for them'] })
  @IsOptional()
  @TextList(100, 2000)
  principles?: string[];
}

export class UpdatePartnershipDto {
  @ApiPropertyOptional()
  @OptionalNotNull()
  @Text(200)
  name?: string;

  @ApiPropertyOptional()
  @OptionalNotNull()
  @Text(5000)
  destination?: string;

  @ApiPropertyOptional({ type: [String] })
  @OptionalNotNull()
  @TextList(100, 2000)
  principles?: string[];

  @ApiPropertyOptional({ description: 'The year the destination is for (with a new destination or principles)', example: 2035 })
  @OptionalNotNull()
  @IsInt()
  @Min(2000)
  @Max(2200)
  horizonYear?: number;

  @ApiPropertyOptional({ description: 'Publish (true) or withdraw (false) the public page the web app serves at /public/partnerships/{id}, without sign-in' })
  @OptionalNotNull()
  @IsBoolean()
  public?: boolean;
}

export class TableDto {
  @ApiProperty({ type: [String], example: ['Community transport budget', 'Staff time for co-design'] })
  @TextList(200, 1000)
  on!: string[];

  @ApiProperty({ type: [String], example: ['Statutory safeguarding duties'] })
  @TextList(200, 1000)
  off!: string[];
}

export class MetricInputDto {
  @ApiProperty({ example: 'Emergency admissions of over-65s' }) @Text(200) name!: string;
  @ApiProperty({ example: 'per 1,000 population' }) @Text(100) unit!: string;
  @ApiProperty({ example: 24.5 }) @IsNumber({ allowNaN: false, allowInfinity: false }) baseline!: number;
  @ApiProperty({ example: 20 }) @IsNumber({ allowNaN: false, allowInfinity: false }) target!: number;
  @ApiProperty({ enum: METRIC_DIRECTIONS }) @IsIn(METRIC_DIRECTIONS) direction!: MetricDirection;
}

export class CreateOutcomeDto {
  @ApiProperty({ example: 'Older people stay well at home' })
  @Text(500)
  title!: string;

  @ApiProperty({ type: [MetricInputDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => MetricInputDto)
  metrics!: MetricInputDto[];
}

export class CreateAnchorDto {
  @ApiProperty({ example: 'Council budget set' })
  @Text(200)
  name!: string;

  @ApiProperty({ example: '2027-02-24', description: 'ISO 8601 date or date-time' })
  @IsISO8601({ strict: true })
  date!: string;
}

export class UpdateAnchorDto {
  @ApiPropertyOptional()
  @IsOptional()
  @Text(200)
  name?: string;

  @ApiProperty({ example: '2027-03-03', description: 'ISO 8601 date or date-time' })
  @IsISO8601({ strict: true })
  date!: string;
}
