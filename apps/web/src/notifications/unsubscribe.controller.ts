/** One-click unsubscribe from email without signing in, from the signed link in every email. */
import { Body, Controller, Get, HttpCode, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { NotificationMailService } from '@app/notifications';
import { PublicPage } from '../http/session.guard';

/**
 * One-click unsubscribe (RFC 8058), without signing in: the link carries the person's id signed
 * by the service. Opening it asks to confirm (link checkers open links); the button, or a mail
 * app's `List-Unsubscribe=One-Click` POST, turns their email off.
 */
@Controller('unsubscribe')
export class UnsubscribeController {
  constructor(private readonly mail: NotificationMailService) {}

  @PublicPage()
  @Get()
  page(@Query('user') user: unknown, @Query('token') token: unknown, @Res() res: Response) {
    if (!this.mail.links.verify(user, token)) return this.invalid(res);
    res.render('unsubscribe', { title: 'Stop emails from Cocommission', user, token, unread: 0 });
  }

  @PublicPage()
  @Post()
  @HttpCode(200)
  async unsubscribe(@Query() query: Record<string, unknown>, @Body() body: Record<string, unknown>, @Res() res: Response) {
    const user = body?.user ?? query.user;
    const token = body?.token ?? query.token;
    if (!(await this.mail.unsubscribe(user, token))) return this.invalid(res);
    res.render('unsubscribe', { title: 'You are unsubscribed', done: true, unread: 0 });
  }

  private invalid(res: Response) {
    res.status(400).render('unsubscribe', { title: 'This unsubscribe link does not work', invalid: true, unread: 0 });
  }
}
