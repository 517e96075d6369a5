/** The notifications feature's public face: its entity, services, mail and account alerts. */
export * from './notification.entity';
export * from './notifications.service';
export * from './notifications.module';
export * from './notification-mail.service';
export * from './mail/email-content';
export * from './mail/unsubscribe';
export * from './mail/mailer';
export * from './account-alerts.service';
export * from './notifications.subject-access';
