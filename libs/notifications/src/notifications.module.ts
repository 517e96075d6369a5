/** The notifications feature: its tables, services and mail, for the apps and other features to import. */
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccountsModule } from '@app/accounts';
import { APP_CONFIG, AppConfig } from '@app/config';
import { NotificationDeliveryEntity, NotificationEntity } from './notification.entity';
import { NotificationsRepository } from './notifications.repository';
import { NotificationsService } from './notifications.service';
import { NotificationMailService } from './notification-mail.service';
import { MAILER, createMailer } from './mail/mailer';
import { AccountAlerts } from './account-alerts.service';
import { NotificationsSubjectAccess } from './notifications.subject-access';

/** The tables this feature owns, registered with the data source by its module. */
export const NOTIFICATIONS_ENTITIES = [NotificationEntity, NotificationDeliveryEntity];

@Module({
  imports: [AccountsModule, TypeOrmModule.forFeature(NOTIFICATIONS_ENTITIES)],
  providers: [
    NotificationsRepository,
    NotificationsService,
    NotificationsSubjectAccess,
    NotificationMailService,
    AccountAlerts,
    { provide: MAILER, inject: [APP_CONFIG], useFactory: (config: AppConfig) => createMailer(config) },
  ],
  exports: [NotificationsService, NotificationsSubjectAccess, NotificationMailService, MAILER],
})
export class NotificationsModule {}
