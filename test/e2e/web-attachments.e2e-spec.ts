import { createHash } from 'node:crypto';
import { get } from 'node:http';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { Collaboration, Factory, TEST_PASSWORD, TestApi, collaboration, cycleSteps, startTestApi } from '@test/support';
import { TestWeb, accessibilityProblems, createTestWeb, createWebApp, screenshot, signInOverHttp, signedIn } from '@test/support/test-web';

/**
 * Attachments on the cycle page (issue 36, part 4): a co-owner attaches a PDF through the GOV.UK
 * file upload form (streamed into the API's service), sees it listed with its SHA-256 and
 * downloads it byte for byte; a commissioner withdraws it with a reason; the form's errors (no
 * file, a program named .pdf, too large, too many) show in the error summary with nothing stored;
 * nobody outside the cycle downloads; the page passes axe; the form works without JavaScript.
 */
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const pdf = (words: string) => Buffer.from(`%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% ${words}\ntrailer << /Root 1 0 R >>\n%%EOF\n`);
/** A Windows program's first bytes, named as a PDF. */
const program = Buffer.concat([Buffer.from('MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00', 'latin1'), Buffer.alloc(200, 0x41)]);
const binary = (res: request.Response, done: (err: Error | null, body: Buffer) => void) => {
  const parts: Buffer[] = [];
  res.on('data', (chunk: Buffer) => parts.push(chunk));
  res.on('end', () => done(null, Buffer.concat(parts)));
};
/** The web app's limits in this suite: files up to 100 KB, three uploads a minute each. */
const MAX_BYTES = 100_000;
const PER_MINUTE = 3;

describe('attachments in the web app', () => {
  let api: TestApi;
  let web: TestWeb;
  let factory: Factory;
  let c: Collaboration;
  let cycleId: string;
  let optionId: string;

  beforeAll(async () => {
    ({ api, factory } = await startTestApi());
    web = await createTestWeb({ config: (config) => ({ ...config, attachments: { ...config.attachments, maxBytes: MAX_BYTES, uploadsPerMinute: PER_MINUTE } }) });
    c = await collaboration(factory);
    cycleId = await c.newCycle({ title: 'Evidence on the page' });
    optionId = await cycleSteps(c).toDeciding(cycleId);
  }, 120000);
  afterAll(async () => {
    await web?.close();
    await api?.close();
  });

  const http = () => request(web.app.getHttpServer());
  const stored = async () => ((await api.app.get(DataSource).query(`SELECT count(*)::int AS n FROM attachments WHERE cycle_id = $1`, [cycleId])) as { n: number }[])[0].n;
  const rowOf = async (name: string) =>
    (
      (await api.app.get(DataSource).query(`SELECT id, sha256, withdrawn_reason FROM attachments WHERE cycle_id = $1 AND name = $2`, [cycleId, name])) as {
        id: string;
        sha256: string;
        withdrawn_reason: string | null;
      }[]
    )[0];
  /** The upload form as a browser sends it: the token first, then the subject, then the file. */
  const upload = (who: { cookie: string; csrf?: string }, subject: string, file: Buffer, name: string) => {
    let r = http().post(`/cycles/${cycleId}/attachments`).set('Cookie', who.cookie);
    if (who.csrf !== undefined) r = r.field('_csrf', who.csrf);
    return r.field('subject', subject).attach('file', file, { filename: name, contentType: 'application/pdf' });
  };
  const download = (cookie: string, id: string) => http().get(`/cycles/${cycleId}/attachments/${id}`).set('Cookie', cookie).buffer(true).parse(binary);

  it('a co-owner attaches a PDF in the browser, sees it listed with its SHA-256, and downloads it byte-identical', async () => {
    const file = pdf('The winter plan, as agreed');
    const { context, page } = await signedIn(web, c.charityUser.email, TEST_PASSWORD);
    try {
      await page.goto(`/cycles/${cycleId}#attachments`);
      expect(await page.locator('#attachments').innerText()).toContain('No files attached yet.');
      await page.selectOption('#attachment-subject', `option:${optionId}`);
      await page.setInputFiles('#attachment-file', { name: 'Winter plan.pdf', mimeType: 'application/pdf', buffer: file });
      await page.click('button:has-text("Attach file")');
      await page.locator('.govuk-notification-banner--success').waitFor();
      expect(page.url()).toContain('done=ATTACHED');
      const section = await page.locator('#attachments').innerText();
      expect(section).toContain('Winter plan.pdf');
      expect(section).toContain(`PDF, ${file.length} bytes`);
      expect(section).toContain('Winter calls · uploaded by');
      expect(section).toContain(sha(file).slice(0, 12));
      expect(section).not.toContain(sha(file)); // the whole of it is in the closed details
      await page.click('#attachments summary:has-text("Check this is the document the decision was made on")');
      expect(await page.locator('#attachments').innerText()).toContain(sha(file));
      await screenshot(page, 'cycle-attachments');
      expect(await accessibilityProblems(page)).toEqual([]);

      const href = await page.locator('#attachments a[download]').first().getAttribute('href');
      const row = await rowOf('Winter plan.pdf');
      expect(href).toBe(`/cycles/${cycleId}/attachments/${row.id}`);
      expect(row.sha256).toBe(sha(file));
      const [cookie] = await context.cookies();
      const res = await download(`${cookie.name}=${cookie.value}`, row.id).expect(200);
      expect(Buffer.compare(res.body as Buffer, file)).toBe(0);
      expect(res.headers['content-type']).toBe('application/pdf');
      expect(res.headers['content-disposition']).toContain("filename*=UTF-8''Winter%20plan.pdf");
      expect(res.headers['content-disposition']).toMatch(/^attachment;/);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-attachment-sha256']).toBe(sha(file));
    } finally {
      await context.close();
    }
  });

  it('errors show in the error summary, with nothing stored: no file, a program named .pdf, too large, too many; the page passes axe', async () => {
    const before = await stored();
    const { context, page } = await signedIn(web, c.forumUser.email, TEST_PASSWORD);
    try {
      await page.goto(`/cycles/${cycleId}#attachments`);
      await page.click('button:has-text("Attach file")');
      await page.locator('.govuk-error-summary').waitFor();
      expect(await page.locator('.govuk-error-summary').innerText()).toContain('Select a file');
      expect(await page.locator('.govuk-error-summary a[href="#attachment-file"]').count()).toBe(1);
      expect(await accessibilityProblems(page)).toEqual([]);

      await page.selectOption('#attachment-subject', 'revision:1');
      await page.setInputFiles('#attachment-file', { name: 'minutes.pdf', mimeType: 'application/pdf', buffer: program });
      await page.click('button:has-text("Attach file")');
      await page.locator('.govuk-error-summary').waitFor();
      expect(await page.locator('.govuk-error-summary').innerText()).toContain('The file must be a PDF, Word, Excel, PowerPoint, ODT, ODS, CSV, text, PNG or JPEG');
      // The subject chosen is kept.
      expect(await page.locator('#attachment-subject').inputValue()).toBe('revision:1');
      await screenshot(page, 'cycle-attachments-errors');
      expect(await accessibilityProblems(page)).toEqual([]);
    } finally {
      await context.close();
    }
    const forum = await signInOverHttp(web, c.forumUser.email, TEST_PASSWORD);
    const large = await upload(forum, 'revision:1', pdf('x'.repeat(MAX_BYTES)), 'large.pdf').expect(413);
    expect(large.text).toContain('There is a problem');
    expect(large.text).toContain('The file must be smaller than 100 KB');
    // The forum's user has made two uploads this minute (the program and the large one): the next is theirs, the one after refused.
    await upload(forum, 'revision:1', pdf('third'), 'third.pdf').expect(303);
    const many = await upload(forum, 'revision:1', pdf('fourth'), 'fourth.pdf').expect(429);
    expect(Number(many.headers['retry-after'])).toBeGreaterThan(0);
    expect(many.text).toContain('Too many uploads from your account. Try again in');
    expect(await stored()).toBe(before + 1);
    expect(await rowOf('fourth.pdf')).toBeUndefined();
  });

  it('an upload without the form’s token, or to a subject not of the cycle, is refused with nothing stored; an outsider sees no form and may not post', async () => {
    const before = await stored();
    const icb = await signInOverHttp(web, c.icbUser.email, TEST_PASSWORD);
    await upload({ cookie: icb.cookie }, 'revision:1', pdf('no token'), 'no-token.pdf').expect(403);
    await upload({ cookie: icb.cookie, csrf: 'not-the-token' }, 'revision:1', pdf('wrong token'), 'wrong-token.pdf').expect(403);
    const unknown = await upload(icb, 'revision:99', pdf('no such revision'), 'nowhere.pdf').expect(422);
    expect(unknown.text).toContain('This cycle has no revision');
    const subjectless = await upload(icb, 'nonsense', pdf('no subject'), 'subjectless.pdf').expect(400);
    expect(subjectless.text).toContain('Choose what the file is about');
    // Bodies that are not multipart/form-data as they claim: no boundary, or cut off in the file.
    await http().post(`/cycles/${cycleId}/attachments`).set('Cookie', icb.cookie).set('Content-Type', 'multipart/form-data; charset=utf-8').send('x').expect(400);
    const cut = `--b\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${icb.csrf}\r\n--b\r\nContent-Disposition: form-data; name="subject"\r\n\r\nrevision:1\r\n--b\r\nContent-Disposition: form-data; name="file"; filename="cut.pdf"\r\n\r\n%PDF-1.4\n`;
    const truncated = await http().post(`/cycles/${cycleId}/attachments`).set('Cookie', icb.cookie).set('Content-Type', 'multipart/form-data; boundary=b').send(cut).expect(400);
    expect(truncated.text).toContain('There is a problem');
    // A form sent as an ordinary form (no file part at all).
    await http().post(`/cycles/${cycleId}/attachments`).set('Cookie', icb.cookie).type('form').send({ _csrf: icb.csrf, subject: 'revision:1' }).expect(400);

    const strangerUser = await factory.user(await factory.organisation('provider'));
    const stranger = await signInOverHttp(web, strangerUser.email, TEST_PASSWORD);
    await upload(stranger, 'revision:1', pdf('outsider'), 'outsider.pdf').expect(404);
    const row = await rowOf('Winter plan.pdf');
    await download(stranger.cookie, row.id).expect(404);
    await http().get(`/cycles/${cycleId}/attachments/${row.id}/withdraw`).set('Cookie', stranger.cookie).expect(404);
    expect(await stored()).toBe(before);
  });

  it('a commissioner withdraws an attachment with a reason (required); it is hidden from others, listed as withdrawn to commissioners', async () => {
    const row = await rowOf('Winter plan.pdf');
    const charity = await signInOverHttp(web, c.charityUser.email, TEST_PASSWORD);
    // Only commissioners see the button and may open the form.
    const asProvider = await http().get(`/cycles/${cycleId}`).set('Cookie', charity.cookie).expect(200);
    expect(asProvider.text).not.toContain(`/attachments/${row.id}/withdraw`);
    await http().get(`/cycles/${cycleId}/attachments/${row.id}/withdraw`).set('Cookie', charity.cookie).expect(403);

    const { context, page } = await signedIn(web, c.councilUser.email, TEST_PASSWORD);
    try {
      await page.goto(`/cycles/${cycleId}#attachments`);
      await page.click(`#attachment-${row.id} a:has-text("Withdraw")`);
      await page.waitForURL(`**/attachments/${row.id}/withdraw`);
      await page.click('button:has-text("Withdraw attachment")');
      await page.locator('.govuk-error-summary').waitFor();
      expect(await page.locator('.govuk-error-summary').innerText()).toContain('Enter why you are withdrawing this attachment');
      expect(await accessibilityProblems(page)).toEqual([]);
      await page.fill('#withdraw-reason', 'The wrong version: the signed copy replaces it');
      await page.click('button:has-text("Withdraw attachment")');
      await page.locator('.govuk-notification-banner--success').waitFor();
      expect(await page.locator('.govuk-notification-banner--success').innerText()).toContain('The attachment is withdrawn');
      const section = page.locator('#attachments');
      expect(await section.locator(`#attachment-${row.id}`).isVisible()).toBe(false);
      await page.click('#attachments-withdrawn > summary');
      expect(await page.locator('#attachments-withdrawn').innerText()).toContain('The wrong version: the signed copy replaces it');
      expect(await page.locator('#attachments-withdrawn > summary').innerText()).toContain('1 withdrawn');
      expect(await accessibilityProblems(page)).toEqual([]);
    } finally {
      await context.close();
    }
    expect((await rowOf('Winter plan.pdf')).withdrawn_reason).toBe('The wrong version: the signed copy replaces it');
    const after = await http().get(`/cycles/${cycleId}`).set('Cookie', charity.cookie).expect(200);
    expect(after.text).not.toContain('Winter plan.pdf');
    expect(after.text).not.toContain('withdrawn</span>');
    await download(charity.cookie, row.id).expect(404);
  });

  it('the form works without JavaScript: a panel member (of no co-owner) attaches a CSV to the latest revision', async () => {
    const csv = Buffer.from('ward,calls\nNorth,12\nSouth,9\n');
    const { context, page } = await signedIn(web, c.panel[1].email, TEST_PASSWORD, { javaScript: false });
    try {
      await page.goto(`/cycles/${cycleId}#attachments`);
      const subjects = await page.locator('#attachment-subject option').allTextContents();
      expect(subjects[0]).toMatch(/^Problem statement, revision \d+$/);
      expect(subjects).toContain('Option: Winter calls');
      await page.setInputFiles('#attachment-file', { name: 'calls by ward.csv', mimeType: 'text/csv', buffer: csv });
      await page.click('button:has-text("Attach file")');
      await page.locator('.govuk-notification-banner--success').waitFor();
      const section = await page.locator('#attachments').innerText();
      expect(section).toContain('calls by ward.csv');
      expect(section).toContain('CSV');
      expect(section).toMatch(/Problem statement, revision \d+/);
      expect(section).toContain(sha(csv).slice(0, 12));
    } finally {
      await context.close();
    }
  });
});

/** At the service's own limit (20 MB by default): a large file streams through the web app whole, a larger one is refused once read past it. */
describe('large attachments in the web app', () => {
  const MB = 1024 * 1024;
  let api: TestApi;
  let web: Awaited<ReturnType<typeof createWebApp>>;
  let c: Collaboration;
  let cycleId: string;

  beforeAll(async () => {
    let factory: Factory;
    ({ api, factory } = await startTestApi());
    web = await createWebApp();
    c = await collaboration(factory);
    cycleId = await c.newCycle({ title: 'Large evidence' });
    await cycleSteps(c).toFraming(cycleId);
  }, 120000);
  afterAll(async () => {
    await web?.app.close();
    await api?.close();
  });

  it('a 15 MB PDF goes up and comes back byte-identical; one past 20 MB is 413 with the limit in words and nothing stored', async () => {
    const http = () => request(web.app.getHttpServer());
    const who = await signInOverHttp({ app: web.app } as TestWeb, c.charityUser.email, TEST_PASSWORD);
    const send = (file: Buffer, name: string) =>
      http()
        .post(`/cycles/${cycleId}/attachments`)
        .set('Cookie', who.cookie)
        .field('_csrf', who.csrf)
        .field('subject', 'revision:1')
        .attach('file', file, { filename: name, contentType: 'application/pdf' });
    const big = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(15 * MB, 0x20), Buffer.from('\n%%EOF\n')]);
    await send(big, 'big.pdf').expect(303);
    const [row] = (await api.app.get(DataSource).query(`SELECT id, sha256 FROM attachments WHERE cycle_id = $1`, [cycleId])) as { id: string; sha256: string }[];
    expect(row.sha256).toBe(sha(big));
    const back = await http().get(`/cycles/${cycleId}/attachments/${row.id}`).set('Cookie', who.cookie).buffer(true).parse(binary).expect(200);
    expect(Buffer.compare(back.body as Buffer, big)).toBe(0);

    // A person who goes away part way through the download: the web app cuts its answer off and
    // says nothing more (an error page then would be a second answer, thrown outside any request).
    const aborted = await new Promise<number>((resolve, reject) => {
      const req = get(`${web.base}/cycles/${cycleId}/attachments/${row.id}`, { headers: { Cookie: who.cookie } }, (res) => {
        res.once('data', () => {
          req.destroy();
          resolve(res.statusCode ?? 0);
        });
      });
      req.on('error', (error) => ((error as { code?: string }).code === 'ECONNRESET' ? undefined : reject(error)));
    });
    expect(aborted).toBe(200);
    // Still answering, and the whole file again.
    const again = await http().get(`/cycles/${cycleId}/attachments/${row.id}`).set('Cookie', who.cookie).buffer(true).parse(binary).expect(200);
    expect(sha(again.body as Buffer)).toBe(row.sha256);

    const tooBig = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(21 * MB, 0x20)]);
    const refused = await send(tooBig, 'too-big.pdf').expect(413);
    expect(refused.text).toContain('The file must be smaller than 20 MB');
    expect(((await api.app.get(DataSource).query(`SELECT count(*)::int AS n FROM attachments WHERE cycle_id = $1`, [cycleId])) as { n: number }[])[0].n).toBe(1);
  }, 60000);
});
