/** Firing the agreement review dates that have come, once each, as a pass of the relay. */
import { Injectable, OnModuleInit } from '@nestjs/common';
import { AgreementReviewsService } from '@app/agreements';
import { Relay } from './relay/relay';

/** Every minute, the relay fires the partnerships' agreement review dates that have come (each fired once, whatever the number of workers). */
@Injectable()
export class AgreementReviewPass implements OnModuleInit {
  constructor(
    private readonly relay: Relay,
    private readonly reviews: AgreementReviewsService,
  ) {}

  onModuleInit(): void {
    this.relay.register({ name: 'Agreement review dates', everyMs: 60_000, pass: () => this.reviews.fireDue().then(() => undefined) });
  }
}
