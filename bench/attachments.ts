/*
 * npm run bench:attachments: the API's memory while 10 people upload a 20 MB file each at once.
 * Starts the built API on a database of its own, seeds a small partnership, warms the route up
 * with one small upload, then samples the API's resident memory (VmRSS) while the uploads stream
 * in, and again while the same ten download them at once; prints each peak's growth over idle
 * with its target (≤ 50 MB: nothing is held whole).
 */
import { request } from 'node:http';
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { freePort } from '../scripts/free-port';
import { Service, apiEntry, seed, sleep } from './harness';

const PEOPLE = 10;
const FILE_BYTES = 20 * 1000 * 1000;
/** The issue's figure: nothing held whole, ten files at once stay within 50 MB of idle. */
const TARGET_MB = 50;

const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

/** Streams a multipart upload of a PDF of `bytes` made up as it is sent (64 KB at a time), so the client holds none of it: the status and the attachment's id. */
function upload(svc: Service, cycleId: string, token: string, bytes: number): Promise<{ status: number; id?: string }> {
  const boundary = `bench${randomBytes(8).toString('hex')}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="subject"\r\n\r\nreview\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="evidence.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.7\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const piece = randomBytes(64 * 1024);
  return new Promise((resolve, reject) => {
    const req = request(`${svc.base}/v1/cycles/${cycleId}/attachments`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': head.length + (bytes - 9) + tail.length },
    });
    req.on('response', (res) => {
      const answer: Buffer[] = [];
      res.on('data', (d: Buffer) => answer.push(d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, id: res.statusCode === 201 ? (JSON.parse(Buffer.concat(answer).toString()) as { id: string }).id : undefined }));
    });
    req.on('error', reject);
    req.write(head);
    let left = bytes - 9;
    const more = () => {
      while (left > 0) {
        const n = Math.min(left, piece.length);
        left -= n;
        if (!req.write(n === piece.length ? piece : piece.subarray(0, n))) return void req.once('drain', more);
      }
      req.end(tail);
    };
    more();
  });
}

/** Downloads an attachment, reading its bytes as they come and dropping them: how many came. */
function download(svc: Service, cycleId: string, token: string, id: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${svc.base}/v1/cycles/${cycleId}/attachments/${id}`, { headers: { authorization: `Bearer ${token}` } }, (res) => {
      let bytes = 0;
      res.on('data', (d: Buffer) => (bytes += d.length));
      res.on('end', () => resolve(res.statusCode === 200 ? bytes : -1));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The API's resident memory while `work` runs: idle before (after a pause to settle), and the peak, sampled every 50 ms. */
async function memoryDuring<T>(pid: number, work: () => Promise<T>): Promise<{ value: T; idle: number; peak: number; seconds: number }> {
  await sleep(2000);
  const idle = rssMb(pid);
  let peak = idle;
  const sampler = setInterval(() => (peak = Math.max(peak, rssMb(pid))), 50);
  const started = Date.now();
  try {
    const value = await work();
    return { value, idle, peak: Math.max(peak, rssMb(pid)), seconds: (Date.now() - started) / 1000 };
  } finally {
    clearInterval(sampler);
  }
}

/** Prints one phase's figures; whether it passed (every file whole, the growth within the target). */
function report(what: string, done: number, m: { idle: number; peak: number; seconds: number }): boolean {
  const growth = m.peak - m.idle;
  const passed = growth <= TARGET_MB && done === PEOPLE;
  console.log(`  ${`${what} whole`.padEnd(33)}${done} of ${PEOPLE}`);
  console.log(`  ${'time for all'.padEnd(33)}${m.seconds.toFixed(1)} s (${((PEOPLE * FILE_BYTES) / 1e6 / m.seconds).toFixed(1)} MB/s)`);
  console.log(`  ${'API RSS idle, peak'.padEnd(33)}${m.idle.toFixed(1)} MB, ${m.peak.toFixed(1)} MB`);
  console.log(`  ${`API RSS growth (${what})`.padEnd(33)}${growth.toFixed(1)} MB   <= ${TARGET_MB}   ${passed ? 'PASS' : 'FAIL'}`);
  return passed;
}

async function main() {
  console.log('Attachments: memory under 10 uploads of 20 MB at once, then 10 downloads of them');
  // A port nothing listens on (others' benches and tests share the machine), or BENCH_PORT.
  const svc = new Service('attachments', Number(process.env.BENCH_PORT ?? (await freePort())), { ATTACHMENT_UPLOADS_PER_MINUTE: '1000' });
  svc.prepare();
  const api = svc.start(apiEntry);
  try {
    // Started on a shared machine: its first answer may be slow to come.
    await svc.healthy(svc.base, 120000);
    const s = await seed(svc.base);
    const cycleId = await s.inDelivering();
    const people = [...s.writers.council, ...s.writers.icb, ...s.writers.charity, ...s.writers.forum].slice(0, PEOPLE);
    if ((await upload(svc, cycleId, people[0].token, 100_000)).status !== 201) throw new Error('the warm-up upload failed');
    const up = await memoryDuring(api.pid!, () => Promise.all(people.map((p) => upload(svc, cycleId, p.token, FILE_BYTES))));
    const ids = up.value.map((u) => u.id).filter((id) => id !== undefined);
    const uploads = report('uploads', ids.length, up);
    // The same ten people download the ten files at once, each reading as fast as it can.
    const down = await memoryDuring(api.pid!, () => Promise.all(ids.map((id, i) => download(svc, cycleId, people[i].token, id))));
    // The issue's figure is the uploads'; the downloads are held to the same.
    const downloads = report('downloads', down.value.filter((bytes) => bytes === FILE_BYTES).length, down);
    process.exitCode = uploads && downloads ? 0 : 1;
  } finally {
    await svc.cleanup();
  }
}

void main();
