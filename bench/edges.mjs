#!/usr/bin/env node
// What hostile answers and Stop cost, measured in n8n's engine against the emulator, each case in
// a fresh process so its peak RSS is its own:
//   oversized  8 items at concurrency 8, each answered with a 50 MiB body: peak RSS, wall time
//   trickle    one answer trickled a byte every 100 ms, Timeout 3000 ms: time to the item's end
//   stop       two requests held 10 s by the emulator, Stop pressed: time until the node returned
//   stopWait   a pacing wait of 10 s (0.1 requests/s), Stop pressed: time until the node returned
// Usage: node bench/edges.mjs [--reps N]; prints a markdown table (median, min–max).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CASES = ['oversized', 'trickle', 'stop', 'stopWait'];
const self = fileURLToPath(import.meta.url);
const caseArg = process.argv.indexOf('--case');

if (caseArg !== -1) {
	const result = await runCase(process.argv[caseArg + 1]);
	process.stdout.write(`${JSON.stringify(result)}\n`);
	process.exit(0);
} else {
	const repsArg = process.argv.indexOf('--reps');
	const reps = repsArg === -1 ? 3 : Number(process.argv[repsArg + 1]);
	const rows = [];
	for (const name of CASES) {
		const runs = [];
		for (let rep = 0; rep < reps; rep++) {
			const child = spawnSync(process.execPath, [self, '--case', name], { encoding: 'utf8' });
			if (child.status !== 0) throw new Error(`${name} failed:\n${child.stderr}`);
			runs.push(JSON.parse(child.stdout.trim().split('\n').at(-1)));
		}
		rows.push([name, runs]);
	}
	const summary = (values) => {
		const sorted = [...values].sort((a, b) => a - b);
		return `${sorted[Math.floor(sorted.length / 2)]} (${sorted[0]}–${sorted.at(-1)})`;
	};
	console.log('| case | outcome | wall ms | peak RSS MiB |');
	console.log('|---|---|---:|---:|');
	for (const [name, runs] of rows) {
		console.log(
			`| ${name} | ${runs[0].outcome} | ${summary(runs.map((r) => r.ms))} | ${summary(runs.map((r) => r.peakRssMiB))} |`,
		);
	}
}

async function runCase(name) {
	const { NUMBERS, itemFor, runOperation } = await import('../test/helpers/kaleyra.mjs');
	const { startKaleyraEmulator } = await import('../emulator/kaleyra-emulator.mjs');
	const emulator = await startKaleyraEmulator({ recordRequests: true });
	const peakRssMiB = () => Math.round(process.resourceUsage().maxRSS / 1024);
	try {
		if (name === 'oversized') {
			emulator.setFaults({ probabilities: { oversized: 1 } });
			const items = Array.from({ length: 8 }, () => itemFor(NUMBERS.pending1));
			const started = Date.now();
			const result = await runOperation(emulator, 'retryOtp', items, {
				options: { concurrency: 8, maxTries: 1 },
			});
			const codes = new Set(result.failed.map((item) => item.json.error.code));
			return { outcome: [...codes].join(','), ms: Date.now() - started, peakRssMiB: peakRssMiB() };
		}
		if (name === 'trickle') {
			emulator.setFaults({ queue: ['trickle'], trickleMs: 100 });
			const started = Date.now();
			const result = await runOperation(emulator, 'verifyNumber', [itemFor(NUMBERS.pending1)], {
				options: { timeout: 3_000, maxTries: 1 },
			});
			const item = result.failed[0] ?? result.success[0];
			return {
				outcome: item.json.error?.code ?? item.json.code,
				ms: Date.now() - started,
				peakRssMiB: peakRssMiB(),
			};
		}
		if (name === 'stop' || name === 'stopWait') {
			const inFlight = name === 'stop';
			emulator.setFaults(inFlight ? { latencyMs: 10_000 } : {});
			const items = Array.from({ length: 4 }, () => itemFor(NUMBERS.pending1));
			let stoppedAt = 0;
			let settled;
			await runOperation(emulator, 'retryOtp', items, {
				options: inFlight ? { concurrency: 2 } : { requestsPerSecond: 0.1 },
				onRunning: (running) => {
					// n8n-core settles `running` once the node's execute() has returned.
					settled = running.then(() => Date.now());
					const poll = setInterval(() => {
						const ready = inFlight
							? emulator.counters.inFlight === 2
							: emulator.requests.length === 1;
						if (!ready) return;
						clearInterval(poll);
						stoppedAt = Date.now();
						running.cancel();
					}, 5);
				},
			});
			const ms = (await settled) - stoppedAt;
			return { outcome: `${emulator.requests.length} sent`, ms, peakRssMiB: peakRssMiB() };
		}
		throw new Error(`unknown case ${name}`);
	} finally {
		await emulator.close();
	}
}
