#!/usr/bin/env node
/*
 * npm run demo:reorganisation: against a running service (as `npm run demo`: DEMO_URL, ADMIN_EMAIL,
 * ADMIN_PASSWORD), local government is reorganised under a partnership. A county council and a
 * district council work with an ICB, a charity and a residents' forum on three cycles (framing,
 * deciding with the county's consent given, and one cancelled); an admin previews and schedules the
 * councils' succession by one unitary council a few seconds ahead; the worker carries it out on the
 * date; the demo prints who co-owns each cycle then, the histories' check, and how the dissolved
 * councils are named. Exits non-zero on any unexpected answer.
 */
'use strict';

const { base, adminEmail, adminPassword, password, stamp, call, login, step } = require('./demo-client');
/** How far ahead the vesting moment is put: the worker's job carries it out then. */
const AHEAD_MS = Number(process.env.DEMO_SUCCESSION_DELAY_MS ?? 5000);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function main() {
  console.log(`Cocommission reorganisation demo against ${base}\n`);
  await call(undefined, 'GET', '/health', undefined, [200]);
  const admin = await login(adminEmail, adminPassword);
  const org = (name, kind) => call(admin, 'POST', '/v1/organisations', { name, kind });
  const orgs = {
    county: await org('Wold County Council', 'commissioner'),
    district: await org('Southwold District Council', 'commissioner'),
    icb: await org('Wold and Vale ICB', 'commissioner'),
    charity: await org('Wold Home Care (charity)', 'provider'),
    forum: await org("Wold Residents' Voice", 'community'),
    unitary: await org('North Wold Council', 'commissioner'),
  };
  const person = async (key, name) => {
    const email = `${key}.${stamp}@demo.cocommission.org`;
    const user = await call(admin, 'POST', '/v1/users', { email, name, password, organisationId: orgs[key].id });
    return { ...user, token: await login(email, password) };
  };
  const people = {
    county: await person('county', 'Carys Jones, Wold County Council'),
    district: await person('district', 'Dev Patel, Southwold District Council'),
    icb: await person('icb', 'Ines Silva, Wold and Vale ICB'),
    charity: await person('charity', 'Chloe Baker, Wold Home Care'),
    forum: await person('forum', "Femi Adeyemi, Wold Residents' Voice"),
  };
  const others = [orgs.district, orgs.icb, orgs.charity, orgs.forum].map((o) => o.id);
  const partnership = await call(people.county.token, 'POST', '/v1/partnerships', { name: `Ageing well in the Wold`, memberOrganisationIds: others });
  for (const id of others) await call(admin, 'POST', `/v1/partnerships/${partnership.id}/invitations/${id}/accept`, {});
  step(`Partnership "${partnership.name}": the county and the district councils, the ICB, a charity and a residents' forum`);

  const newCycle = async (title, commissioners) =>
    (
      await call(people.county.token, 'POST', '/v1/cycles', {
        partnershipId: partnership.id,
        title,
        commissionerOrganisationIds: commissioners,
        providerOrganisationIds: [orgs.charity.id],
        communityOrganisationIds: [orgs.forum.id],
        panelUserIds: [people.forum.id],
      })
    ).id;
  const send = (who, id, event) => call(people[who].token, 'POST', `/v1/cycles/${id}/events`, event);
  const framing = await newCycle('Home care after hospital', [orgs.county.id, orgs.district.id]);
  await send('county', framing, { type: 'LAUNCH' });
  await send('charity', framing, { type: 'REVISE_PROBLEM', statement: 'People leave hospital before care at home is ready for them.' });
  const deciding = await newCycle('Falls prevention', [orgs.county.id, orgs.icb.id]);
  await send('county', deciding, { type: 'LAUNCH' });
  let view = await send('county', deciding, { type: 'REVISE_PROBLEM', statement: 'Older residents fall at home and wait hours for help.' });
  for (const who of ['county', 'icb', 'charity', 'forum']) view = await send(who, deciding, { type: 'ENDORSE_PROBLEM', revision: 1 });
  view = await send('charity', deciding, { type: 'SUBMIT_OPTION', title: 'A falls response service', summary: 'Trained responders within the hour.' });
  const optionId = view.options[0].id;
  view = await send('county', deciding, { type: 'CLOSE_OPTIONS' });
  view = await send('icb', deciding, { type: 'PROPOSE_DECISION', optionIds: [optionId], rationale: 'Quickest to start' });
  view = await send('county', deciding, { type: 'CONSENT', proposalId: view.decision.proposals[0].id });
  const cancelled = await newCycle('Day centres', [orgs.county.id]);
  await send('county', cancelled, { type: 'LAUNCH' });
  await send('county', cancelled, { type: 'CANCEL', reason: 'Folded into home care' });
  step(
    `Cycles: "Home care after hospital" (${(await call(people.icb.token, 'GET', `/v1/cycles/${framing}`)).state}, both councils co-own it), "Falls prevention" (${view.state}, the county consented), "Day centres" (cancelled)`,
  );

  const effectiveAt = new Date(Date.now() + AHEAD_MS).toISOString();
  const body = { effectiveAt, successors: [{ organisationId: orgs.unitary.id }] };
  const preview = await call(admin, 'POST', `/v1/organisations/${orgs.county.id}/succession/preview`, body, [200]);
  const moving = preview.partnerships.flatMap((p) => p.cycles.map((c) => c.title));
  step(`Preview of the county's succession: ${preview.users} person moves; ${moving.length} unfinished cycles move (${moving.join(', ')}); refused by no rule: ${preview.refusals.length === 0}`);
  for (const key of ['county', 'district']) await call(admin, 'POST', `/v1/organisations/${orgs[key].id}/succession`, body, [201]);
  step(`Scheduled: both councils become ${orgs.unitary.name} at ${effectiveAt} (the people concerned are told)`);

  const state = async (id) => (await call(admin, 'GET', `/v1/organisations/${id}`)).state;
  const deadline = Date.now() + AHEAD_MS + 60_000;
  while ((await state(orgs.county.id)) !== 'dissolved' || (await state(orgs.district.id)) !== 'dissolved') {
    if (Date.now() > deadline) throw new Error('the succession was not carried out within a minute of its date: is the worker running?');
    await sleep(500);
  }
  step('Carried out by the worker on the date: both councils are dissolved');

  const names = new Map(Object.values(orgs).map((o) => [o.id, o.name]));
  const carys = await login(people.county.email, password);
  for (const [title, id] of [
    ['Home care after hospital', framing],
    ['Falls prevention', deciding],
    ['Day centres', cancelled],
  ]) {
    const cycle = await call(carys, 'GET', `/v1/cycles/${id}`);
    const verify = await call(carys, 'GET', `/v1/cycles/${id}/history/verify`);
    const owners = cycle.coOwners.map((o) => names.get(o.organisationId) ?? o.organisationId).join(', ');
    step(`"${title}" (${cycle.state}): co-owned by ${owners}; history intact: ${verify.intact}`);
    if (!verify.intact) throw new Error(`the history of ${title} does not verify`);
  }
  const me = await call(carys, 'GET', '/v1/me');
  step(`Carys now signs in as ${orgs.unitary.name}'s: ${(me.organisationId ?? me.organisation?.id) === orgs.unitary.id}`);
  const ocds = await call(carys, 'GET', `/v1/cycles/${cancelled}/ocds`);
  const party = ocds.releases[0].parties.find((p) => p.id.endsWith(orgs.county.id));
  step(`In the cancelled cycle's open data the county is "${party.name}"`);
  const inbox = await call(people.district.token, 'GET', '/v1/me/notifications?limit=100');
  const told = inbox.items.filter((n) => n.kind === 'succession');
  step(`Dev (the district's) was told ${told.length} times, last: "${told[0]?.text}"`);
}

main().catch((error) => {
  console.error(`\ndemo failed: ${error.message}`);
  process.exit(1);
});
