/** Every error answered as application/problem+json, a 5xx with only an incident id and never a stack trace. */
import { randomUUID } from 'node:crypto';
import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Inject, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { DomainError, ERROR_STATUS, RateLimited, ValidationFailed, VersionConflict } from '@app/domain';
import { BodyRefused, PROBLEM_CONTENT_TYPE, Problem, problem } from './problem';

/**
 * Every error leaves as application/problem+json (RFC 9457); nothing leaks a stack trace. A 5xx
 * (but 503, which says what is down) carries a generic detail and an incident id; its cause is
 * logged with that id, never sent.
 */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const response = http.getResponse<FastifyReply>();
    const request = http.getRequest<FastifyRequest>();
    let body = this.toProblem(exception, response);
    if (body.status >= 500 && body.status !== 503) {
      // The cause (a message, SQL, a stack) goes to the log only; the caller gets an id to quote.
      const incidentId = randomUUID();
      this.logger.error({ err: exception, path: request.originalUrl, incidentId }, `Unhandled error, incident ${incidentId}`);
      body = problem(body.status, `Something went wrong on our side. It has been logged as incident ${incidentId}: quote it if you report this.`, {
        incidentId,
      });
    }
    sendProblem(response, body, request);
  }

  private toProblem(exception: unknown, response: FastifyReply): Problem {
    if (exception instanceof BodyRefused) return exception.problem;
    if (exception instanceof DomainError) {
      const status = ERROR_STATUS[exception.code];
      if (exception instanceof RateLimited) response.header('Retry-After', String(exception.retryAfterSeconds));
      if (exception.code === 'Unauthenticated') response.header('WWW-Authenticate', 'Bearer');
      return problem(status, exception.message, {
        code: exception.code,
        ...(exception instanceof ValidationFailed && { errors: exception.errors }),
        ...(exception instanceof VersionConflict && exception.currentVersion !== undefined && { currentVersion: exception.currentVersion }),
      });
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      // Fastify refuses too large a body before reading it (Nest hands its error on as an HttpException).
      if (status === 413) return problem(413, `The request body is larger than the limit of ${this.config.http.bodyLimit}.`);
      const payload = exception.getResponse();
      const detail =
        typeof payload === 'string'
          ? payload
          : Array.isArray((payload as { message?: unknown }).message)
            ? (payload as { message: string[] }).message.join('; ')
            : String((payload as { message?: unknown }).message ?? exception.message);
      // Terminus puts the health details in its 503 response: keep them.
      const checks = typeof payload === 'object' && payload && 'details' in payload ? { checks: payload } : {};
      return problem(status, status === 503 && checks.checks ? 'A dependency is not answering.' : detail, checks);
    }
    if (isUnavailable(exception)) {
      response.header('Retry-After', '5');
      return problem(503, 'The database or Redis is not answering right now. Nothing was changed; try again shortly.');
    }
    return problem(500, 'Something went wrong on our side.');
  }
}

export function sendProblem(response: FastifyReply, body: Problem, request?: FastifyRequest): void {
  if (response.sent || response.raw.headersSent) return;
  // A download that failed before its first byte is answered as an error, not as a file to save.
  response.removeHeader('content-disposition');
  response.raw.removeHeader('content-disposition');
  const requestId = request?.id;
  response
    .status(body.status)
    .type(PROBLEM_CONTENT_TYPE)
    .send(JSON.stringify(requestId ? { ...body, requestId: String(requestId) } : body));
}

/** PostgreSQL or Redis going away (restart, failover, network): 503, never 500. */
const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', '57P01', '57P02', '57P03', '08000', '08001', '08003', '08006']);
function isUnavailable(error: unknown): boolean {
  const e = error as { code?: string; driverError?: { code?: string }; message?: string };
  const code = e?.code ?? e?.driverError?.code;
  return (
    (code !== undefined && UNAVAILABLE_CODES.has(code)) ||
    /Connection terminated|connection is closed|is not established|the database system is (starting up|shutting down)|Cannot use a pool after calling end|Driver not Connected|max retries per request|Stream isn't writeable/i.test(
      e?.message ?? '',
    )
  );
}
