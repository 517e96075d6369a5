/** The notifications page: what a person has been told, and marking it read. */
import { Controller, Get, Param, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { WebSession } from '@app/accounts';
import { ValidationFailed } from '@app/domain';
import { IdPipe } from '@app/http';
import { NotificationsService } from '@app/notifications';
import { LayoutService } from '../http/layout.service';
import { Session } from '../http/session.guard';

@Controller('notifications')
export class NotificationsController {
  constructor(
    private readonly notifications: NotificationsService,
    private readonly layout: LayoutService,
  ) {}

  @Get()
  async index(@Session() session: WebSession, @Query('cursor') cursor: string | undefined, @Res() res: Response) {
    const page = await this.notifications.page(session.user.id, 25, typeof cursor === 'string' && /^[0-9a-f-]{36}$/i.test(cursor) ? cursor : undefined).catch((error: unknown) => {
      if (error instanceof ValidationFailed) return this.notifications.page(session.user.id, 25);
      throw error;
    });
    res.render('notifications', { ...(await this.layout.of(session)), section: 'notifications', title: 'Notifications', page });
  }

  @Post(':id/read')
  async read(@Session() session: WebSession, @Param('id', new IdPipe('notification')) id: string, @Res() res: Response) {
    await this.notifications.markRead(session.user.id, id);
    res.redirect(303, '/notifications');
  }
}
