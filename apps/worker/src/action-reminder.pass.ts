/** Running the delivery plan's reminders and overdue notices every 15 minutes, as a pass of the relay. */
import { Injectable, OnModuleInit } from '@nestjs/common';
import { ActionRemindersService } from '@app/milestones';
import { Relay } from './relay/relay';

/** Every 15 minutes, the relay runs the delivery plan's reminders and overdue notices (each told once, whatever the number of workers). */
@Injectable()
export class ActionReminderPass implements OnModuleInit {
  constructor(
    private readonly relay: Relay,
    private readonly reminders: ActionRemindersService,
  ) {}

  onModuleInit(): void {
    this.relay.register({ name: 'Action reminders', everyMs: 15 * 60_000, pass: () => this.reminders.run().then(() => undefined) });
  }
}
