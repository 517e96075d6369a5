#!/usr/bin/env node
/*
 * npm run demo: against a running service (DEMO_URL, default http://localhost:$PORT or :3000),
 * sets up a realistic partnership and walks one cycle from draft to closed and its next
 * iteration, printing each step. Exits non-zero on any unexpected answer, so CI uses it as a
 * smoke test. Uses ADMIN_EMAIL / ADMIN_PASSWORD (or their development defaults).
 */
'use strict';

const { base, adminEmail, adminPassword, password, stamp, attempt, call, login, step } = require('./demo-client');
async function main() {
  console.log(`Cocommission demo against ${base}\n`);
  await call(undefined, 'GET', '/health', undefined, [200]);
  const admin = await login(adminEmail, adminPassword);

  const org = (name, kind) => call(admin, 'POST', '/v1/organisations', { name, kind });
  const orgs = {
    council: await org('Northshire County Council', 'commissioner'),
    icb: await org('Northshire and Vale Integrated Care Board', 'commissioner'),
    ageWell: await org('Age Well Northshire (charity)', 'provider'),
    carers: await org('Northshire Carers Centre (charity)', 'provider'),
    forum: await org("Northshire Residents' Forum", 'community'),
    mediation: await org('Northshire Community Mediation', 'facilitator'),
  };
  step("Organisations created: county council and ICB commissioning, two voluntary-sector providers, a residents' forum, an independent mediation service");

  const people = {};
  const person = async (key, name, organisation) => {
    const email = `${key}+${stamp}@demo.cocommission.org`;
    const user = await call(admin, 'POST', '/v1/users', { email, name, password, organisationId: organisation.id });
    people[key] = { ...user, email, token: await login(email, password) };
  };
  await person('priya', 'Priya Shah, Head of Commissioning (council)', orgs.council);
  await person('tom', 'Tom Okafor, Place Director (ICB)', orgs.icb);
  await person('helen', 'Helen Price, CEO, Age Well Northshire', orgs.ageWell);
  await person('sam', 'Sam Hughes, Carers Centre manager', orgs.carers);
  await person('maria', "Maria Lopez, Residents' Forum chair", orgs.forum);
  await person('john', 'John Reid, resident with lived experience (review panel)', orgs.forum);
  await person('aisha', 'Aisha Begum, council public health officer (review panel)', orgs.council);
  await person('david', 'David Moss, independent facilitator', orgs.mediation);
  step(`Users created (password for all: ${password}):`);
  for (const p of Object.values(people)) step(`  ${p.email}  ${p.name}`);

  const partnership = await call(people.priya.token, 'POST', '/v1/partnerships', {
    name: 'Northshire Healthy Ageing Partnership',
    memberOrganisationIds: [orgs.icb.id, orgs.ageWell.id, orgs.carers.id, orgs.forum.id],
    destination: 'Older people in Northshire live well and independently at home for longer',
    principles: ['Residents shape decisions, not just respond to them', 'Open books between partners', 'Learn and adapt together'],
  });
  // Membership is by consent: the organisations named are invited, and join once their lead (here the
  // platform admin, for them) accepts.
  for (const invited of partnership.invited) await call(admin, 'POST', `/v1/partnerships/${partnership.id}/invitations/${invited.organisationId}/accept`, {});
  const joined = await call(people.priya.token, 'GET', `/v1/partnerships/${partnership.id}`);
  step(`Partnership "${partnership.name}" with ${joined.members.length} members (each accepted its invitation)`);
  await call(people.priya.token, 'PUT', `/v1/partnerships/${partnership.id}/table`, { on: ['£400k prevention budget', 'Public health data'], off: ['Statutory adult social care assessments'] });
  await call(people.tom.token, 'PUT', `/v1/partnerships/${partnership.id}/table`, { on: ['Winter pressures funding', 'Community nursing time'], off: ['Acute hospital contracts'] });
  await call(people.helen.token, 'PUT', `/v1/partnerships/${partnership.id}/table`, { on: ['120 trained volunteers', 'Befriending service'], off: ['Our charity reserves'] });
  await call(people.maria.token, 'PUT', `/v1/partnerships/${partnership.id}/table`, { on: ["Residents' insight and survey network"], off: [] });
  step('Members declared what is on and off the table');
  const outcome = await call(people.tom.token, 'POST', `/v1/partnerships/${partnership.id}/outcomes`, {
    title: 'Older people stay well at home through winter',
    metrics: [
      { name: 'Emergency admissions 65+', unit: 'per 1,000 population', baseline: 24.5, target: 20, direction: 'decrease' },
      { name: 'Feel in control of their care', unit: '%', baseline: 61, target: 75, direction: 'increase' },
    ],
  });
  await call(people.priya.token, 'POST', `/v1/partnerships/${partnership.id}/anchors`, { name: 'Council budget set', date: '2027-02-24' });
  await call(people.tom.token, 'POST', `/v1/partnerships/${partnership.id}/anchors`, { name: 'ICB operational plan due', date: '2027-03-31' });
  step('Shared outcome framework and calendar anchors set');

  let cycle = await call(people.priya.token, 'POST', '/v1/cycles', {
    partnershipId: partnership.id,
    title: 'Staying well at home this winter',
    commissionerOrganisationIds: [orgs.council.id, orgs.icb.id],
    providerOrganisationIds: [orgs.ageWell.id, orgs.carers.id],
    communityOrganisationIds: [orgs.forum.id],
    panelUserIds: [people.john.id, people.aisha.id],
    facilitatorUserIds: [people.david.id],
    outcomeIds: [outcome.id],
  });
  console.log(`\nCycle "${cycle.title}" (iteration ${cycle.iteration})`);
  const coOwners = ['priya', 'tom', 'helen', 'sam', 'maria'];
  const send = async (who, event, note) => {
    cycle = await call(people[who].token, 'POST', `/v1/cycles/${cycle.id}/events`, event, [200]);
    step(`${event.type.padEnd(18)} by ${people[who].name.split(',')[0].padEnd(12)} -> ${cycle.state}${note ? `  (${note})` : ''}`);
  };

  await send('priya', { type: 'LAUNCH' });
  await inviteResident(people.priya, cycle);
  await send('helen', { type: 'REVISE_PROBLEM', statement: 'Too many older people are admitted to hospital in winter because they are isolated and problems are noticed late.' });
  await send('maria', { type: 'OBJECT_PROBLEM', revision: 1, reason: 'Residents tell us cold homes matter as much as isolation.' });
  await send('maria', { type: 'REVISE_PROBLEM', statement: 'Too many older people are admitted to hospital in winter because they are isolated, live in cold homes, and problems are noticed late.' });
  for (const who of coOwners) await send(who, { type: 'ENDORSE_PROBLEM', revision: 2 });
  await send('helen', { type: 'SUBMIT_OPTION', title: 'Winter wellbeing calls', summary: 'Volunteers call isolated residents weekly and refer early.', coAuthorOrganisationIds: [orgs.forum.id] });
  const callsOption = cycle.options[0].id;
  await send('sam', { type: 'SUBMIT_OPTION', title: 'Warm homes checks', summary: 'Carers and volunteers check heating and fuel debt.' });
  const warmOption = cycle.options[1].id;
  await send('priya', { type: 'CLOSE_OPTIONS' });
  await send('maria', { type: 'APPRAISE_OPTION', optionId: callsOption, scores: [{ outcomeId: outcome.id, score: 4 }], comment: 'Residents trust the charity' });
  await send('tom', { type: 'PROPOSE_DECISION', optionIds: [callsOption], rationale: 'Quickest to mobilise' });
  await send('sam', { type: 'ESCALATE', reason: 'Cold homes would be left out; we cannot agree.' });
  await send('david', { type: 'RESOLVE_ESCALATION', resolution: 'Partners agree to fund both options jointly, from the council and ICB pots.' });
  await send('sam', { type: 'OBJECT', proposalId: cycle.decision.proposals[0].id, reason: 'Both options, as agreed with the facilitator.' });
  await send('helen', { type: 'PROPOSE_DECISION', optionIds: [callsOption, warmOption], rationale: 'Both, jointly funded, as agreed.' });
  const proposal = cycle.decision.proposals[1].id;
  for (const who of coOwners) await send(who, { type: 'CONSENT', proposalId: proposal });
  await send('helen', { type: 'RECORD_PROGRESS', note: '1,240 calls made; 86 early referrals', readings: [{ metric: 'Emergency admissions 65+', value: 22.9 }] });
  await send('priya', {
    type: 'RECORD_PROGRESS',
    note: 'Quarter 4 figures',
    readings: [
      { metric: 'Emergency admissions 65+', value: 21.4 },
      { metric: 'Feel in control of their care', value: 68 },
    ],
  });
  await send('priya', { type: 'START_REVIEW' });
  await send('helen', { type: 'RECORD_LEARNING', insight: 'Weekly calls caught problems early', evidence: 'Referral log', recommendation: 'continue' });
  await send('john', { type: 'RECORD_LEARNING', insight: 'Men living alone rarely answered calls from unknown numbers', evidence: 'Forum listening sessions', recommendation: 'adapt' });
  await send('john', { type: 'SIGN_OFF_REVIEW', outcome: 'iterate' });
  await send('aisha', { type: 'SIGN_OFF_REVIEW', outcome: 'iterate' });

  const verify = await call(people.tom.token, 'GET', `/v1/cycles/${cycle.id}/history/verify`);
  const next = await call(people.priya.token, 'GET', `/v1/cycles/${cycle.nextCycleId}`);
  console.log(`\nCycle closed (review outcome: ${cycle.review.outcome.outcome}); history of ${cycle.version} entries intact: ${verify.intact}`);
  console.log(`Next iteration ${next.iteration} is in ${next.state}: ${next.id}`);
  console.log(`  carried problem statement: "${next.problem.revisions[0].statement}"`);
  console.log(`  learning carried: ${next.inheritedLearning.learnings.length} entries`);
  const inbox = await call(people.priya.token, 'GET', '/v1/me/notifications?limit=100');
  console.log(`\nPriya was told of ${inbox.items.length} things, ${inbox.open} still waiting for her (the next iteration to launch).`);
  const smtp = process.env.SMTP_URL;
  console.log(
    smtp
      ? `Emails went through ${new URL(smtp).protocol}//${new URL(smtp).host} (as the worker's SMTP_URL says), to the *@demo.cocommission.org addresses above.`
      : 'No emails were sent (SMTP_URL is unset for the worker): the notifications are in the web app, under Notifications.',
  );
  if (cycle.state !== 'closed' || next.state !== 'draft' || !verify.intact) throw new Error('the demo did not end as expected');
  await identityProvider(admin, orgs.council);
}

/**
 * A resident without an account is invited to the cycle's review panel by a commissioner's member
 * (POST /v1/cycles/:id/invitations): the service emails them a single-use link. A service with no
 * SMTP_URL sends no email and refuses the invitation (422): the demo says so and goes on.
 */
async function inviteResident(inviter, cycle) {
  const email = `leila.resident+${stamp}@demo.cocommission.org`;
  const { status, json } = await attempt(inviter.token, 'POST', `/v1/cycles/${cycle.id}/invitations`, { email, name: 'Leila Ahmed', role: 'panel' });
  if (status === 201) {
    const until = new Date(json.expiresAt).toLocaleString('en-GB', { timeZone: 'Europe/London', dateStyle: 'medium', timeStyle: 'short' });
    step(`INVITATION         by ${inviter.name.split(',')[0].padEnd(12)} -> ${email} invited to the review panel (a single-use link by email, until ${until}; no password needed)`);
  } else if (status === 422 && /SMTP_URL/.test(json?.detail ?? '')) {
    step('INVITATION         skipped: invitations need SMTP_URL (the service sends no email, so it invites nobody); set SMTP_URL for the API to invite a resident');
  } else {
    throw new Error(`POST /v1/cycles/${cycle.id}/invitations answered ${status}: ${JSON.stringify(json)}`);
  }
}

/**
 * DEMO_IDENTITY_PROVIDER=1: starts a test OpenID provider (oidc-provider, a devDependency) on a
 * loopback port, connects it as the council's identity provider, and keeps it running until
 * Ctrl-C, so that "Sign in with Northshire County Council" works on the sign-in page. The service
 * must allow an http:// issuer (OIDC_ALLOW_INSECURE_ISSUER=true; never in production).
 */
async function identityProvider(admin, council) {
  if (process.env.DEMO_IDENTITY_PROVIDER !== '1') {
    console.log(
      '\nIdentity provider: skipped (optional: DEMO_IDENTITY_PROVIDER=1, with the service started with OIDC_ALLOW_INSECURE_ISSUER=true, connects a test one to the council; see docs/sign-in.md).',
    );
    return;
  }
  // The test provider answers over plain http: a service that does not allow it would refuse it, so it is not tried.
  if (!['true', '1'].includes(process.env.OIDC_ALLOW_INSECURE_ISSUER ?? '')) {
    console.log('\nIdentity provider: skipped: the test provider answers over http://, which the service refuses unless OIDC_ALLOW_INSECURE_ISSUER=true.');
    console.log('  Start the service with OIDC_ALLOW_INSECURE_ISSUER=true and run the demo with it set too (see docs/sign-in.md).');
    return;
  }
  const { spawn } = require('node:child_process');
  const { join } = require('node:path');
  console.log('\nIdentity provider: starting a test OpenID provider (oidc-provider) on a loopback port');
  const child = spawn(process.execPath, [join(__dirname, '../test/support/oidc-server.mjs')], { stdio: ['ignore', 'pipe', 'ignore'] });
  const issuer = await new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the test identity provider stopped (${code})`)));
    child.stdout.on('data', (chunk) => {
      const ready = /READY (\S+)/.exec(String(chunk));
      if (ready) resolve(ready[1]);
    });
  });
  const web = (process.env.PUBLIC_WEB_URL ?? `http://localhost:${process.env.WEB_PORT ?? 3001}`).replace(/\/$/, '');
  const post = async (path, body) => (await fetch(issuer + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).text();
  const client = JSON.parse(
    await post('/reg', { redirect_uris: [`${web}/sign-in/oidc/callback`], grant_types: ['authorization_code'], response_types: ['code'], token_endpoint_auth_method: 'client_secret_post' }),
  );
  const domain = `staff-${stamp}.northshire.gov.uk`;
  await post('/__test/account', { sub: 'sam', email: `sam.okafor@${domain}`, email_verified: true, name: 'Sam Okafor, Commissioning Officer (council)' });
  step(`Registered the web app with it as a client (redirect URI ${web}/sign-in/oidc/callback) and made the account "sam" (sam.okafor@${domain})`);
  const configured = await attempt(admin, 'PUT', `/v1/organisations/${council.id}/identity-provider`, {
    issuer,
    clientId: client.client_id,
    clientSecret: client.client_secret,
    emailDomains: [domain],
  });
  if (configured.status !== 200 && configured.status !== 201) {
    child.kill('SIGTERM');
    // The service's own OIDC_ALLOW_INSECURE_ISSUER is not true (the demo's environment said it was): said, and the demo ends well.
    if (configured.status === 400 && JSON.stringify(configured.json).includes('issuer')) {
      step('The service refused the http:// issuer: start it with OIDC_ALLOW_INSECURE_ISSUER=true to try this. The test provider is stopped.');
      return;
    }
    throw new Error(`PUT /v1/organisations/${council.id}/identity-provider answered ${configured.status}: ${JSON.stringify(configured.json)}`);
  }
  step(`${issuer} now signs in ${council.name}'s people (@${domain}).`);
  step(`Open ${web}/sign-in, choose "Sign in with ${council.name}" and type the account "sam" at the provider.`);
  step('Press Ctrl-C to stop the test identity provider.');
  await new Promise((resolve) => process.once('SIGINT', resolve));
  child.kill('SIGTERM');
}

main().catch((error) => {
  console.error(`\ndemo failed: ${error.message}`);
  process.exit(1);
});
