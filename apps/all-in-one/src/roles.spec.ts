import { parseRoles } from './roles';

describe('the roles one process runs', () => {
  it('is all three when none is named', () => {
    expect(parseRoles([])).toEqual(['api', 'web', 'worker']);
  });

  it('takes them as words or comma-separated, each once, in the order they start', () => {
    expect(parseRoles(['worker', 'api'])).toEqual(['api', 'worker']);
    expect(parseRoles(['web, worker,web'])).toEqual(['web', 'worker']);
  });

  it('refuses a role that does not exist, naming it', () => {
    expect(() => parseRoles(['api,mailer'])).toThrow('unknown role mailer: the roles are api, web, worker');
  });
});
