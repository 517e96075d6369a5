import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { AccountsService } from '@app/accounts';
import { APP_CONFIG, AppConfig } from '@app/config';

/** On start, when no user exists yet, creates the platform admin from ADMIN_EMAIL / ADMIN_PASSWORD. */
@Injectable()
export class AdminBootstrap implements OnApplicationBootstrap {
  constructor(
    private readonly accounts: AccountsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.accounts.bootstrapAdmin(this.config.admin);
  }
}
