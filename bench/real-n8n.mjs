// node bench/real-n8n.mjs [--items 1000] [--concurrency 32] [--reps 2] [--compare DIR | --expressions]
// The node inside a real n8n (the pinned release under .e2e/, `npm run n8n:install`), run by
// `n8n execute`: Manual Trigger → Set (the numbers) → Split Out → Kaleyra, against the bench's
// emulator (own process, 20 ms latency). Reports the Kaleyra node's own executionTime from the
// run data, so n8n's start-up is not counted. With --compare DIR (a copy of the package holding
// package.json and dist/), that build is run too, alternately, for a before/after. With
// --expressions, Retry OTP with its parameters mapped by expression vs typed in.
// Slow (each execute starts n8n); an investigation aid, not part of npm run bench.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';

import { executeWorkflow } from '../scripts/n8n/cli.mjs';
import { EXAMPLE_CREDENTIAL, kaleyraCredential } from '../scripts/n8n/credentials.mjs';
import { openInstance } from '../scripts/n8n/instance.mjs';
import { buildAndPack } from '../scripts/n8n/package.mjs';
import { control, log, prepare, removeUserFolder, startEmulator } from './harness.mjs';
import { WABA_ID, benchNumber, parseFlags } from './shared.mjs';

const flags = parseFlags(process.argv.slice(2));
const ITEMS = Number(flags.items ?? 1000);
const CONCURRENCY = Number(flags.concurrency ?? 32);
const REPS = Number(flags.reps ?? 2);
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
const WORKFLOWS = flags.expressions
	? [
			['mapped', 'kaleyraBenchMapd01', RETRY_MAPPED],
			['literal', 'kaleyraBenchLitr01', RETRY_LITERAL],
		]
	: [['', 'kaleyraBenchRun001', MAPPED]];

const freePort = () =>
	new Promise((resolve) => {
		const server = net.createServer().listen(0, '127.0.0.1', () => {
			const { port } = server.address();
			server.close(() => resolve(port));
		});
	});

function workflow(id, kaleyraParameters) {
	const numbers = Array.from({ length: ITEMS }, (_, i) => {
		const { id, phoneNumber, otp } = benchNumber(i);
		return { wabaId: WABA_ID, phoneNumberId: id, phoneNumber, otp, channel: 'SMS' };
	});
	const node = (id, name, type, typeVersion, parameters, extra = {}) => ({
		id: `b1e4c0de-0000-4000-8000-00000000000${id}`,
		name,
		type,
		typeVersion,
		position: [id * 220, 0],
		parameters,
		...extra,
	});
	const link = (node) => ({ main: [[{ node, type: 'main', index: 0 }]] });
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
			node(
				4,
				'Kaleyra',
				'n8n-nodes-kaleyra-whatsapp.kaleyraWhatsAppNumber',
				1,
				{ ...kaleyraParameters, options: { concurrency: CONCURRENCY } },
				{ credentials: { kaleyraWhatsAppApi: EXAMPLE_CREDENTIAL } },
			),
		],
		connections: { Start: link('Numbers'), Numbers: link('Split'), Split: link('Kaleyra') },
		pinData: {},
	};
}

function pack(dir, dest) {
	const [packed] = JSON.parse(
		execFileSync('npm', ['pack', '--json', '--pack-destination', dest], {
			cwd: dir,
			encoding: 'utf8',
			stdio: ['ignore', 'pipe', 'inherit'],
		}),
	);
	return path.join(dest, packed.filename);
}

const median = (values) => {
	const sorted = [...values].sort((a, b) => a - b);
	const middle = Math.floor(sorted.length / 2);
	return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

async function main() {
	const packDir = mkdtempSync(path.join(os.tmpdir(), 'kaleyra-bench-pack-'));
	const emulator = await startEmulator(ITEMS);
	const instances = [];
	const results = {};
	try {
		const builds = [['after (working tree)', buildAndPack(path.join(packDir, 'after'))]];
		if (flags.compare) {
			mkdirSync(path.join(packDir, 'before'));
			builds.unshift(['before', pack(path.resolve(flags.compare), path.join(packDir, 'before'))]);
		}
		for (const [build, tarball] of builds) {
			const instance = await openInstance({
				tarball,
				port: await freePort(),
				brokerPort: await freePort(),
				credentials: () => [kaleyraCredential(emulator.url)],
				workflows: WORKFLOWS.map(([, id, parameters]) => workflow(id, parameters)),
			});
			instances.push([build, instance]);
		}
		const variants = instances.flatMap(([build, instance]) =>
			WORKFLOWS.map(([label, id]) => [[build, label].filter(Boolean).join(', '), instance, id]),
		);
		for (const [name] of variants) results[name] = [];
		for (let rep = 0; rep < REPS; rep++) {
			for (const [name, instance, id] of rep % 2 ? [...variants].reverse() : variants) {
				await prepare(emulator.url);
				const { execution } = await executeWorkflow(instance.n8n, id);
				const [run] = execution.data.resultData.runData.Kaleyra;
				const [success = [], failed = []] = run.data?.main ?? [];
				const counters = await control(emulator.url, 'GET', 'counters');
				const wa200 = counters.codes.WA200 ?? 0;
				if (
					success.length !== ITEMS ||
					failed.length !== 0 ||
					counters.requests !== ITEMS ||
					wa200 !== ITEMS
				)
					throw new Error(
						`${name}: ${success.length} success, ${failed.length} error, ${counters.requests} requests, ${wa200} WA200; expected ${ITEMS}, 0, ${ITEMS}, ${ITEMS}`,
					);
				const itemsPerSecond = (ITEMS * 1000) / run.executionTime;
				results[name].push(itemsPerSecond);
				log(
					`  ${name} #${rep + 1}: Kaleyra node ${run.executionTime} ms, ${itemsPerSecond.toFixed(1)} items/s`,
				);
			}
		}
	} finally {
		for (const [, instance] of instances) await instance.close();
		await emulator.stop();
		rmSync(packDir, { recursive: true, force: true });
	}
	const lines = [
		`### Real n8n (${instances[0]?.[1].n8n.target.n8n ?? ''}, \`n8n execute\`): ${ITEMS} items, concurrency ${CONCURRENCY}, median of ${REPS}`,
		'',
		'| variant | Kaleyra node items/s (runs) |',
		'| --- | ---: |',
		...Object.entries(results).map(
			([name, runs]) =>
				`| ${name} | ${median(runs).toFixed(1)} (${runs.map((r) => r.toFixed(1)).join(', ')}) |`,
		),
	];
	process.stdout.write(`${lines.join('\n')}\n`);
}

try {
	await main();
} finally {
	removeUserFolder();
}
