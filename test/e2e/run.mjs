#!/usr/bin/env node
// `npm run test:e2e`: makes sure the pinned n8n and Chromium are installed, builds and packs
// the package once, then runs the e2e test files one after the other (each starts n8n; two
// at once would only fight over this machine's two cores).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildAndPack } from '../../scripts/n8n/package.mjs';
import { projectRoot } from '../../scripts/n8n/targets.mjs';

// e2e/mail first, the mail tools' own test (mail.test.mjs) before the email example's, which
// stands on them; then test/e2e.
const files = ['e2e/mail', 'test/e2e'].flatMap((dir) =>
	fs
		.readdirSync(path.join(projectRoot, dir))
		.filter((name) => name.endsWith('.test.mjs'))
		.sort()
		.map((name) => path.join(projectRoot, dir, name)),
);
// `--list`: the files this suite runs, nothing installed (npm test checks every test file runs
// somewhere).
if (process.argv.includes('--list')) {
	console.log(files.map((file) => path.relative(projectRoot, file)).join('\n'));
	process.exit(0);
}

// A test file started by `node --test` by mistake; the e2e suite is `npm run test:e2e` only.
if (process.env.NODE_TEST_CONTEXT) {
	console.log('test/e2e/run.mjs: started by node --test; the e2e suite runs with npm run test:e2e');
	process.exit(0);
}

function step(label, cmd, args) {
	const started = Date.now();
	const res = spawnSync(cmd, args, { cwd: projectRoot, stdio: 'inherit' });
	if (res.status !== 0) {
		console.error(`[e2e] ${label} failed (exit code ${res.status})`);
		process.exit(res.status ?? 1);
	}
	console.log(`[e2e] ${label}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

step('n8n install', process.execPath, ['scripts/n8n/install.mjs']);
step('chromium install', 'bash', ['scripts/n8n/install-chromium.sh']);
// Dovecot, from Debian's packages, for the email example's mailbox (e2e/mail/tools).
step('dovecot install', process.execPath, ['e2e/mail/tools/dovecotInstall.mjs']);
// Verdaccio, from the npm registry, for the Community Nodes install (scripts/registry).
step('verdaccio install', process.execPath, ['scripts/registry/install.mjs']);

const packDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kaleyra-e2e-pack-'));
const tarball = buildAndPack(packDir);
console.log(`[e2e] packed ${tarball}`);

// A stuck n8n or browser must fail the run, not hold CI until its own limit. The suite takes
// about 16 minutes on 2.x on a 2-core machine (the Community Nodes install about 2 of them).
const SUITE_TIMEOUT_MS = 25 * 60 * 1000;
const res = spawnSync(process.execPath, ['--test', '--test-concurrency=1', ...files], {
	cwd: projectRoot,
	stdio: 'inherit',
	env: { ...process.env, KALEYRA_E2E_TARBALL: tarball },
	timeout: SUITE_TIMEOUT_MS,
	killSignal: 'SIGKILL',
});
if (res.error) console.error(`[e2e] ${res.error.message}`);
fs.rmSync(packDir, { recursive: true, force: true });
process.exit(res.status ?? 1);
