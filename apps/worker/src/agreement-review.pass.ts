import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AgreementReviewsService } from '@app/agreements';
import { RepeatingPass } from './repeating-pass';

/** Every minute, the partnerships' agreement review dates that have come (each fired once, whatever the number of workers). */
@Injectable()
export class AgreementReviewPass implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('AgreementReviews');
  private readonly passes = new RepeatingPass(async () => {
    await this.reviews.fireDue().catch((error: Error) => this.logger.warn(`Agreement review dates failed, will try again: ${error.message}`));
    return 60_000;
  });

  constructor(private readonly reviews: AgreementReviewsService) {}

  onApplicationBootstrap(): void {
    this.passes.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.passes.stop();
  }
}
