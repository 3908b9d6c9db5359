// node bench/real-n8n.mjs [--items 1000] [--concurrency 32] [--reps 3]
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
// `n8n execute` (start-up, run, saving) is shown beside it. Contenders take turns, --reps times.
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
const ITEMS = Number(flags.items ?? 1000);
const CONCURRENCY = Number(flags.concurrency ?? 32);
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
			['node, mapped', 'kaleyraBenchMapd01', RETRY_MAPPED],
			['node, literal', 'kaleyraBenchLitr01', RETRY_LITERAL],
		]
	: [['node', 'kaleyraBenchRun001', MAPPED]];
const PEER_WORKFLOW = 'kaleyraBenchPeer01';
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

/** Manual Trigger → Set (the numbers) → Split Out → `rest` (whose first node is fed). */
function workflow(id, rest, restConnections) {
	const numbers = Array.from({ length: ITEMS }, (_, i) => {
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

const kaleyraWorkflow = (id, parameters) =>
	workflow(id, [
		node(
			4,
			'Kaleyra',
			'n8n-nodes-kaleyra-whatsapp.kaleyraWhatsAppNumber',
			1,
			{ ...parameters, options: { concurrency: CONCURRENCY } },
			{ credentials: { kaleyraWhatsAppApi: EXAMPLE_CREDENTIAL } },
		),
	]);

// SplitInBatches v3 (Loop Over Items): output 0 is "done", output 1 "loop".
const peerWorkflow = (emulatorUrl) =>
	workflow(
		PEER_WORKFLOW,
		[
			node(4, 'Loop', 'n8n-nodes-base.splitInBatches', 3, {
				batchSize: CONCURRENCY,
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
	const emulator = await startEmulator(ITEMS);
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
				workflows: [
					...KALEYRA_WORKFLOWS.map(([, id, parameters]) => kaleyraWorkflow(id, parameters)),
					...(peer ? [peerWorkflow(emulator.url)] : []),
				],
			});
			instances.push([build, instance]);
		}
		// [name, run]: each run resets the emulator and returns { itemsPerSecond, wallMs }.
		const variants = instances.flatMap(([build, instance]) =>
			KALEYRA_WORKFLOWS.map(([label, id]) => [
				[label, build].filter(Boolean).join(', '),
				() => execute(instance, id, ['Kaleyra'], 0),
			]),
		);
		if (!flags.expressions) {
			const [, instance] = instances.at(-1);
			variants.push([
				`peer (Loop Over Items ${CONCURRENCY} → HTTP Request)`,
				() => execute(instance, PEER_WORKFLOW, ['Loop', 'HTTP Request'], 0),
			]);
			variants.push(['bare', null]);
		}
		for (const [name] of variants) results[name] = [];
		for (let rep = 1; rep <= REPS; rep++) {
			for (const [name, run] of variants) {
				if (!run) {
					const bare = await measure(
						emulator,
						`bare #${rep}`,
						bareArgs(CONCURRENCY, headers, 'http-keepalive'),
						ITEMS,
					);
					results[name].push({ itemsPerSecond: bare.itemsPerSecond, wallMs: NaN });
					continue;
				}
				await prepare(emulator.url);
				const { spanMs, wallMs, out } = await run();
				const counters = await control(emulator.url, 'GET', 'counters');
				const ok = out.filter((item) => item.json?.code === 'WA200').length;
				const wa200 = counters.codes.WA200 ?? 0;
				if (ok !== ITEMS || counters.requests !== ITEMS || wa200 !== ITEMS)
					problems.push(
						`${name} #${rep}: ${ok} WA200 items out, ${counters.requests} requests, ${wa200} WA200 answers; expected ${ITEMS} each`,
					);
				if (counters.maxInFlight > CONCURRENCY)
					problems.push(`${name} #${rep}: ${counters.maxInFlight} requests in flight at once`);
				const itemsPerSecond = (ITEMS * 1000) / spanMs;
				results[name].push({ itemsPerSecond, wallMs });
				log(
					`  ${name} #${rep}: ${spanMs} ms, ${itemsPerSecond.toFixed(1)} items/s, max in flight ${counters.maxInFlight}, n8n execute ${(wallMs / 1000).toFixed(1)} s`,
				);
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
	const names = Object.keys(results);
	const rates = (name) => results[name].map((r) => r.itemsPerSecond);
	const perRep = (a, b) => spread(summary(rates(a).map((rate, i) => rate / rates(b)[i])), 2);
	const lines = [
		`### Real n8n (n8n ${resolveTarget().n8n}, \`n8n execute\`): ${ITEMS} items, concurrency ${CONCURRENCY}, ${REPS} turns`,
		'',
		`${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC; ${cores()} cores (${cpuModel()}); load average ${loadText(loadAtStart)} at the start, ${loadText(loadAtEnd)} at the end.${Math.max(loadAtStart.one, loadAtEnd.one) > cores() ? ' **Warning: the machine was busy.**' : ''}`,
		'',
		'| contender | items/s (median, min–max) | whole `n8n execute` (s) |',
		'| --- | ---: | ---: |',
		...names.map(
			(name) =>
				`| ${name} | ${spread(summary(rates(name)))} | ${name === 'bare' ? '—' : spread(summary(results[name].map((r) => r.wallMs / 1000)))} |`,
		),
		'',
	];
	const peer = names.find((name) => name.startsWith('peer'));
	if (peer) {
		lines.push('Ratios within each turn (median, min–max):', '');
		lines.push(`| | node / peer | node / bare |`, '| --- | ---: | ---: |');
		for (const name of names.filter((n) => n.startsWith('node')))
			lines.push(`| ${name} | ${perRep(name, peer)} | ${perRep(name, 'bare')} |`);
		lines.push('');
	}
	if (problems.length > 0) lines.push('Problems:', '', ...problems.map((p) => `- ${p}`), '');
	process.stdout.write(`${lines.join('\n')}\n`);
}

try {
	await main();
} finally {
	removeUserFolder();
}
if (problems.length > 0) process.exitCode = 1;
