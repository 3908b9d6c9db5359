#!/usr/bin/env node
// `npm run test:queue`: the package in n8n's queue mode. Makes sure the pinned n8n, Redis and
// PostgreSQL are installed (n8n under $N8N_E2E_DIR or .e2e/, the other two from Debian's
// packages, as root, when missing), builds and packs the package once, then runs
// test/queue/queue.test.mjs, which starts the whole cluster on 127.0.0.1 and stops it.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildAndPack } from '../../scripts/n8n/package.mjs';
import { projectRoot } from '../../scripts/n8n/targets.mjs';

const SUITE_FILE = path.join(projectRoot, 'test/queue/queue.test.mjs');
// `--list`: the files this suite runs, nothing installed (npm test checks every test file runs
// somewhere).
if (process.argv.includes('--list')) {
	console.log(path.relative(projectRoot, SUITE_FILE));
	process.exit(0);
}

// A test file started by `node --test` by mistake; the queue suite is `npm run test:queue` only.
if (process.env.NODE_TEST_CONTEXT) {
	console.log(
		'test/queue/run.mjs: started by node --test; the queue suite runs with npm run test:queue',
	);
	process.exit(0);
}

const suiteStarted = Date.now();
const elapsed = (since) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

function step(label, cmd, args) {
	const started = Date.now();
	const res = spawnSync(cmd, args, { cwd: projectRoot, stdio: 'inherit' });
	if (res.status !== 0) {
		console.error(`[queue] ${label} failed (exit code ${res.status ?? res.signal})`);
		process.exit(res.status || 1);
	}
	console.log(`[queue] ${label}: ${elapsed(started)}`);
}

step('n8n install', process.execPath, ['scripts/n8n/install.mjs']);
step('redis-server and postgresql', process.execPath, ['scripts/queue/services.mjs']);

const packDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kaleyra-queue-pack-'));
const packStarted = Date.now();
const tarball = buildAndPack(packDir);
console.log(`[queue] packed ${path.basename(tarball)}: ${elapsed(packStarted)}`);

// A stuck part must fail the run, not hold CI: SIGTERM first (the suite then stops every process
// it started and removes its folder), SIGKILL a minute later.
const SUITE_TIMEOUT_MS = 25 * 60 * 1000;
const child = spawn(
	process.execPath,
	[
		'--test',
		'--test-reporter=spec',
		'--test-concurrency=1',
		// e.g. `npm run test:queue -- --test-name-pattern=load` runs one check (on the full cluster).
		...process.argv.slice(2),
		SUITE_FILE,
	],
	{
		cwd: projectRoot,
		stdio: 'inherit',
		detached: true,
		env: { ...process.env, KALEYRA_QUEUE_TARBALL: tarball },
	},
);
const signalGroup = (signal) => {
	try {
		process.kill(-child.pid, signal);
	} catch {
		// Already gone.
	}
};
let killTimer;
const timer = setTimeout(() => {
	console.error(
		`[queue] the suite did not finish within ${SUITE_TIMEOUT_MS / 60000} min: stopping it`,
	);
	signalGroup('SIGTERM');
	killTimer = setTimeout(() => signalGroup('SIGKILL'), 60_000);
}, SUITE_TIMEOUT_MS);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => signalGroup('SIGTERM'));

const code = await new Promise((resolve) =>
	child.once('exit', (status, signal) => resolve(status ?? (signal ? 1 : 0))),
);
clearTimeout(timer);
clearTimeout(killTimer);
fs.rmSync(packDir, { recursive: true, force: true });
console.log(
	`[queue] npm run test:queue: ${code === 0 ? 'passed' : 'FAILED'} in ${elapsed(suiteStarted)}`,
);
process.exit(code);
