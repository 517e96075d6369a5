import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ActionRemindersService } from '@app/milestones';
import { RepeatingPass } from './repeating-pass';

/** Every 15 minutes, the delivery plan's reminders and overdue notices (each told once, whatever the number of workers). */
@Injectable()
export class ActionReminderPass implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('ActionReminders');
  private readonly passes = new RepeatingPass(async () => {
    await this.reminders.run().catch((error: Error) => this.logger.warn(`Action reminders failed, will try again: ${error.message}`));
    return 15 * 60_000;
  });

  constructor(private readonly reminders: ActionRemindersService) {}

  onApplicationBootstrap(): void {
    this.passes.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.passes.stop();
  }
}
