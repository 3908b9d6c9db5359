// The benchmark's plumbing: the emulator child, one child process per case, and the checks
// that every item and every request is accounted for. Used by run.mjs, investigate.mjs and
// real-n8n.mjs.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

import { DEFAULT_ACCOUNT } from '../emulator/fixtures.mjs';
import { LATENCY_MS, benchNumber } from './shared.mjs';
import { loadNow } from './stats.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));

// The bench's own N8N_USER_FOLDER, removed at the end (engine.mjs would make one per child).
export const userFolder = mkdtempSync(path.join(tmpdir(), 'kaleyra-bench-'));
export const childEnv = { ...process.env, N8N_USER_FOLDER: userFolder };
export const problems = [];
export const log = (line) => process.stderr.write(`${line}\n`);

export function startEmulator(numbers, { record = false } = {}) {
	const args = [path.join(HERE, 'emulator-child.mjs'), '--numbers', String(numbers)];
	if (record) args.push('--record');
	// stdin stays open as a lifeline: the child exits when this process does.
	const child = spawn(process.execPath, args, {
		env: childEnv,
		stdio: ['pipe', 'pipe', 'inherit'],
	});
	return new Promise((resolve, reject) => {
		let out = '';
		child.stdout.on('data', (chunk) => {
			out += chunk;
			const match = /KALEYRA_EMULATOR_URL=(\S+)/.exec(out);
			if (match) resolve({ url: match[1], child, stop: () => stopChild(child) });
		});
		child.once('exit', (code) => reject(new Error(`emulator exited early (${code})`)));
	});
}

function stopChild(child) {
	if (child.exitCode !== null) return Promise.resolve();
	return new Promise((resolve) => {
		child.once('exit', resolve);
		child.kill('SIGTERM');
	});
}

/** CPU time (user + system) a child has used so far, in ms; null off Linux. */
export function processCpuMs(pid) {
	try {
		const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
		const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
		return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime at 100 Hz
	} catch {
		return null;
	}
}

export async function control(url, method, name, body) {
	const response = await fetch(`${url}/__emulator/${name}`, {
		method,
		headers: { 'content-type': 'application/json' },
		...(body === undefined ? {} : { body: JSON.stringify(body) }),
	});
	if (!response.ok) throw new Error(`control ${name}: ${response.status} ${await response.text()}`);
	return await response.json();
}

/** Fresh numbers (all pending), empty counters, and the fixed latency (reset clears faults). */
export async function prepare(url) {
	await control(url, 'POST', 'reset');
	await control(url, 'POST', 'faults', { latencyMs: LATENCY_MS });
}

export function runCase(args, nodeFlags = []) {
	const child = spawn(
		process.execPath,
		['--expose-gc', ...nodeFlags, path.join(HERE, 'case.mjs'), ...args],
		{
			env: childEnv,
			stdio: ['ignore', 'pipe', 'inherit'],
		},
	);
	let out = '';
	child.stdout.on('data', (chunk) => (out += chunk));
	return new Promise((resolve, reject) => {
		child.once('exit', (code) => {
			const line = out.trim().split('\n').at(-1);
			if (code !== 0 || !line) reject(new Error(`case ${args.join(' ')} exited ${code}`));
			else resolve(JSON.parse(line));
		});
	});
}

/** Runs one case against a prepared emulator and checks that every count adds up. */
export async function measure(emulator, label, args, items, nodeFlags = []) {
	await prepare(emulator.url);
	const emulatorCpuBefore = processCpuMs(emulator.child.pid);
	const result = await runCase(
		[...args, '--url', emulator.url, '--items', String(items)],
		nodeFlags,
	);
	const emulatorCpuAfter = processCpuMs(emulator.child.pid);
	const emulatorCpuMs = emulatorCpuBefore === null ? NaN : emulatorCpuAfter - emulatorCpuBefore;
	const counters = await control(emulator.url, 'GET', 'counters');
	const wa200 = counters.codes.WA200 ?? 0;
	const checks = [
		[result.error === null, `run error: ${result.error}`],
		[
			result.failed === 0,
			`${result.failed} item(s) on the Error branch: ${JSON.stringify(result.firstFailure)}`,
		],
		[result.success === items, `${result.success} on Success, expected ${items}`],
		[
			result.notVerified === 0,
			`${result.notVerified} success item(s) that are not a first-try WA200`,
		],
		[counters.requests === items, `emulator got ${counters.requests} requests, expected ${items}`],
		[wa200 === items, `emulator answered WA200 ${wa200} times, expected ${items}`],
		[
			counters.maxInFlight <= result.concurrency,
			`${counters.maxInFlight} requests in flight at once, concurrency ${result.concurrency}`,
		],
	];
	for (const [ok, message] of checks) if (!ok) problems.push(`${label}: ${message}`);
	log(
		`  ${label}: ${result.itemsPerSecond.toFixed(1)} items/s, ${(result.elapsedMs / 1000).toFixed(1)} s, ` +
			`peak RSS ${result.memory.peakRssMiB.toFixed(0)} MiB, max in flight ${counters.maxInFlight}, ` +
			`CPU/item ${(result.cpuMs / items).toFixed(2)} ms (emulator ${(emulatorCpuMs / items).toFixed(2)} ms)`,
	);
	return { ...result, emulatorCpuMs, counters, load: loadNow() };
}

export const removeUserFolder = () => rmSync(userFolder, { recursive: true, force: true });

/**
 * What the node sends for item 0 (a probe run), and the headers a bare loop should send.
 * With `peer`, HTTP Request's request for item 0 too, which must be the same.
 */
export async function probeNodeRequest({ peer = false } = {}) {
	const probe = await runCase(['--kind', 'probe', ...(peer ? ['--peer'] : [])]);
	const first = benchNumber(0);
	const expectedBody = JSON.stringify({
		id: first.id,
		phone_number: first.phoneNumber,
		otp: first.otp,
	});
	if (probe.rawBody !== expectedBody)
		problems.push(
			`probe: the node sent ${probe.rawBody}, the bare loop would send ${expectedBody}`,
		);
	// host, content-length and connection belong to the transport: fetch sets them itself.
	const endToEnd = (all) =>
		Object.fromEntries(Object.entries(all).filter(([name]) => !HOP_HEADERS.has(name)));
	const headers = endToEnd(probe.headers);
	if (peer) {
		const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
		const sorted = (all) => Object.fromEntries(Object.entries(endToEnd(all)).sort());
		const shown = (value) =>
			JSON.stringify(value?.['api-key'] ? { ...value, 'api-key': '(redacted)' } : value);
		const differences = [
			['answer', probe.peer.code, 'WA200'],
			['method', probe.peer.method, probe.method],
			['path', probe.peer.path, probe.path],
			['body', probe.peer.rawBody, probe.rawBody],
			['headers', sorted(probe.peer.headers), sorted(probe.headers)],
		].filter(([, a, b]) => !same(a, b));
		for (const [what, peerValue, nodeValue] of differences)
			problems.push(
				`probe: HTTP Request's ${what} ${shown(peerValue)} is not the node's ${shown(nodeValue)}`,
			);
	}
	return { probe, headers };
}
export const HOP_HEADERS = new Set(['host', 'content-length', 'connection']);

export const bareArgs = (concurrency, headers, transport = 'fetch') => [
	'--kind',
	'bare',
	'--transport',
	transport,
	'--concurrency',
	String(concurrency),
	'--sid',
	DEFAULT_ACCOUNT.sid,
	'--headers',
	JSON.stringify(headers),
];

export const peerArgs = (concurrency, mode = 'batches') => [
	'--kind',
	'peer',
	'--concurrency',
	String(concurrency),
	'--peer-mode',
	mode,
];

export const nodeArgs = (concurrency, extra = []) => [
	'--kind',
	'node',
	'--concurrency',
	String(concurrency),
	...extra,
];
