/** The API's error body (application/problem+json) and the refusal of a body no route could read. */
import { FieldProblem } from '@app/domain';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: FieldProblem[];
  [extension: string]: unknown;
}

const TITLES: Record<number, [slug: string, title: string]> = {
  400: ['bad-request', 'Bad request'],
  401: ['unauthenticated', 'Not logged in'],
  403: ['forbidden', 'Not allowed'],
  404: ['not-found', 'Not found'],
  405: ['method-not-allowed', 'Method not allowed'],
  409: ['conflict', 'Conflict'],
  413: ['payload-too-large', 'Request body too large'],
  415: ['unsupported-media-type', 'Unsupported media type'],
  422: ['refused', 'Refused by the rules'],
  429: ['too-many-requests', 'Too many requests'],
  500: ['internal', 'Internal error'],
  503: ['unavailable', 'Service unavailable'],
};

export function problem(status: number, detail: string, extra: Partial<Problem> = {}): Problem {
  const [slug, title] = TITLES[status] ?? (status >= 500 ? TITLES[500] : TITLES[400]);
  return { type: `https://cocommission.org/problems/${slug}`, title, status, detail, ...extra };
}

/** A request body refused before any route ran (not JSON, broken JSON): answered as its problem says. */
export class BodyRefused extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail);
    this.name = 'BodyRefused';
  }
}
