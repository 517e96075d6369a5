/** Creating the first platform admin from ADMIN_EMAIL and ADMIN_PASSWORD when no user exists yet. */
import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AccountsService } from '@app/accounts';
import { APP_CONFIG, AppConfig } from '@app/config';

/**
 * On start, when no user exists yet, creates the platform admin from ADMIN_EMAIL / ADMIN_PASSWORD;
 * and says when JWT_SECRET was unset (this process signs with a random secret of its own).
 */
@Injectable()
export class AdminBootstrap implements OnApplicationBootstrap {
  constructor(
    private readonly accounts: AccountsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.jwt.generated) {
      new Logger('Config').warn('JWT_SECRET is unset: this process signs with a random secret of its own, so every token ends when it stops. Set JWT_SECRET for a service.');
    }
    await this.accounts.bootstrapAdmin(this.config.admin);
  }
}
