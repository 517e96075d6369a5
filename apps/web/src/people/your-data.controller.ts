/** "Your data" on the web: the signed-in person (a guest too) downloads everything held about them, the API's subject-access file. */
import { Controller, Get, Logger, Res } from '@nestjs/common';
import type { Response } from 'express';
import { pipeline } from 'node:stream/promises';
import { WebSession } from '@app/accounts';
import { SubjectAccessService } from '@app/data-protection';
import { Session } from '../http/session.guard';

@Controller()
export class YourDataController {
  private readonly logger = new Logger(YourDataController.name);

  constructor(private readonly subjectAccess: SubjectAccessService) {}

  /** The file as GET /v1/me/export gives it: guests have no API token, so this is their way to it. */
  @Get('account/export')
  async download(@Session() session: WebSession, @Res() res: Response): Promise<void> {
    const file = await this.subjectAccess.export(session.principal, session.user.id);
    res.status(200);
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="${file.filename}"`);
    res.setHeader('Cache-Control', 'no-store');
    try {
      await pipeline(file.body, res);
    } catch (error) {
      // Once the file has begun nothing else can be said: it is cut short, and why is logged.
      this.logger.error({ err: error, userId: session.user.id }, 'The subject-access download stopped part way');
    }
  }
}
