#!/usr/bin/env node
// The unit suite, run again and again while busy loops hold the cores, as on a crowded CI
// machine: a test that passes only on a quiet machine fails here. Builds once, then runs
// `node test/run.mjs` RUNS times (default 10) beside LOOPS busy loops (default 2), and prints
// each run's result, time and load average. Exits 1 unless every run passed.
//   node scripts/testUnderLoad.mjs [--runs 10] [--loops 2]
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const flag = (name, fallback) => {
	const at = process.argv.indexOf(`--${name}`);
	return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const runs = flag('runs', 10);
const loops = flag('loops', 2);

const built = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'ignore' });
if (built.status !== 0) throw new Error('npm run build failed');

const busy = Array.from({ length: loops }, () =>
	spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }),
);
const stopBusy = () => busy.forEach((child) => child.kill('SIGKILL'));
process.on('exit', stopBusy);

const load = () => os.loadavg().map((n) => n.toFixed(2)).join(' ');
let passed = 0;
for (let run = 1; run <= runs; run++) {
	const started = Date.now();
	const res = spawnSync(process.execPath, ['test/run.mjs'], { cwd: root, encoding: 'utf8' });
	const seconds = ((Date.now() - started) / 1000).toFixed(0);
	const summary = (res.stdout.match(/^# (tests|pass|fail) \d+$/gm) ?? []).join(', ');
	if (res.status === 0) passed++;
	else {
		// The whole TAP of a failed run, for its failures' messages and stacks.
		const saved = path.join(root, '.tmp', 'under-load', `run-${run}.tap`);
		fs.mkdirSync(path.dirname(saved), { recursive: true });
		fs.writeFileSync(saved, res.stdout + res.stderr);
		const failures = res.stdout.split('\n').filter((line) => /^\s*not ok/.test(line));
		console.log(`${failures.join('\n')}\n(the whole output: ${path.relative(root, saved)})`);
	}
	console.log(`run ${run}: ${res.status === 0 ? 'passed' : 'FAILED'} in ${seconds} s (${summary}); load ${load()}`);
}
stopBusy();
console.log(`${passed} of ${runs} runs passed beside ${loops} busy loops on ${os.cpus().length} cores`);
process.exit(passed === runs ? 0 : 1);
