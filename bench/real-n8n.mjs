// node bench/real-n8n.mjs [--concurrency 1,8,32] [--items 300,1000,1000] [--reps 3]
//                         [--against DIR] [--compare DIR | --expressions]
// The three contenders inside a real n8n (the pinned release, `npm run n8n:install`), each run by
// `n8n execute` against the bench's emulator (own process, 20 ms latency), so the figures include
// what the engine harness leaves out: credentials read from n8n's database and decrypted, the
// execution saved, the task runner and n8n's own settings.
//   node: Manual Trigger → Set (the numbers) → Split Out → Kaleyra (Concurrency N)
//   peer: Manual Trigger → Set → Split Out → Loop Over Items (batch size N) → HTTP Request
//         (Header Auth credential `api-key`) → back to the loop: N requests in flight per batch
//   bare: the bench's bare node:http loop (no n8n), the same requests, N in flight
// Time: from the first start to the last end of the contender's own nodes (Kaleyra; Loop Over
// Items and HTTP Request), from the run data, so n8n's start-up is not counted; the whole
// `n8n execute` (start-up, run, saving) is shown beside it. At each concurrency the contenders
// take turns, and the whole sequence is repeated --reps times. --items is one count, or one per
// concurrency (concurrency 1 at 20 ms latency is slow: fewer items keep the run short).
// --against DIR: pack that copy of the package (package.json, dist/) instead of building this
// one. --compare DIR: a second Kaleyra build too, for a before/after. --expressions: Retry OTP
// with its parameters mapped by expression vs typed in (node only).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';

import { DEFAULT_ACCOUNT } from '../emulator/fixtures.mjs';
import { executeWorkflow } from '../scripts/n8n/cli.mjs';
import { EXAMPLE_CREDENTIAL, kaleyraCredential } from '../scripts/n8n/credentials.mjs';
import { openInstance } from '../scripts/n8n/instance.mjs';
import { freePort } from '../scripts/n8n/ports.mjs';
import { buildAndPack } from '../scripts/n8n/package.mjs';
import { resolveTarget } from '../scripts/n8n/targets.mjs';
import {
	bareArgs,
	control,
	log,
	measure,
	prepare,
	probeNodeRequest,
	problems,
	removeUserFolder,
	startEmulator,
} from './harness.mjs';
import { PEER_TYPE, PEER_VERSION, ensureN8nInstalled, peerParameters } from './peer.mjs';
import { WABA_ID, benchNumber, parseFlags } from './shared.mjs';
import { cores, cpuModel, fmt, loadNow, loadText, spread, summary } from './stats.mjs';

const flags = parseFlags(process.argv.slice(2));
const list = (value) => String(value).split(',').map(Number);
const CONCURRENCIES = list(flags.concurrency ?? '1,8,32');
const ITEM_COUNTS = list(flags.items ?? '300,1000,1000');
/** The items of a run at the i-th concurrency: one count for all, or one each. */
const itemsAt = (i) => ITEM_COUNTS[ITEM_COUNTS.length === 1 ? 0 : i];
if (ITEM_COUNTS.length !== 1 && ITEM_COUNTS.length !== CONCURRENCIES.length)
	throw new Error('--items takes one count, or one per --concurrency');
const MAX_ITEMS = Math.max(...CONCURRENCIES.map((_, i) => itemsAt(i)));
const REPS = Number(flags.reps ?? 3);
const MAPPED = {
	operation: 'verifyNumber',
	wabaId: '={{ $json.wabaId }}',
	phoneNumberId: '={{ $json.phoneNumberId }}',
	phoneNumber: '={{ $json.phoneNumber }}',
	otp: '={{ $json.otp }}',
};
// --expressions: Retry OTP on one pending number (WA200 to every resend), its parameters mapped
// by expression or typed in; the difference is n8n's per-item expression resolution.
const RETRY_MAPPED = {
	...MAPPED,
	operation: 'retryOtp',
	otp: undefined,
	typeVerification: '={{ $json.channel }}',
};
const RETRY_LITERAL = {
	operation: 'retryOtp',
	wabaId: WABA_ID,
	phoneNumberId: benchNumber(0).id,
	phoneNumber: benchNumber(0).phoneNumber,
	typeVerification: 'SMS',
};
const KALEYRA_WORKFLOWS = flags.expressions
	? [
			['node, mapped', 'kaleyraBenchMapd', RETRY_MAPPED],
			['node, literal', 'kaleyraBenchLitr', RETRY_LITERAL],
		]
	: [['node', 'kaleyraBenchRun0', MAPPED]];
// One workflow per concurrency: the node's Concurrency and the loop's batch size are parameters.
const workflowId = (base, concurrency) => `${base}${String(concurrency).padStart(3, '0')}`;
const PEER_WORKFLOW = 'kaleyraBenchPeer';
const HEADER_CREDENTIAL = { id: 'kaleyraBenchHdr1', name: 'Kaleyra api-key (Header Auth)' };

const node = (id, name, type, typeVersion, parameters, extra = {}) => ({
	id: `b1e4c0de-0000-4000-8000-0000000000${String(id).padStart(2, '0')}`,
	name,
	type,
	typeVersion,
	position: [id * 220, 0],
	parameters,
	...extra,
});
const link = (to, output = 0) => ({
	main: Array.from({ length: output + 1 }, (_, i) =>
		i === output ? [{ node: to, type: 'main', index: 0 }] : [],
	),
});

/** Manual Trigger → Set (`items` numbers) → Split Out → `rest` (whose first node is fed). */
function workflow(id, items, rest, restConnections) {
	const numbers = Array.from({ length: items }, (_, i) => {
		const { id, phoneNumber, otp } = benchNumber(i);
		return { wabaId: WABA_ID, phoneNumberId: id, phoneNumber, otp, channel: 'SMS' };
	});
	return {
		id,
		name: `Kaleyra bench ${id}`,
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			node(1, 'Start', 'n8n-nodes-base.manualTrigger', 1, {}),
			node(2, 'Numbers', 'n8n-nodes-base.set', 3.4, {
				mode: 'raw',
				jsonOutput: JSON.stringify({ numbers }),
			}),
			node(3, 'Split', 'n8n-nodes-base.splitOut', 1, { fieldToSplitOut: 'numbers', options: {} }),
			...rest,
		],
		connections: {
			Start: link('Numbers'),
			Numbers: link('Split'),
			Split: link(rest[0].name),
			...restConnections,
		},
		pinData: {},
	};
}

const kaleyraWorkflow = (id, parameters, concurrency, items) =>
	workflow(id, items, [
		node(
			4,
			'Kaleyra',
			'n8n-nodes-kaleyra-whatsapp.kaleyraWhatsAppNumber',
			1,
			{ ...parameters, options: { concurrency } },
			{ credentials: { kaleyraWhatsAppApi: EXAMPLE_CREDENTIAL } },
		),
	]);

// SplitInBatches v3 (Loop Over Items): output 0 is "done", output 1 "loop".
const peerWorkflow = (emulatorUrl, concurrency, items) =>
	workflow(
		workflowId(PEER_WORKFLOW, concurrency),
		items,
		[
			node(4, 'Loop', 'n8n-nodes-base.splitInBatches', 3, {
				batchSize: concurrency,
				options: {},
			}),
			node(5, 'HTTP Request', PEER_TYPE, PEER_VERSION, peerParameters(emulatorUrl), {
				credentials: { httpHeaderAuth: HEADER_CREDENTIAL },
			}),
		],
		{ Loop: link('HTTP Request', 1), 'HTTP Request': link('Loop') },
	);

function pack(dir, dest) {
	mkdirSync(dest, { recursive: true });
	const [packed] = JSON.parse(
		execFileSync('npm', ['pack', '--json', '--pack-destination', dest], {
			cwd: dir,
			encoding: 'utf8',
			stdio: ['ignore', 'pipe', 'inherit'],
		}),
	);
	return path.join(dest, packed.filename);
}

/** One `n8n execute`: the span of `nodeNames`' runs, their output items, the whole wall time. */
async function execute(instance, id, nodeNames, outputIndex) {
	const started = Date.now();
	const { execution } = await executeWorkflow(instance.n8n, id);
	const wallMs = Date.now() - started;
	const { runData, error } = execution.data.resultData;
	if (error) throw new Error(`${id}: ${error.message}`);
	const tasks = nodeNames.flatMap((name) => runData[name] ?? []);
	const first = Math.min(...tasks.map((task) => task.startTime));
	const last = Math.max(...tasks.map((task) => task.startTime + task.executionTime));
	const out = (runData[nodeNames.at(-1)] ?? []).flatMap(
		(task) => task.data?.main?.[outputIndex] ?? [],
	);
	return { spanMs: last - first, wallMs, out };
}

async function main() {
	ensureN8nInstalled(log);
	const loadAtStart = loadNow();
	const packDir = mkdtempSync(path.join(os.tmpdir(), 'kaleyra-bench-pack-'));
	const emulator = await startEmulator(MAX_ITEMS);
	const { headers } = await probeNodeRequest({ peer: true });
	const instances = [];
	const results = {};
	try {
		const after = flags.against
			? pack(path.resolve(flags.against), path.join(packDir, 'after'))
			: buildAndPack(path.join(packDir, 'after'));
		const builds = [['', after]];
		if (flags.compare)
			builds.unshift(['before', pack(path.resolve(flags.compare), path.join(packDir, 'before'))]);
		for (const [build, tarball] of builds) {
			const peer = build === '' && !flags.expressions;
			const instance = await openInstance({
				tarball,
				port: await freePort(),
				brokerPort: await freePort(),
				credentials: () => [
					kaleyraCredential(emulator.url),
					{
						...HEADER_CREDENTIAL,
						type: 'httpHeaderAuth',
						data: { name: 'api-key', value: DEFAULT_ACCOUNT.apiKey },
					},
				],
				workflows: CONCURRENCIES.flatMap((concurrency, i) => [
					...KALEYRA_WORKFLOWS.map(([, id, parameters]) =>
						kaleyraWorkflow(workflowId(id, concurrency), parameters, concurrency, itemsAt(i)),
					),
					...(peer ? [peerWorkflow(emulator.url, concurrency, itemsAt(i))] : []),
				]),
			});
			instances.push([build, instance]);
		}
		// [name, run(concurrency)]: each run returns { spanMs, wallMs, out }; null is the bare loop.
		const variants = instances.flatMap(([build, instance]) =>
			KALEYRA_WORKFLOWS.map(([label, id]) => [
				[label, build].filter(Boolean).join(', '),
				(concurrency) => execute(instance, workflowId(id, concurrency), ['Kaleyra'], 0),
			]),
		);
		if (!flags.expressions) {
			const [, instance] = instances.at(-1);
			variants.push([
				'peer',
				(concurrency) =>
					execute(instance, workflowId(PEER_WORKFLOW, concurrency), ['Loop', 'HTTP Request'], 0),
			]);
			variants.push(['bare', null]);
		}
		for (const concurrency of CONCURRENCIES) {
			results[concurrency] = {};
			for (const [name] of variants) results[concurrency][name] = [];
		}
		for (let rep = 1; rep <= REPS; rep++) {
			for (const [i, concurrency] of CONCURRENCIES.entries()) {
				const items = itemsAt(i);
				for (const [name, run] of variants) {
					const label = `${name} c${concurrency} #${rep}`;
					const load = loadNow().one;
					if (!run) {
						const bare = await measure(
							emulator,
							label,
							bareArgs(concurrency, headers, 'http-keepalive'),
							items,
						);
						results[concurrency][name].push({
							itemsPerSecond: bare.itemsPerSecond,
							wallMs: NaN,
							load,
						});
						continue;
					}
					await prepare(emulator.url);
					const { spanMs, wallMs, out } = await run(concurrency);
					const counters = await control(emulator.url, 'GET', 'counters');
					const ok = out.filter((item) => item.json?.code === 'WA200').length;
					const wa200 = counters.codes.WA200 ?? 0;
					if (ok !== items || counters.requests !== items || wa200 !== items)
						problems.push(
							`${label}: ${ok} WA200 items out, ${counters.requests} requests, ${wa200} WA200 answers; expected ${items} each`,
						);
					if (counters.maxInFlight > concurrency)
						problems.push(`${label}: ${counters.maxInFlight} requests in flight at once`);
					const itemsPerSecond = (items * 1000) / spanMs;
					results[concurrency][name].push({ itemsPerSecond, wallMs, load });
					log(
						`  ${label}: ${spanMs} ms, ${itemsPerSecond.toFixed(1)} items/s, max in flight ${counters.maxInFlight}, n8n execute ${(wallMs / 1000).toFixed(1)} s, load ${load.toFixed(2)}`,
					);
				}
			}
		}
	} finally {
		for (const [, instance] of instances) await instance.close();
		await emulator.stop();
		rmSync(packDir, { recursive: true, force: true });
	}
	report(loadAtStart, results);
}

function report(loadAtStart, results) {
	const loadAtEnd = loadNow();
	const names = Object.keys(results[CONCURRENCIES[0]]);
	const peer = names.includes('peer') ? 'peer' : undefined;
	const nodes = names.filter((name) => name.startsWith('node'));
	const loads = Object.values(results).flatMap((byName) =>
		Object.values(byName).flatMap((runs) => runs.map((r) => r.load)),
	);
	const lines = [
		`### Real n8n (n8n ${resolveTarget().n8n}, \`n8n execute\`): concurrency ${CONCURRENCIES.join(', ')}, ${REPS} turns`,
		'',
		`${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC; ${cores()} cores (${cpuModel()}); load average ${loadText(loadAtStart)} at the start, ${loadText(loadAtEnd)} at the end, 1-minute load before a run ${fmt(Math.min(...loads), 2)} to ${fmt(Math.max(...loads), 2)}.${Math.max(...loads, loadAtEnd.one) > cores() ? ' **Warning: the machine was busy.**' : ''}`,
		'',
		"Items/s from the first start to the last end of the contender's own nodes (median, min–max); ratios taken within each turn, then summarised; the whole `n8n execute` in seconds.",
		'',
		`| concurrency | items | ${names.map((name) => `${name} items/s`).join(' | ')} | ${nodes.flatMap((name) => [...(peer ? [`${name} / peer`] : []), ...(names.includes('bare') ? [`${name} / bare`] : [])]).join(' | ')} | ${names
			.filter((n) => n !== 'bare')
			.map((name) => `${name} \`n8n execute\` (s)`)
			.join(' | ')} |`,
		`| ---: | ---: | ${[...names, ...nodes.flatMap(() => [...(peer ? [0] : []), ...(names.includes('bare') ? [0] : [])]), ...names.filter((n) => n !== 'bare')].map(() => '---:').join(' | ')} |`,
	];
	for (const [i, concurrency] of CONCURRENCIES.entries()) {
		const byName = results[concurrency];
		const rates = (name) => byName[name].map((r) => r.itemsPerSecond);
		const perRep = (a, b) => spread(summary(rates(a).map((rate, r) => rate / rates(b)[r])), 2);
		const cells = [
			...names.map((name) => spread(summary(rates(name)))),
			...nodes.flatMap((name) => [
				...(peer ? [perRep(name, peer)] : []),
				...(names.includes('bare') ? [perRep(name, 'bare')] : []),
			]),
			...names
				.filter((n) => n !== 'bare')
				.map((name) => spread(summary(byName[name].map((r) => r.wallMs / 1000)))),
		];
		lines.push(`| ${concurrency} | ${itemsAt(i)} | ${cells.join(' | ')} |`);
	}
	lines.push('');
	if (problems.length > 0) lines.push('Problems:', '', ...problems.map((p) => `- ${p}`), '');
	process.stdout.write(`${lines.join('\n')}\n`);
}

try {
	await main();
} finally {
	removeUserFolder();
}
if (problems.length > 0) process.exitCode = 1;
