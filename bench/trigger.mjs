// npm run bench:trigger [-- --polls 3]
// The Number Trigger per poll at 10, 100 and 1,000 numbers in a WABA: requests, time and memory.
// The emulator runs in its own process with the bench's 20 ms of added latency; the trigger's
// poll() runs in n8n-core's PollContext (test/helpers/poll.mjs), its static data kept between
// polls as n8n keeps it. Each measured poll follows one change, so it reports one item.
import process from 'node:process';

import { control, log, removeUserFolder, startEmulator, userFolder } from './harness.mjs';
import { LATENCY_MS, WABA_ID, benchNumber, maxRssMiB, parseFlags } from './shared.mjs';
import { cpuModel, fmt, loadNow, loadText, median } from './stats.mjs';

process.env.N8N_USER_FOLDER = userFolder;
const { createPoller } = await import('../test/helpers/poll.mjs');
const { DEFAULT_ACCOUNT } = await import('../emulator/fixtures.mjs');

const flags = parseFlags(process.argv.slice(2));
const POLLS = Number(flags.polls ?? 3);
const SIZES = [10, 100, 1000];
const CONCURRENCIES = [1, 8];
const STATUSES = ['FLAGGED', 'CONNECTED'];

const heapMiB = () => {
	globalThis.gc?.();
	return process.memoryUsage().heapUsed / 1024 / 1024;
};

async function measurePoll(emulator, poller) {
	const before = await control(emulator.url, 'GET', 'counters');
	const heapBefore = heapMiB();
	const started = performance.now();
	const items = await poller.poll();
	const ms = performance.now() - started;
	const after = await control(emulator.url, 'GET', 'counters');
	return {
		ms,
		requests: after.requests - before.requests,
		heapGrowthMiB: heapMiB() - heapBefore,
		items: items?.length ?? 0,
	};
}

async function benchSize(size, concurrency) {
	const emulator = await startEmulator(size);
	try {
		await control(emulator.url, 'POST', 'faults', { latencyMs: LATENCY_MS });
		await control(emulator.url, 'POST', 'dialect', { detailsPath: 'both' });
		const poller = createPoller({
			parameters: { wabaId: WABA_ID, options: { concurrency } },
			credentials: {
				region: 'custom',
				baseUrl: emulator.url,
				sid: DEFAULT_ACCOUNT.sid,
				apiKey: DEFAULT_ACCOUNT.apiKey,
			},
		});
		const baseline = await measurePoll(emulator, poller);
		const polls = [];
		for (let poll = 0; poll < POLLS; poll++) {
			await control(emulator.url, 'POST', `numbers/${benchNumber(poll % size).id}`, {
				status: STATUSES[poll % STATUSES.length],
			});
			const measured = await measurePoll(emulator, poller);
			if (measured.items !== 1) throw new Error(`poll ${poll}: ${measured.items} items, not 1`);
			polls.push(measured);
		}
		return {
			size,
			concurrency,
			baselineMs: baseline.ms,
			requests: median(polls.map((p) => p.requests)),
			ms: median(polls.map((p) => p.ms)),
			heapGrowthMiB: median(polls.map((p) => p.heapGrowthMiB)),
			staticDataKiB: JSON.stringify(poller.staticData()).length / 1024,
			// The process's peak so far: the sizes run smallest first, so it is this size's peak.
			maxRssMiB: maxRssMiB(),
		};
	} finally {
		await emulator.stop();
	}
}

try {
	const load = loadNow();
	log(
		`trigger bench: ${POLLS} polls per case after the baseline, latency ${LATENCY_MS} ms, load ${loadText(load)}`,
	);
	const rows = [];
	for (const size of SIZES) {
		for (const concurrency of CONCURRENCIES) {
			const row = await benchSize(size, concurrency);
			log(`  ${size} numbers, concurrency ${concurrency}: ${fmt(row.ms, 0)} ms per poll`);
			rows.push(row);
		}
	}
	console.log(`Number Trigger, per poll (median of ${POLLS} polls, each after one change; ${cpuModel()}, Node ${process.version}, emulator latency ${LATENCY_MS} ms)

| numbers | concurrency | requests per poll | time per poll | first poll (baseline) | heap kept per poll | static data | peak RSS |
|---:|---:|---:|---:|---:|---:|---:|---:|
${rows
	.map(
		(r) =>
			`| ${r.size} | ${r.concurrency} | ${r.requests} | ${fmt(r.ms / 1000, 2)} s | ${fmt(r.baselineMs / 1000, 2)} s | ${fmt(r.heapGrowthMiB, 1)} MiB | ${fmt(r.staticDataKiB, 0)} KiB | ${fmt(r.maxRssMiB, 0)} MiB |`,
	)
	.join('\n')}`);
} finally {
	removeUserFolder();
}
