/** The webhooks feature: its tables and service, for the apps and the worker to import. */
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccountsModule } from '@app/accounts';
import { NotificationsModule } from '@app/notifications';
import { PartnershipsModule } from '@app/partnerships';
import { WebhookDeliveryEntity, WebhookEntity } from './webhook.entity';
import { WebhooksService } from './webhooks.service';
import { WebhooksSubjectAccess } from './webhooks.subject-access';

/** The tables this feature owns, registered with the data source by its module. */
export const WEBHOOKS_ENTITIES = [WebhookEntity, WebhookDeliveryEntity];

@Module({
  imports: [AccountsModule, PartnershipsModule, NotificationsModule, TypeOrmModule.forFeature(WEBHOOKS_ENTITIES)],
  providers: [WebhooksService, WebhooksSubjectAccess],
  exports: [WebhooksService, WebhooksSubjectAccess],
})
export class WebhooksModule {}
