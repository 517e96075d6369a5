/*
 * npm run bench:attachments: the API's memory while 10 people upload a 20 MB file each at once.
 * Starts the built API on a database of its own, seeds a small partnership, warms the route up
 * with one small upload, then samples the API's resident memory (VmRSS) while the uploads stream
 * in; prints the peak's growth over idle with its target (≤ 50 MB: nothing is held whole).
 */
import { request } from 'node:http';
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { Service, apiEntry, seed, sleep } from './harness';

const svc = new Service('attachments', Number(process.env.BENCH_PORT ?? 3960), { ATTACHMENT_UPLOADS_PER_MINUTE: '1000' });
const PEOPLE = 10;
const FILE_BYTES = 20 * 1000 * 1000;

const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

/** Streams a multipart upload of a PDF of `bytes` made up as it is sent (64 KB at a time), so the client holds none of it. */
function upload(cycleId: string, token: string, bytes: number): Promise<number> {
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
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
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

async function main() {
  console.log('Attachments: memory under 10 uploads of 20 MB at once');
  svc.prepare();
  const api = svc.start(apiEntry);
  try {
    await svc.healthy();
    const s = await seed(svc.base);
    const cycleId = await s.inDelivering();
    const people = [...s.writers.council, ...s.writers.icb, ...s.writers.charity, ...s.writers.forum].slice(0, PEOPLE);
    if ((await upload(cycleId, people[0].token, 100_000)) !== 201) throw new Error('the warm-up upload failed');
    await sleep(2000);
    const idle = rssMb(api.pid!);
    let peak = idle;
    const sampler = setInterval(() => (peak = Math.max(peak, rssMb(api.pid!))), 50);
    const started = Date.now();
    const statuses = await Promise.all(people.map((p) => upload(cycleId, p.token, FILE_BYTES)));
    const seconds = (Date.now() - started) / 1000;
    clearInterval(sampler);
    const ok = statuses.filter((st) => st === 201).length;
    const growth = peak - idle;
    console.log(`  uploads accepted                 ${ok} of ${PEOPLE} (statuses ${[...new Set(statuses)].join(', ')})`);
    console.log(`  time for all                     ${seconds.toFixed(1)} s (${((PEOPLE * FILE_BYTES) / 1e6 / seconds).toFixed(1)} MB/s)`);
    console.log(`  API RSS idle                     ${idle.toFixed(1)} MB`);
    console.log(`  API RSS peak                     ${peak.toFixed(1)} MB`);
    console.log(`  API RSS growth over idle         ${growth.toFixed(1)} MB   <= 50   ${growth <= 50 && ok === PEOPLE ? 'PASS' : 'FAIL'}`);
    process.exitCode = growth <= 50 && ok === PEOPLE ? 0 : 1;
  } finally {
    await svc.cleanup();
  }
}

void main();
