// npm run bench [-- --quick] [-- --baseline http|fetch]: the node in n8n's real engine against a
// bare HTTP loop (node:http with a keep-alive agent by default, or Node's fetch), both sending
// the same requests to the Kaleyra emulator (its own process, 20 ms added latency).
// Each case runs in a fresh child process, one at a time; see README.md in this folder.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

import {
	HOP_HEADERS,
	bareArgs,
	control,
	log,
	measure,
	nodeArgs,
	prepare,
	probeNodeRequest,
	problems,
	removeUserFolder,
	runCase,
	startEmulator,
} from './harness.mjs';
import { LATENCY_MS, parseFlags } from './shared.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const flags = parseFlags(process.argv.slice(2));
const QUICK = flags.quick === true;
const ITEM_COUNTS = QUICK ? [1000] : [1000, 10000];
const CONCURRENCIES = [1, 8, 32];
const PACING = { items: 500, concurrency: 8, rps: 50 };
const TARGETS = { ratio: 0.9, pacingDeviation: 0.05 };
// node:http with one keep-alive agent: the cheapest plain client (Node 20's fetch spends about
// three times its CPU per request, which would flatter the ratio); --baseline fetch to compare.
const BASELINE = flags.baseline === 'fetch' ? 'fetch' : 'http-keepalive';
const BASELINE_NAME = { fetch: '`fetch`', 'http-keepalive': '`node:http` (keep-alive agent)' }[
	BASELINE
];

const fmt = (value, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
const mark = (ok) => (ok ? 'yes' : '**no**');

const load = () =>
	os
		.loadavg()
		.map((value) => value.toFixed(2))
		.join(' ');
let loadAtStart = '';

async function main() {
	const started = Date.now();
	loadAtStart = load();
	log(
		`kaleyra bench${QUICK ? ' (--quick)' : ''}: items ${ITEM_COUNTS.join(', ')}, concurrency ${CONCURRENCIES.join(', ')}, latency ${LATENCY_MS} ms`,
	);

	const { probe, headers } = await probeNodeRequest();
	log(
		`node request: ${probe.method} ${probe.path}, headers ${Object.keys(probe.headers).join(', ')} (connection: ${probe.headers.connection})`,
	);

	const emulator = await startEmulator(Math.max(...ITEM_COUNTS));
	const rows = [];
	try {
		// Warm the emulator's process up (JIT, sockets) before anything is measured.
		await prepare(emulator.url);
		await runCase([...bareArgs(8, headers, BASELINE), '--url', emulator.url, '--items', '1000']);
		for (const items of ITEM_COUNTS) {
			for (const concurrency of CONCURRENCIES) {
				log(`${items} items, concurrency ${concurrency}`);
				const node = await measure(
					emulator,
					`node ${items}/c${concurrency}`,
					nodeArgs(concurrency),
					items,
				);
				const bare = await measure(
					emulator,
					`bare ${items}/c${concurrency}`,
					bareArgs(concurrency, headers, BASELINE),
					items,
				);
				rows.push({ items, concurrency, node, bare });
			}
		}
	} finally {
		await emulator.stop();
	}

	log(`pacing: ${PACING.items} items, concurrency ${PACING.concurrency}, ${PACING.rps} requests/s`);
	const recorder = await startEmulator(PACING.items, { record: true });
	let pacing;
	try {
		const node = await measure(
			recorder,
			`pacing ${PACING.rps}/s`,
			nodeArgs(PACING.concurrency, ['--rps', String(PACING.rps)]),
			PACING.items,
		);
		const arrivals = (await control(recorder.url, 'GET', 'requests'))
			.map((request) => request.receivedAt)
			.sort((a, b) => a - b);
		const spanMs = arrivals.at(-1) - arrivals[0];
		const achieved = ((arrivals.length - 1) * 1000) / spanMs;
		// Fastest 1-second window: a burst the average would hide.
		let peakWindow = 0;
		for (let i = 0, j = 0; i < arrivals.length; i++) {
			while (arrivals[i] - arrivals[j] >= 1000) j++;
			peakWindow = Math.max(peakWindow, i - j + 1);
		}
		pacing = { node, achieved, deviation: achieved / PACING.rps - 1, spanMs, peakWindow };
	} finally {
		await recorder.stop();
	}

	const report = renderReport(rows, pacing, probe);
	process.stdout.write(report);
	const outDir = path.join(ROOT, '.tmp', 'bench');
	mkdirSync(outDir, { recursive: true });
	const stamp = QUICK ? 'quick' : 'full';
	writeFileSync(path.join(outDir, `${stamp}.md`), report);
	writeFileSync(
		path.join(outDir, `${stamp}.json`),
		JSON.stringify(
			{ rows, pacing, probe: { ...probe, headers: { ...probe.headers, 'api-key': '(redacted)' } } },
			null,
			2,
		),
	);
	log(
		`\nwritten to .tmp/bench/${stamp}.md and .json; took ${((Date.now() - started) / 1000).toFixed(0)} s`,
	);
}

function renderReport(rows, pacing, probe) {
	const over = (result) => result.memory.peakRssMiB - result.memory.baselineRssMiB;
	const lines = [];
	lines.push(`### Throughput: the node in n8n's engine vs a bare ${BASELINE_NAME} loop`);
	lines.push('');
	lines.push(
		`Kaleyra emulator in its own process on 127.0.0.1, ${LATENCY_MS} ms added to every answer; Verify Number on distinct pending numbers (each answers 200 WA200), 4 parameters mapped by expression from each item. Node ${process.version}, ${process.platform}/${process.arch}, ${os.cpus().length} CPUs, load average ${loadAtStart} at the start and ${load()} at the end (other work on the machine slows the CPU-heavier node side most). Each case is a fresh child process; CPU/item is that process's user + system CPU during the run, per item.`,
	);
	lines.push('');
	lines.push(
		'| items | concurrency | node items/s | bare items/s | ratio | node CPU/item (ms) | bare CPU/item (ms) | ratio ≥ 0.9 |',
	);
	lines.push('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | :-: |');
	for (const { items, concurrency, node, bare } of rows) {
		const ratio = node.itemsPerSecond / bare.itemsPerSecond;
		lines.push(
			`| ${items} | ${concurrency} | ${fmt(node.itemsPerSecond)} | ${fmt(bare.itemsPerSecond)} | ${fmt(Math.floor(ratio * 1000) / 1000, 3)} | ${fmt(node.cpuMs / items, 2)} | ${fmt(bare.cpuMs / items, 2)} | ${mark(ratio >= TARGETS.ratio)} |`,
		);
	}
	lines.push('');
	lines.push(
		`Ideal at ${LATENCY_MS} ms: about ${fmt(1000 / LATENCY_MS, 0)} × concurrency items/s. Both sides send the same method, path, body and headers (${Object.keys(
			probe.headers,
		)
			.filter((name) => !HOP_HEADERS.has(name))
			.join(
				', ',
			)}); the bare loop keeps its connections alive, the node's requests carry \`connection: ${probe.headers.connection}\` (n8n's HTTP helper builds a new agent for every request).`,
	);
	lines.push('');
	lines.push('### Peak memory');
	lines.push('');
	lines.push(
		"Peak RSS is the case process's `process.resourceUsage().maxRSS`; \"over idle\" subtracts its RSS just before the measured run (n8n loaded, items built); peak heap is V8's used heap sampled every 50 ms; retained heap is what the run's result (output items and run data) still holds after a full GC, over a GC'd baseline.",
	);
	lines.push('');
	lines.push(
		'| items | concurrency | node peak RSS (MiB) | bare peak RSS (MiB) | node / bare | node over idle (MiB) | bare over idle (MiB) | node peak heap (MiB) | bare peak heap (MiB) | node retained heap (MiB) |',
	);
	lines.push('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
	for (const { items, concurrency, node, bare } of rows) {
		lines.push(
			`| ${items} | ${concurrency} | ${fmt(node.memory.peakRssMiB, 0)} | ${fmt(bare.memory.peakRssMiB, 0)} | ${fmt(node.memory.peakRssMiB / bare.memory.peakRssMiB, 2)} | ${fmt(over(node), 0)} | ${fmt(over(bare), 0)} | ${fmt(node.memory.peakHeapMiB, 0)} | ${fmt(bare.memory.peakHeapMiB, 0)} | ${fmt(node.memory.retainedHeapMiB, 1)} |`,
		);
	}

	const counts = [...new Set(rows.map((row) => row.items))].sort((a, b) => a - b);
	if (counts.length > 1) {
		const [small, large] = [counts[0], counts.at(-1)];
		lines.push('');
		lines.push(
			`Growth from ${small} to ${large} items (×${large / small}). "Marginal" is the extra per extra item, (large − small) / ${large - small}: it leaves out what any run costs (compiled code, caches), which dominates at ${small} items.`,
		);
		lines.push('');
		lines.push(
			'| concurrency | node RSS over idle (MiB) | growth | marginal RSS (KiB per item) | node retained heap (MiB) | growth | marginal retained (KiB per item) | bare RSS over idle, growth | at most linear |',
		);
		lines.push('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | :-: |');
		for (const concurrency of CONCURRENCIES) {
			const at = (items) =>
				rows.find((row) => row.items === items && row.concurrency === concurrency);
			const retained = (items) => at(items).node.memory.retainedHeapMiB;
			const [a, b] = [over(at(small).node), over(at(large).node)];
			const marginal = (x, y) => ((y - x) * 1024) / (large - small);
			const growth = b / a;
			lines.push(
				`| ${concurrency} | ${fmt(a, 0)} → ${fmt(b, 0)} | ×${fmt(growth)} | ${fmt(marginal(a, b))} | ${fmt(retained(small), 1)} → ${fmt(retained(large), 1)} | ×${fmt(retained(large) / retained(small))} | ${fmt(marginal(retained(small), retained(large)), 2)} | ×${fmt(over(at(large).bare) / over(at(small).bare))} | ${mark(growth <= large / small && retained(large) / retained(small) <= large / small)} |`,
			);
		}
	}

	lines.push('');
	lines.push(
		`### Pacing: requestsPerSecond ${PACING.rps}, concurrency ${PACING.concurrency}, ${PACING.items} items`,
	);
	lines.push('');
	lines.push(
		'| target (req/s) | achieved (req/s, at the emulator) | deviation | busiest 1 s window | node items/s (whole run) | within 5% |',
	);
	lines.push('| ---: | ---: | ---: | ---: | ---: | :-: |');
	lines.push(
		`| ${PACING.rps} | ${fmt(pacing.achieved, 2)} | ${fmt(pacing.deviation * 100, 2)}% | ${pacing.peakWindow} | ${fmt(pacing.node.itemsPerSecond, 2)} | ${mark(Math.abs(pacing.deviation) <= TARGETS.pacingDeviation)} |`,
	);
	lines.push('');
	lines.push(
		"Achieved rate = (requests − 1) / (last arrival − first arrival), from the emulator's own log. Busiest window: the most arrivals within any sliding second; a millisecond of jitter between the node's pacer and the emulator makes it 51 even at perfect spacing.",
	);
	lines.push('');
	if (problems.length > 0) {
		lines.push('### Problems');
		lines.push('');
		for (const problem of problems) lines.push(`- ${problem}`);
		lines.push('');
	}
	return `${lines.join('\n')}\n`;
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
