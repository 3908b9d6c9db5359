// npm run bench [-- --quick] [-- --repeats 5] [-- --items 1000] [-- --growth-items 10000]
//                [-- --baseline http|fetch] [-- --peer-mode batches|lanes]
// Three contenders send the same requests to the Kaleyra emulator (its own process, 20 ms added
// latency) at the same concurrency: the node in n8n's engine, n8n's HTTP Request node (the
// peer, peer.mjs) in the same engine, and a bare HTTP loop. Each case is a fresh child process;
// the contenders take turns (node, peer, bare, node, peer, bare, ...), several repeats per case.
// report.mjs turns the runs into markdown; see README.md in this folder.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

import {
	bareArgs,
	control,
	log,
	measure,
	nodeArgs,
	peerArgs,
	prepare,
	probeNodeRequest,
	problems,
	removeUserFolder,
	runCase,
	startEmulator,
} from './harness.mjs';
import { ensureN8nInstalled } from './peer.mjs';
import { renderReport } from './report.mjs';
import { LATENCY_MS, parseFlags } from './shared.mjs';
import { loadNow, loadText } from './stats.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const flags = parseFlags(process.argv.slice(2));
const QUICK = flags.quick === true;
const settings = {
	quick: QUICK,
	items: Number(flags.items ?? (QUICK ? 300 : 1000)),
	repeats: Number(flags.repeats ?? (QUICK ? 2 : 5)),
	concurrencies: [1, 8, 32],
	// One extra run per contender with many more items, for memory growth (0: none).
	growthItems: Number(flags['growth-items'] ?? (QUICK ? 0 : 10000)),
	growthConcurrency: 32,
	pacing: { items: 500, concurrency: 8, rps: 50 },
	// node:http with one keep-alive agent: the cheapest plain client (Node 20's fetch spends
	// about three times its CPU per request, which would flatter the node); --baseline fetch.
	baseline: flags.baseline === 'fetch' ? 'fetch' : 'http-keepalive',
	peerMode: flags['peer-mode'] === 'lanes' ? 'lanes' : 'batches',
	latencyMs: LATENCY_MS,
};

async function main() {
	const started = new Date();
	const loadAtStart = loadNow();
	log(
		`kaleyra bench${QUICK ? ' (--quick)' : ''}: ${settings.items} items, concurrency ${settings.concurrencies.join(', ')}, ${settings.repeats} repeats, load ${loadText(loadAtStart)}`,
	);
	ensureN8nInstalled(log);

	const { probe, headers } = await probeNodeRequest({ peer: true });
	log(
		`node request: ${probe.method} ${probe.path}, headers ${Object.keys(probe.headers).join(', ')}; HTTP Request sends the same`,
	);
	const contenders = {
		node: (concurrency) => nodeArgs(concurrency),
		peer: (concurrency) => peerArgs(concurrency, settings.peerMode),
		bare: (concurrency) => bareArgs(concurrency, headers, settings.baseline),
	};

	const emulator = await startEmulator(Math.max(settings.items, settings.growthItems));
	const runs = [];
	const growth = [];
	let pacing;
	try {
		// Warm the emulator's process up (JIT, sockets) before anything is measured.
		await prepare(emulator.url);
		await runCase([...contenders.bare(8), '--url', emulator.url, '--items', '1000']);
		for (let repeat = 1; repeat <= settings.repeats; repeat++) {
			for (const concurrency of settings.concurrencies) {
				for (const [contender, args] of Object.entries(contenders)) {
					const label = `#${repeat} c${concurrency} ${contender}`;
					const result = await measure(emulator, label, args(concurrency), settings.items);
					runs.push({ repeat, concurrency, contender, result });
				}
			}
		}
		if (settings.growthItems > 0) {
			for (const [contender, args] of Object.entries(contenders)) {
				const { growthItems: items, growthConcurrency: concurrency } = settings;
				const label = `${items} items c${concurrency} ${contender}`;
				const result = await measure(emulator, label, args(concurrency), items);
				growth.push({ concurrency, contender, result });
			}
		}
		pacing = await measurePacing();
	} finally {
		await emulator.stop();
	}

	const machine = { started: started.toISOString(), loadAtStart, loadAtEnd: loadNow() };
	const report = renderReport({ settings, machine, runs, growth, pacing, probe, problems });
	process.stdout.write(report);
	const outDir = path.join(ROOT, '.tmp', 'bench');
	mkdirSync(outDir, { recursive: true });
	const stamp = QUICK ? 'quick' : 'full';
	writeFileSync(path.join(outDir, `${stamp}.md`), report);
	const redacted = {
		...probe,
		headers: { ...probe.headers, 'api-key': '(redacted)' },
		peer: undefined,
	};
	writeFileSync(
		path.join(outDir, `${stamp}.json`),
		JSON.stringify({ settings, machine, runs, growth, pacing, probe: redacted }, null, 2),
	);
	log(
		`\nwritten to .tmp/bench/${stamp}.md and .json; took ${((Date.now() - started) / 1000).toFixed(0)} s`,
	);
}

/** The node paced at `rps`: the rate the emulator saw, and its busiest one-second window. */
async function measurePacing() {
	const { items, concurrency, rps } = settings.pacing;
	log(`pacing: ${items} items, concurrency ${concurrency}, ${rps} requests/s`);
	const recorder = await startEmulator(items, { record: true });
	try {
		const node = await measure(
			recorder,
			`pacing ${rps}/s`,
			nodeArgs(concurrency, ['--rps', String(rps)]),
			items,
		);
		const arrivals = (await control(recorder.url, 'GET', 'requests'))
			.map((request) => request.receivedAt)
			.sort((a, b) => a - b);
		const spanMs = arrivals.at(-1) - arrivals[0];
		const achieved = ((arrivals.length - 1) * 1000) / spanMs;
		let busiestWindow = 0;
		for (let i = 0, j = 0; i < arrivals.length; i++) {
			while (arrivals[i] - arrivals[j] >= 1000) j++;
			busiestWindow = Math.max(busiestWindow, i - j + 1);
		}
		return { node, achieved, deviation: achieved / rps - 1, spanMs, busiestWindow };
	} finally {
		await recorder.stop();
	}
}

try {
	await main();
} catch (error) {
	problems.push(`bench failed: ${error.stack ?? error}`);
} finally {
	removeUserFolder();
}
if (problems.length > 0) {
	log(`\n${problems.length} problem(s):\n${problems.map((p) => `- ${p}`).join('\n')}`);
	process.exit(1);
}
