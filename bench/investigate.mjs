// node bench/investigate.mjs [--items N]: where the node's throughput goes, at 1,000 items.
//  1. the bare loop with three transports: fetch (keep-alive), node:http with one keep-alive
//     agent, and node:http with a new agent per request (what n8n's helper does: connection: close);
//  2. the node itself at the same concurrencies;
//  3. a CPU profile of the node's measured run at concurrency 32, by package and by function.
// With --compare DIR (a copy of the package: package.json, dist/, test/helpers/, emulator/),
// it instead runs that build and the current one alternately, --reps times per concurrency, and
// prints the median and min–max of each and of the after/before ratio within each pair: a
// before/after of a change to the node (--against DIR2: the "after" side is a copy too).
// With --root DIR, the node measured and profiled is that copy of the package instead (the same
// layout as for --compare): a profile while dist/ is in use or being rebuilt.
// With --expressions, it compares Retry OTP with its parameters mapped by expression and typed
// in (one pending number, resent to again and again): the cost of n8n's expression resolution.
// Prints markdown; results and profiles land in .tmp/bench/.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

import {
	bareArgs,
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
import { loadNow, loadText, median, spread, summary } from './stats.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(ROOT, '.tmp', 'bench');
const flags = parseFlags(process.argv.slice(2));
const ITEMS = Number(flags.items ?? 1000);
const CONCURRENCIES = String(flags.concurrency ?? '1,8,32')
	.split(',')
	.map(Number);
const PROFILE_AT = Number(flags['profile-at'] ?? 32);
const SKIP = new Set(String(flags.skip ?? '').split(','));
const TRANSPORTS = ['fetch', 'http-keepalive', 'http-close'];
const ROOT_ARGS = flags.root ? ['--root', path.resolve(flags.root)] : [];

const fmt = (value, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');

/** Self time per package and inclusive time per function, from a V8 CPU profile. */
export function analyseProfile(profile) {
	const byId = new Map(profile.nodes.map((node) => [node.id, { ...node, self: 0 }]));
	profile.samples.forEach((id, i) => {
		byId.get(id).self += (profile.timeDeltas[i] ?? 0) / 1000;
	});
	const total = [...byId.values()].reduce((sum, node) => sum + node.self, 0);
	const packageOf = ({ url, functionName }) => {
		if (!url) return functionName.startsWith('(') ? functionName : '(native)';
		if (url.startsWith('node:')) return 'node internals';
		if (/\/dist\/(nodes|credentials)\//.test(url)) return 'this package (dist)';
		if (url.includes('/test/')) return 'test harness (test/helpers)';
		const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(
			url.split('node_modules/').length > 2 ? url.slice(url.lastIndexOf('node_modules/')) : url,
		);
		return match ? match[1] : url;
	};
	const self = new Map();
	const inclusive = new Map();
	// This package's own functions by self time: where its share goes.
	const own = new Map();
	const root = byId.get(profile.nodes[0].id);
	// Depth-first, adding each node's self time once to every distinct function on its path.
	const stack = [[root, new Set()]];
	while (stack.length > 0) {
		const [node, onPath] = stack.pop();
		const pkg = packageOf(node.callFrame);
		self.set(pkg, (self.get(pkg) ?? 0) + node.self);
		if (pkg === 'this package (dist)') {
			const { functionName, url } = node.callFrame;
			const where = `${functionName || '(anonymous)'} (${url.slice(url.lastIndexOf('/dist/') + 6)})`;
			own.set(where, (own.get(where) ?? 0) + node.self);
		}
		const label = `${node.callFrame.functionName || '(anonymous)'} [${pkg}]`;
		const path = new Set(onPath).add(label);
		for (const name of path) inclusive.set(name, (inclusive.get(name) ?? 0) + node.self);
		for (const child of node.children ?? []) stack.push([byId.get(child), path]);
	}
	const sorted = (map) => [...map].sort((a, b) => b[1] - a[1]);
	return { total, self: sorted(self), inclusive: sorted(inclusive), own: sorted(own) };
}

/** Runs each variant `--reps` times per concurrency, alternating; median (min–max) of each. */
async function compare(title, variants, file) {
	const reps = Number(flags.reps ?? 3);
	const loadAtStart = loadNow();
	const [first, second] = variants.map(([name]) => name);
	const emulator = await startEmulator(ITEMS);
	const rows = [];
	try {
		await prepare(emulator.url);
		await runCase([...nodeArgs(8), '--url', emulator.url, '--items', '500']);
		for (const concurrency of CONCURRENCIES) {
			const runs = { [first]: [], [second]: [] };
			for (let rep = 0; rep < reps; rep++) {
				for (const [name, extra] of rep % 2 ? [...variants].reverse() : variants) {
					const result = await measure(
						emulator,
						`${name} c${concurrency} #${rep + 1}`,
						[...nodeArgs(concurrency), ...extra],
						ITEMS,
					);
					runs[name].push(result);
				}
			}
			rows.push({ concurrency, runs });
		}
	} finally {
		await emulator.stop();
	}
	const lines = [
		`### ${title}: ${ITEMS} items, ${reps} alternating runs each (median, min–max), load average ${loadText(loadAtStart)} at the start, ${loadText(loadNow())} at the end`,
		'',
	];
	lines.push(
		`| concurrency | ${first} items/s | ${second} items/s | ${second} / ${first} items/s | ${first} CPU/item (ms) | ${second} CPU/item (ms) | ${second} / ${first} CPU/item | ${first} peak RSS (MiB) | ${second} peak RSS (MiB) |`,
	);
	lines.push('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
	for (const { concurrency, runs } of rows) {
		const cell = (name, pick, digits) => spread(summary(runs[name].map(pick)), digits);
		// Within each alternating pair, then summarised.
		const ratio = (pick) =>
			spread(summary(runs[second].map((r, i) => pick(r) / pick(runs[first][i]))), 2);
		const rate = (r) => r.itemsPerSecond;
		const cpu = (r) => r.cpuMs / ITEMS;
		const rss = (r) => r.memory.peakRssMiB;
		lines.push(
			`| ${concurrency} | ${cell(first, rate)} | ${cell(second, rate)} | ${ratio(rate)} | ${cell(first, cpu, 2)} | ${cell(second, cpu, 2)} | ${ratio(cpu)} | ${fmt(median(runs[first].map(rss)), 0)} | ${fmt(median(runs[second].map(rss)), 0)} |`,
		);
	}
	const report = `${lines.join('\n')}\n`;
	process.stdout.write(report);
	writeFileSync(path.join(OUT, `${file}.md`), report);
	writeFileSync(path.join(OUT, `${file}.json`), JSON.stringify(rows, null, 2));
}

async function main() {
	mkdirSync(OUT, { recursive: true });
	if (flags.compare)
		return await compare(
			'Before/after',
			[
				['before', ['--root', path.resolve(flags.compare)]],
				// --against DIR: the other side is a copy too, so a rebuild of dist/ mid-run cannot
				// change what is measured.
				['after', flags.against ? ['--root', path.resolve(flags.against)] : []],
			],
			'compare',
		);
	if (flags.expressions)
		return await compare(
			'Retry OTP, parameters mapped by expression vs typed in',
			[
				['mapped', ['--operation', 'retryOtp']],
				['literal', ['--operation', 'retryOtp', '--literal']],
			],
			'expressions',
		);
	const lines = [];
	lines.push(
		`### Investigation: ${ITEMS} items, ${LATENCY_MS} ms latency, load average at start ${os
			.loadavg()
			.map((l) => l.toFixed(2))
			.join(' ')}`,
	);
	lines.push('');
	const { probe, headers } = await probeNodeRequest();
	const emulator = await startEmulator(ITEMS);
	const results = [];
	try {
		await prepare(emulator.url);
		await runCase([...bareArgs(8, headers), '--url', emulator.url, '--items', '1000']);
		for (const concurrency of CONCURRENCIES) {
			for (const transport of TRANSPORTS) {
				if (SKIP.has(transport)) continue;
				const result = await measure(
					emulator,
					`bare ${transport} c${concurrency}`,
					bareArgs(concurrency, headers, transport),
					ITEMS,
				);
				results.push({ variant: `bare, ${transport}`, concurrency, result });
			}
			if (!SKIP.has('node')) {
				const result = await measure(
					emulator,
					`node c${concurrency}`,
					nodeArgs(concurrency, ROOT_ARGS),
					ITEMS,
				);
				results.push({ variant: 'node (n8n engine)', concurrency, result });
			}
		}
		lines.push(
			'| variant | concurrency | items/s | client CPU per item (ms) | emulator CPU per item (ms) | peak RSS (MiB) |',
		);
		lines.push('| --- | ---: | ---: | ---: | ---: | ---: |');
		for (const { variant, concurrency, result } of results) {
			lines.push(
				`| ${variant} | ${concurrency} | ${fmt(result.itemsPerSecond)} | ${fmt(result.cpuMs / ITEMS, 2)} | ${fmt(result.emulatorCpuMs / ITEMS, 2)} | ${fmt(result.memory.peakRssMiB, 0)} |`,
			);
		}
		lines.push('');

		if (!SKIP.has('profile')) {
			const file = path.join(OUT, `node-c${PROFILE_AT}.cpuprofile`);
			const profiled = await measure(
				emulator,
				`node c${PROFILE_AT}, profiled`,
				nodeArgs(PROFILE_AT, [...ROOT_ARGS, '--profile', file]),
				ITEMS,
			);
			const { total, self, inclusive, own } = analyseProfile(
				JSON.parse(readFileSync(file, 'utf8')),
			);
			const busy = total - (self.find(([name]) => name === '(idle)')?.[1] ?? 0);
			lines.push(
				`CPU profile of the node at concurrency ${PROFILE_AT} (${fmt(profiled.itemsPerSecond)} items/s under the profiler), ${fmt(busy / ITEMS, 2)} ms busy per item. Self time by package:`,
			);
			lines.push('');
			lines.push('| package | ms per item | share of busy |');
			lines.push('| --- | ---: | ---: |');
			for (const [name, ms] of self.filter(([name]) => name !== '(idle)').slice(0, 14)) {
				lines.push(`| ${name} | ${fmt(ms / ITEMS, 3)} | ${fmt((ms / busy) * 100)}% |`);
			}
			lines.push('');
			lines.push("This package's own functions by self time:");
			lines.push('');
			lines.push('| function (file) | ms per item | share of busy |');
			lines.push('| --- | ---: | ---: |');
			for (const [name, ms] of own.slice(0, 12)) {
				lines.push(`| \`${name}\` | ${fmt(ms / ITEMS, 4)} | ${fmt((ms / busy) * 100, 2)}% |`);
			}
			lines.push('');
			lines.push('Inclusive time of the functions that matter (ms per item):');
			lines.push('');
			lines.push('| function | ms per item | share of busy |');
			lines.push('| --- | ---: | ---: |');
			const WANTED =
				/^(runItem|prepareVerifyNumber|readItemSettings|readRunSettings|getNodeParameter|sendKaleyraCall|httpRequestWithAuthentication|getCredentials|getDecrypted|authenticate|preAuthentication|httpRequest|convertN8nRequestToAxios|buildNodeAgents|setAxiosAgents|validateUrlSsrf|wrap|Axios|request|dispatchHttpRequest|httpAdapter|createConnection|connect|processRunExecutionData|runNode|execute|mapWithConcurrency|getSimpleParameterValue|getParameterValue|resolveSimpleParameterValue|renderExpression|getInputData|structuredClone|_getDecryptedCredentials|(garbage collector)|\(program\))\s/;
			for (const [name, ms] of inclusive.filter(([name]) => WANTED.test(name)).slice(0, 30)) {
				lines.push(`| \`${name}\` | ${fmt(ms / ITEMS, 3)} | ${fmt((ms / busy) * 100)}% |`);
			}
			lines.push('');
			writeFileSync(
				path.join(OUT, 'inclusive.txt'),
				inclusive.map(([n, ms]) => `${(ms / ITEMS).toFixed(3)}\t${n}`).join('\n'),
			);
		}
	} finally {
		await emulator.stop();
	}
	lines.push(
		`node request headers: ${Object.entries(probe.headers)
			.filter(([n]) => n !== 'api-key')
			.map(([n, v]) => `${n}: ${v}`)
			.join('; ')}`,
	);
	const report = `${lines.join('\n')}\n`;
	process.stdout.write(report);
	writeFileSync(path.join(OUT, 'investigate.md'), report);
	writeFileSync(path.join(OUT, 'investigate.json'), JSON.stringify(results, null, 2));
}

try {
	await main();
} catch (error) {
	problems.push(`investigation failed: ${error.stack ?? error}`);
} finally {
	removeUserFolder();
}
if (problems.length > 0) {
	log(`\n${problems.length} problem(s):\n${problems.map((p) => `- ${p}`).join('\n')}`);
	process.exit(1);
}
