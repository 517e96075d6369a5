/** Partner systems' webhooks: registered by commissioner members, and each accepted event delivered, signed and retried. */
import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import IORedis from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { Webhook } from 'standardwebhooks';
import { AccountsService, Principal } from '@app/accounts';
import { APP_CONFIG, AppConfig, CLOCK } from '@app/config';
import { type Clock, Conflict, Forbidden, NotFound, TransitionRefused, ValidationFailed, systemClock } from '@app/domain';
import { NotificationsService } from '@app/notifications';
import { PartnershipsService } from '@app/partnerships';
import { REDIS } from '@app/queue';
import { AddressRefused, checkedAddress, pinnedLookup, urlProblem } from './address-guard';
import { WEBHOOK_MAY_RECEIVE, whyOff } from './webhook-access';
import { WebhookDeliveryEntity, WebhookEntity } from './webhook.entity';

/** Failed tries in a row after which a webhook is switched off. */
export const DISABLE_AFTER_FAILURES = 20;
/** Webhooks that are on, at most, per partnership. */
export const MAX_WEBHOOKS_PER_PARTNERSHIP = 10;
const TIMEOUT_MS = 10_000;

/** A webhook as listed: with why it is off, in words. */
export type WebhookView = WebhookEntity & { disabledDetail: string | null };

/** A delivery over its destination host's allowance: tried again from `retryAt` (wall clock, ms), without using up a try. */
export interface DeliveryHeldBack {
  retryAt: number;
}

/** Our own deadline passed (told apart from the network's errors for the generic message). */
class DeliveryTimeout extends Error {}

export interface NewWebhook {
  url: string;
  events: string[];
}

/**
 * A partnership's webhooks: commissioner members register them (the secret is shown once), and
 * each accepted event is delivered to those subscribed, signed per Standard Webhooks
 * (`webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64 HMAC-SHA256>`), retried over
 * about a day, logged, and switched off after 20 failures in a row (the commissioners are told).
 * Private, loopback and link-local addresses are refused unless WEBHOOK_ALLOW_PRIVATE=true, when
 * registered and again at each delivery.
 */
@Injectable()
export class WebhooksService {
  private readonly logger = new Logger('Webhooks');

  /** Deliveries per destination host and window, shared by every worker (Redis). */
  private readonly perHost: RateLimiterRedis;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly partnerships: PartnershipsService,
    private readonly accounts: AccountsService,
    private readonly notifications: NotificationsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(REDIS) redis: IORedis,
  ) {
    this.perHost = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `${config.redis.prefix}:webhook-host`,
      points: config.webhooks.hostRate,
      duration: config.webhooks.hostWindowSeconds,
    });
  }

  private get hooks() {
    return this.dataSource.getRepository(WebhookEntity);
  }

  private get deliveries() {
    return this.dataSource.getRepository(WebhookDeliveryEntity);
  }

  /**
   * A new webhook, bound to the caller's (commissioner member) organisation. At most 10 that are
   * on per partnership (422), and one that is on per address (409).
   */
  async create(principal: Principal, partnershipId: string, input: NewWebhook): Promise<WebhookEntity> {
    await this.partnerships.requireCommissionerMember(principal, partnershipId, 'manage webhooks');
    const organisationId = principal.organisationId;
    if (!organisationId) throw new Forbidden('Only commissioners of the partnership manage webhooks.');
    const problem = urlProblem(input.url, this.config.webhooks.allowPrivate);
    if (problem) throw new ValidationFailed([{ field: 'url', message: problem }]);
    const url = new URL(input.url);
    try {
      await checkedAddress(url.hostname, this.config.webhooks.allowPrivate);
    } catch (error) {
      if (error instanceof AddressRefused) throw new ValidationFailed([{ field: 'url', message: error.message }]);
      throw error;
    }
    const events = [...new Set(input.events)];
    const secret = `whsec_${randomBytes(32).toString('base64')}`;
    const address = url.toString();
    const saved = await this.dataSource.transaction(async (m) => {
      // One maker at a time per partnership, so that two at once cannot both pass the cap.
      await this.partnerships.hold(m, partnershipId);
      const on = await m.count(WebhookEntity, { where: { partnershipId, active: true } });
      if (on >= MAX_WEBHOOKS_PER_PARTNERSHIP) {
        throw new TransitionRefused(`A partnership has at most ${MAX_WEBHOOKS_PER_PARTNERSHIP} webhooks that are on: remove one before adding another.`);
      }
      if (await m.exists(WebhookEntity, { where: { partnershipId, url: address, active: true } })) throw duplicate(address);
      const made = await m.save(m.create(WebhookEntity, { partnershipId, organisationId, url: address, events, secret, createdByUserId: principal.userId }));
      // The access checked before the lock may have ended since (archived, left, deactivated meanwhile).
      const [may] = await m.query(`SELECT 1 FROM webhooks w WHERE w.id = $1 AND ${WEBHOOK_MAY_RECEIVE('w')}`, [made.id]);
      if (!may) throw new Conflict('The partnership, or your organisation’s place in it, changed while the webhook was being added: it was not added.');
      return made;
    });
    return { ...saved, secret };
  }

  async list(principal: Principal, partnershipId: string): Promise<WebhookView[]> {
    await this.requireCommissionerOf(principal, partnershipId);
    const hooks = await this.hooks.find({ where: { partnershipId }, order: { createdAt: 'ASC', id: 'ASC' } });
    return hooks.map((w) => Object.assign(w, { disabledDetail: whyOff(w)?.detail ?? null }));
  }

  async remove(principal: Principal, partnershipId: string, id: string): Promise<void> {
    await this.requireCommissionerOf(principal, partnershipId);
    const result = await this.hooks.delete({ id, partnershipId });
    if (!result.affected) throw new NotFound('webhook');
  }

  async deliveriesOf(principal: Principal, partnershipId: string, id: string, limit = 100): Promise<WebhookDeliveryEntity[]> {
    await this.requireCommissionerOf(principal, partnershipId);
    if (!(await this.hooks.exists({ where: { id, partnershipId } }))) throw new NotFound('webhook');
    return this.deliveries.find({ where: { webhookId: id }, order: { at: 'DESC', id: 'DESC' }, take: limit });
  }

  /** Deliveries waiting to be sent, oldest first, for the relay to turn into jobs (written with their entries by WEBHOOK_DELIVERIES, webhook-deliveries.fragment.ts). */
  async pending(limit = 500): Promise<string[]> {
    const rows = await this.deliveries.find({ select: { id: true }, where: { status: 'pending' }, order: { at: 'ASC' }, take: limit });
    return rows.map((r) => r.id);
  }

  /**
   * One try of a delivery (a job): posted, signed, to the checked address. A 2xx marks it
   * delivered; anything else is logged, counts against the webhook, and throws so that the job
   * tries again; the last try marks it failed.
   */
  async deliver(deliveryId: string, attempt: number, lastAttempt: boolean): Promise<'delivered' | 'gone' | DeliveryHeldBack> {
    const delivery = await this.deliveries.findOne({ where: { id: deliveryId } });
    if (!delivery || delivery.status !== 'pending') return 'gone';
    // Checked again now (not only when the event wrote it): a delivery queued before its webhook's
    // access ended does not go out after.
    const hook = await this.hooks.createQueryBuilder('w').addSelect('w.secret').where('w.id = :id', { id: delivery.webhookId }).andWhere(WEBHOOK_MAY_RECEIVE('w')).getOne();
    if (!hook) {
      await this.deliveries.update({ id: deliveryId, status: 'pending' }, { status: 'failed', lastError: 'The webhook is switched off.' });
      return 'gone';
    }
    const held = await this.allowance(hook);
    if (held) return held;
    const body = JSON.stringify(delivery.body);
    let status: number | null = null;
    let error: string | null = null;
    let shown: string | null = null;
    try {
      status = await this.post(hook, delivery.id, body);
      if (status < 200 || status >= 300) error = shown = `The receiver answered ${status}.`;
    } catch (e) {
      error = (e as Error).message.slice(0, 500);
      shown = publicError(e);
      // The details (addresses, ports, the network's codes) stay in the logs, not in what the API shows.
      this.logger.warn(`Webhook delivery ${deliveryId} to ${hook.url} failed: ${error}`);
    }
    if (!error) {
      await this.dataSource.transaction(async (m) => {
        await m.update(WebhookDeliveryEntity, { id: deliveryId }, { status: 'delivered', attempts: attempt, lastStatusCode: status, lastError: null, deliveredAt: this.clock.now() });
        await m.update(WebhookEntity, { id: hook.id }, { consecutiveFailures: 0 });
      });
      return 'delivered';
    }
    await this.failed(hook, delivery, attempt, status, shown ?? error, lastAttempt);
    throw new Error(`Webhook delivery ${deliveryId}: ${error}`);
  }

  /**
   * Takes one delivery from the destination host's allowance (WEBHOOK_HOST_RATE per
   * WEBHOOK_HOST_WINDOW_SECONDS, across all workers), or answers when to try again: a delivery
   * over it is held back, never dropped, and does not use up a try.
   */
  private async allowance(hook: WebhookEntity): Promise<DeliveryHeldBack | undefined> {
    try {
      await this.perHost.consume(new URL(hook.url).host.toLowerCase());
      return undefined;
    } catch (error) {
      if (!(error instanceof RateLimiterRes)) throw error;
      return { retryAt: systemClock.now().getTime() + Math.max(error.msBeforeNext, 1) };
    }
  }

  private async failed(hook: WebhookEntity, delivery: WebhookDeliveryEntity, attempt: number, status: number | null, error: string, lastAttempt: boolean): Promise<void> {
    const [rows]: [{ consecutive_failures: number }[], number] = await this.dataSource.query(
      `UPDATE webhooks SET consecutive_failures = consecutive_failures + 1 WHERE id = $1 RETURNING consecutive_failures`,
      [hook.id],
    );
    await this.deliveries.update({ id: delivery.id }, { attempts: attempt, lastStatusCode: status, lastError: error, ...(lastAttempt && { status: 'failed' }) });
    if ((rows[0]?.consecutive_failures ?? 0) >= DISABLE_AFTER_FAILURES) await this.disable(hook);
  }

  /** Switched off after 20 failures in a row; its commissioners are told (once). */
  private async disable(hook: WebhookEntity): Promise<void> {
    const [rows]: [{ id: string }[], number] = await this.dataSource.query(`UPDATE webhooks SET active = false, disabled_at = $2, disabled_reason = 'failures' WHERE id = $1 AND active RETURNING id`, [
      hook.id,
      this.clock.now(),
    ]);
    if (!rows.length) return;
    await this.dataSource.query(`UPDATE webhook_deliveries SET status = 'failed', last_error = 'The webhook was switched off.' WHERE webhook_id = $1 AND status = 'pending'`, [hook.id]);
    const commissioners = (await this.partnerships.memberKinds(hook.partnershipId)).filter((m) => m.kind === 'commissioner').map((m) => m.organisationId);
    const { byOrganisation } = await this.accounts.recipientsOf(commissioners);
    const users = [...new Set([...byOrganisation.values()].flat())];
    await this.notifications.notify(
      users.map((userId) => ({
        userId,
        kind: 'webhook-disabled',
        cycleId: null,
        milestoneId: null,
        text: `The webhook to ${hook.url} was switched off after ${DISABLE_AFTER_FAILURES} failed deliveries in a row. Check the partner system, then add it again.`,
        link: `/partnerships/${hook.partnershipId}#webhooks`,
        dedupeKey: `webhook-disabled.${hook.id}`,
      })),
    );
    this.logger.warn(`Webhook ${hook.id} to ${hook.url} switched off after ${DISABLE_AFTER_FAILURES} failures in a row`);
  }

  /** Posts to the address checked now (SSRF guard at delivery time too), without following redirects. */
  private async post(hook: WebhookEntity, id: string, body: string): Promise<number> {
    const problem = urlProblem(hook.url, this.config.webhooks.allowPrivate);
    if (problem) throw new AddressRefused(`${hook.url} ${problem}`);
    const url = new URL(hook.url);
    const deadline = (ms: number, what: string) => new Promise<never>((_, reject) => setTimeout(() => reject(new DeliveryTimeout(`${what} took more than ${ms / 1000} s`)), ms).unref());
    const { address, family } = await Promise.race([checkedAddress(url.hostname, this.config.webhooks.allowPrivate), deadline(TIMEOUT_MS, 'resolving the address')]);
    // The wall clock, not the services' (which tests and demos may move): receivers compare the
    // signed timestamp with theirs to refuse replays (Standard Webhooks allows five minutes).
    const timestamp = systemClock.now();
    const signature = new Webhook(hook.secret.replace(/^whsec_/, '')).sign(id, timestamp, body);
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'Cocommission-Webhooks/1',
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
      'webhook-signature': signature,
      'content-length': String(Buffer.byteLength(body)),
    };
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<number>((resolve, reject) => {
      const req = send(url, { method: 'POST', headers, agent: false, lookup: pinnedLookup(address, family) as never }, (res) => {
        // The status is the answer: the body is not read (a receiver that trickles it holds nothing).
        clearTimeout(timer);
        resolve(res.statusCode ?? 0);
        res.destroy();
      });
      // A deadline for the whole request, not only for silence.
      const timer = setTimeout(() => req.destroy(new DeliveryTimeout(`no answer within ${TIMEOUT_MS / 1000} s`)), TIMEOUT_MS);
      req.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      req.end(body);
    });
  }

  private async requireCommissionerOf(principal: Principal, partnershipId: string): Promise<void> {
    await this.partnerships.requireVisible(principal, partnershipId);
    if (principal.organisationKind !== 'commissioner') throw new Forbidden('Only commissioners of the partnership manage webhooks.');
  }
}

function duplicate(url: string): Conflict {
  return new Conflict(`A webhook of this partnership already goes to ${url}: remove it first to add it again.`);
}

/** TLS verification failures, by Node's and OpenSSL's codes. */
const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|CERT_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_|HOSTNAME_MISMATCH)/;

/** What a failed try shows the partnership's people: what kind of failure, never the addresses, ports or codes behind it. */
export function publicError(error: unknown): string {
  if (error instanceof DeliveryTimeout) return `The receiver did not answer within ${TIMEOUT_MS / 1000} seconds.`;
  if (error instanceof AddressRefused) return 'The address is not allowed: webhooks go to public https addresses only.';
  const code = String((error as NodeJS.ErrnoException)?.code ?? '');
  if (code === 'ECONNREFUSED') return 'The receiver refused the connection.';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'The receiver’s name could not be resolved.';
  if (code === 'ECONNRESET' || code === 'EPIPE') return 'The connection was closed before the receiver answered.';
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'ETIMEDOUT') return 'The receiver could not be reached.';
  if (TLS_CODE.test(code)) return 'The receiver’s TLS certificate was not accepted.';
  return 'The delivery could not be made.';
}
