/** Errors as pages: sign-in, 404 and 403 pages, and a 500 page that shows only an incident id. */
import { randomUUID } from 'node:crypto';
import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { DomainError, ERROR_STATUS, RateLimited, Unauthenticated, errorStatus } from '@app/domain';
import { PasswordChangeRequired, WebRequest } from './session.guard';
import { LayoutService } from './layout.service';

/** The 4xx status an error of Express or a body parser carries, if any. */
function clientStatus(error: unknown): number | undefined {
  const status = (error as { status?: unknown; statusCode?: unknown } | null)?.status ?? (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : undefined;
}

/** The title of an error page, by status, where it is not "There is a problem". */
const PAGE_TITLES: Record<number, string> = { 403: 'You cannot do this', 429: 'Too many attempts' };

/** Errors as pages: sign-in when the session is missing, 404 and 403 pages, and a 500 page that leaks nothing but an incident id. */
@Catch()
export class PageFilter implements ExceptionFilter {
  private readonly logger = new Logger(PageFilter.name);

  constructor(private readonly layout: LayoutService) {}

  async catch(error: unknown, host: ArgumentsHost): Promise<void> {
    const http = host.switchToHttp();
    const req = http.getRequest<WebRequest>();
    const res = http.getResponse<Response>();
    if (res.headersSent) {
      // An answer has begun (a download part way): a page now would be a second one. The cause is logged, the answer cut off.
      this.logger.warn({ err: error, path: req.originalUrl }, 'An error after the answer had begun; the answer is cut off');
      res.destroy();
      return;
    }
    if (error instanceof Unauthenticated) {
      const back = req.method === 'GET' && req.originalUrl !== '/' ? `?next=${encodeURIComponent(req.originalUrl)}` : '';
      return res.redirect(303, `/sign-in${back}`);
    }
    if (error instanceof PasswordChangeRequired) return res.redirect(303, '/account?change=required');
    let status = 500;
    let title = 'Sorry, there is a problem with the service';
    let detail = 'Try again later. Nothing you sent was lost or half-done.';
    if (errorStatus(error) === 404 || (error instanceof HttpException && error.getStatus() === 404)) {
      status = 404;
      title = 'Page not found';
      detail = 'If you typed the web address, check it is correct. You may not have access to this page.';
    } else if (error instanceof DomainError) {
      // The table's status (libs/domain/src/error-status.ts), but for a clash (409) that no form
      // caught: a page has always answered it 422, and is kept so.
      status = ERROR_STATUS[error.code] === 409 ? 422 : ERROR_STATUS[error.code];
      title = PAGE_TITLES[status] ?? 'There is a problem';
      detail = error.message;
      if (error instanceof RateLimited) res.setHeader('Retry-After', String(error.retryAfterSeconds));
    } else if (error instanceof HttpException && error.getStatus() < 500) {
      status = error.getStatus();
      title = 'There is a problem';
      detail = error.message;
    } else if (clientStatus(error)) {
      // What Express and its body parser refuse (a form too large, a broken address): the sender's mistake.
      status = clientStatus(error)!;
      title = status === 413 ? 'The form is too large' : 'There is a problem';
      detail = status === 413 ? 'Send less text, or fewer items, and try again.' : 'The request could not be read. Go back and try again.';
    }
    let incidentId: string | undefined;
    if (status >= 500) {
      // The cause goes to the log only, under an id the person can quote.
      incidentId = randomUUID();
      this.logger.error({ err: error, path: req.originalUrl, incidentId }, `Unhandled error, incident ${incidentId}`);
    }
    const frame = await this.layout.of(req.session).catch(() => ({ unread: 0 }));
    res.status(status).render('error', { ...frame, title, detail, status, incidentId });
  }
}
