// bench.js - pg-boss beside qtm (bench/pg.sh, part 4): 4 workers doing fetch + complete.
//
//   node bench.js SOCKET_DIR DATABASE USER SECONDS JOBS [WORKERS]
//
// Creates pg-boss's schema in DATABASE (on the Unix socket in SOCKET_DIR),
// one queue, and JOBS jobs inserted beforehand (untimed); then WORKERS
// loops, each: fetch one job (one transaction: UPDATE ... SKIP LOCKED
// RETURNING), complete it (another), for SECONDS.  Fetch and complete are
// two transitions of a job.  Prints one line:
//   pg-boss: DONE jobs in S s = J jobs/s, T transitions/s (W workers, backlog JOBS -> LEFT)
// pg-boss's fetch sorts the whole backlog (ORDER BY priority, created_on
// over its partial index), so its rate falls as the backlog grows (and
// rises as the run drains it): compare runs at the same JOBS.
// Exits 1 on any failure, or when the workers ran out of jobs (too few
// JOBS for the time).
'use strict';
const PgBoss = require('pg-boss');

async function main() {
  const [dir, database, user, secs, jobs, workersArg] = process.argv.slice(2);
  const seconds = Number(secs), total = Number(jobs), workers = Number(workersArg || 4);
  if (!dir || !database || !user || !(seconds > 0) || !(total > 0) || !(workers > 0)) {
    console.error('usage: node bench.js SOCKET_DIR DATABASE USER SECONDS JOBS [WORKERS]');
    process.exit(2);
  }
  // no supervisor or cron: only the workers touch the database while timed;
  // one pool connection per worker, as qtm's writers have one each
  const boss = new PgBoss({ host: dir, database, user, max: workers + 1,
                            supervise: false, schedule: false });
  boss.on('error', (e) => { console.error('pg-boss:', e.message); process.exit(1); });
  await boss.start();
  const queue = 'bench';
  await boss.createQueue(queue);
  for (let done = 0; done < total; done += 1000) {
    const batch = [];
    for (let i = done; i < Math.min(total, done + 1000); i++)
      batch.push({ name: queue, data: { n: i } });
    await boss.insert(batch);
  }
  let completed = 0, empty = false;
  const t0 = process.hrtime.bigint();
  const end = t0 + BigInt(Math.round(seconds * 1e9));
  async function worker() {
    while (process.hrtime.bigint() < end) {
      const [job] = await boss.fetch(queue);
      if (!job) { empty = true; return; }
      await boss.complete(queue, job.id);
      completed++;
    }
  }
  await Promise.all(Array.from({ length: workers }, worker));
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  await boss.stop({ graceful: false, wait: true });
  if (empty) {
    console.error(`pg-boss: ran out of jobs after ${completed} (insert more than ${total})`);
    process.exit(1);
  }
  console.log(`pg-boss: ${completed} jobs in ${s.toFixed(1)} s = ${(completed / s).toFixed(0)} ` +
              `jobs/s, ${(2 * completed / s).toFixed(0)} transitions/s (${workers} workers, ` +
              `backlog ${total} -> ${total - completed})`);
}

main().catch((e) => { console.error('pg-boss:', e.message); process.exit(1); });
