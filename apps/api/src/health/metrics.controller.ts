/** The API process's metrics for Prometheus (docs/operations.md). */
import { Controller, Get, Headers, Inject, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { APP_CONFIG, AppConfig } from '@app/config';
import { Forbidden } from '@app/domain';
import { mayScrape, scrape } from '@app/http';
import { Public } from '../http/auth.guard';

@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  @Public({ unmetered: true })
  @Get()
  async metrics(@Headers('authorization') authorization: string | undefined, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    if (!mayScrape(this.config.metrics, authorization)) throw new Forbidden('Send the bearer METRICS_TOKEN to read the metrics.');
    const { contentType, text } = await scrape();
    reply.header('Content-Type', contentType).header('Cache-Control', 'no-store');
    return text;
  }
}
