/** A partnership's webhooks over the API: its commissioner members make, list and remove them and read deliveries. */
import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { Principal } from '@app/accounts';
import { IdPipe } from '@app/http';
import { CreateWebhookDto, DISABLED_REASONS, WebhookDeliveryEntity, WebhookEntity, WebhooksService, whyOff } from '@app/webhooks';
import { Caller } from '../http/auth.guard';

class WebhookDto {
  @ApiProperty() id!: string;
  @ApiProperty() url!: string;
  @ApiProperty({ type: [String] }) events!: string[];
  @ApiPropertyOptional({ description: 'Shown once, when it is made: `whsec_` and the base64 of the signing key' }) secret?: string;
  @ApiProperty({
    description: 'The commissioner member organisation it speaks for (its maker’s): it receives events only while that organisation is a commissioner member and its maker is active in it',
  })
  organisationId!: string;
  @ApiProperty({ description: 'Switched off after 20 failed deliveries in a row, or when the access it was made with ends (it then stays off: add it again)' }) active!: boolean;
  @ApiPropertyOptional({ nullable: true, type: String }) disabledAt!: string | null;
  @ApiPropertyOptional({ nullable: true, enum: Object.keys(DISABLED_REASONS), description: 'Why it is off' }) disabledReason!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'Why it is off, in words' }) disabledDetail!: string | null;
  @ApiProperty() createdAt!: string;
}

class DeliveryDto {
  @ApiProperty() id!: string;
  @ApiProperty() eventType!: string;
  @ApiProperty() cycleId!: string;
  @ApiProperty({ enum: ['pending', 'delivered', 'failed'] }) status!: string;
  @ApiProperty() attempts!: number;
  @ApiPropertyOptional({ nullable: true, type: Number }) lastStatusCode!: number | null;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'What went wrong, in general terms (the details are in the worker’s log)' }) lastError!: string | null;
  @ApiProperty() at!: string;
}

class DeliveryPageDto {
  @ApiProperty({ type: [DeliveryDto] }) items!: DeliveryDto[];
}

const mapWebhook = (w: WebhookEntity, secret?: string): WebhookDto => ({
  id: w.id,
  url: w.url,
  events: w.events,
  ...(secret && { secret }),
  organisationId: w.organisationId,
  active: w.active,
  disabledAt: w.disabledAt?.toISOString() ?? null,
  disabledReason: whyOff(w)?.reason ?? null,
  disabledDetail: whyOff(w)?.detail ?? null,
  createdAt: w.createdAt.toISOString(),
});

const mapDelivery = (d: WebhookDeliveryEntity): DeliveryDto => ({
  id: d.id,
  eventType: d.eventType,
  cycleId: d.cycleId,
  status: d.status,
  attempts: d.attempts,
  lastStatusCode: d.lastStatusCode,
  lastError: d.lastError,
  at: d.at.toISOString(),
});

const PartnershipId = () => Param('id', new IdPipe('partnership'));
const WebhookId = () => Param('webhookId', new IdPipe('webhook'));

/** A partnership's webhooks (its commissioner members): signed per Standard Webhooks, retried, logged. */
@ApiTags('partnerships')
@ApiBearerAuth()
@Controller('v1/partnerships/:id/webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post()
  @ApiOperation({
    summary: 'Subscribe a partner system to the partnership’s events',
    description:
      'Only https on port 443 (or 80), and private, loopback and link-local addresses are refused, unless WEBHOOK_ALLOW_PRIVATE=true. At most 10 webhooks that are on per partnership (422), one per address (409).',
  })
  @ApiCreatedResponse({ type: WebhookDto })
  @ApiConflictResponse({ description: 'The partnership already has a webhook that is on to this URL (or it is archived)' })
  @ApiUnprocessableEntityResponse({ description: 'The partnership already has 10 webhooks that are on' })
  async create(@Caller() caller: Principal, @PartnershipId() id: string, @Body() body: CreateWebhookDto): Promise<WebhookDto> {
    const created = await this.webhooks.create(caller, id, body);
    return mapWebhook(created, created.secret);
  }

  @Get()
  @ApiOkResponse({ type: [WebhookDto] })
  async list(@Caller() caller: Principal, @PartnershipId() id: string): Promise<WebhookDto[]> {
    return (await this.webhooks.list(caller, id)).map((w) => mapWebhook(w));
  }

  @Delete(':webhookId')
  @HttpCode(204)
  @ApiNoContentResponse()
  async remove(@Caller() caller: Principal, @PartnershipId() id: string, @WebhookId() webhookId: string): Promise<void> {
    await this.webhooks.remove(caller, id, webhookId);
  }

  @Get(':webhookId/deliveries')
  @ApiOperation({ summary: 'The delivery log, newest first (the last 100)' })
  @ApiOkResponse({ type: DeliveryPageDto })
  async deliveries(@Caller() caller: Principal, @PartnershipId() id: string, @WebhookId() webhookId: string): Promise<DeliveryPageDto> {
    return { items: (await this.webhooks.deliveriesOf(caller, id, webhookId)).map(mapDelivery) };
  }
}
