// One measured case, in a fresh process so its peak RSS is its own:
//   node bench/case.mjs --kind node|peer|bare|probe --url URL --items N --concurrency C
//        [--rps R] [--transport fetch|http-close|http-keepalive] [--headers JSON]
//        [--peer-mode batches|lanes] [--peer (with probe: the peer's request too)]
// Prints one JSON line with the timing, the counts and the memory figures.
import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import { Session } from 'node:inspector/promises';
import process from 'node:process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import v8 from 'node:v8';

import {
	LATENCY_MS,
	WABA_ID,
	benchNumber,
	benchNumbers,
	maxRssMiB,
	parseFlags,
} from './shared.mjs';

const flags = parseFlags(process.argv.slice(2));
const kind = flags.kind;
const items = Number(flags.items ?? 1);
const concurrency = Number(flags.concurrency ?? 1);
const rps = Number(flags.rps ?? 0);
// --root DIR: another copy of the package (package.json, dist/, test/helpers/, emulator/),
// so investigate.mjs can compare two builds of the node in the same run.
const ROOT = flags.root
	? pathToFileURL(`${path.resolve(flags.root)}/`).href
	: new URL('../', import.meta.url).href;
const helper = (name) => import(new URL(`test/helpers/${name}`, ROOT).href);

/** Samples the V8 heap every 50 ms while `fn` runs; returns its result and the peak seen. */
let held = null;

/** V8's used heap after a full collection (the parent starts this process with --expose-gc). */
function liveHeap() {
	globalThis.gc?.();
	return v8.getHeapStatistics().used_heap_size;
}

async function measured(fn) {
	const baselineLiveHeap = liveHeap();
	const baselineMaxRss = maxRssMiB();
	const baselineRss = process.memoryUsage.rss() / 2 ** 20;
	let peakHeap = v8.getHeapStatistics().used_heap_size;
	const sampler = setInterval(() => {
		peakHeap = Math.max(peakHeap, v8.getHeapStatistics().used_heap_size);
	}, 50);
	// --profile FILE: a V8 CPU profile of the measured part only (investigate.mjs reads it).
	const session = flags.profile ? new Session() : null;
	if (session) {
		session.connect();
		await session.post('Profiler.enable');
		await session.post('Profiler.setSamplingInterval', { interval: 200 });
		await session.post('Profiler.start');
	}
	const cpuBefore = process.cpuUsage();
	const started = process.hrtime.bigint();
	const result = await fn();
	const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
	const cpu = process.cpuUsage(cpuBefore);
	if (session) {
		const { profile } = await session.post('Profiler.stop');
		writeFileSync(flags.profile, JSON.stringify(profile));
		session.disconnect();
	}
	clearInterval(sampler);
	peakHeap = Math.max(peakHeap, v8.getHeapStatistics().used_heap_size);
	// What the run's result still holds once garbage is gone (the node's output and run data).
	const { retain, ...counts } = result;
	held = retain; // module-level, so the collection below cannot free it
	const retainedHeap = liveHeap() - baselineLiveHeap;
	held = null;
	return {
		...counts,
		elapsedMs,
		itemsPerSecond: (items * 1000) / elapsedMs,
		cpuMs: (cpu.user + cpu.system) / 1000,
		memory: {
			baselineRssMiB: baselineRss,
			baselineMaxRssMiB: baselineMaxRss,
			peakRssMiB: maxRssMiB(),
			peakHeapMiB: peakHeap / 2 ** 20,
			retainedHeapMiB: retainedHeap / 2 ** 20,
		},
	};
}

// investigate.mjs only: --operation retryOtp (a pending number answers WA200 to every resend),
// and --literal: the first number's values typed in, not mapped by expression, so the two
// differ only by n8n's per-item expression resolution.
function parametersFor(MAPPED_PARAMETERS) {
	const operation = flags.operation ?? 'verifyNumber';
	if (!flags.literal) return MAPPED_PARAMETERS[operation];
	const { id, phoneNumber, otp } = benchNumber(0);
	return {
		operation,
		wabaId: WABA_ID,
		phoneNumberId: id,
		phoneNumber,
		...(operation === 'verifyNumber' ? { otp } : { typeVerification: 'SMS' }),
	};
}

async function nodeCase(url) {
	const { runKaleyraNode } = await helper('engine.mjs');
	const { credentialsFor, MAPPED_PARAMETERS, itemFor } = await helper('kaleyra.mjs');
	const input = Array.from({ length: items }, (_, i) => itemFor(benchNumber(i)));
	const options = { concurrency, ...(rps > 0 ? { requestsPerSecond: rps } : {}) };
	return await measured(async () => {
		const result = await runKaleyraNode({
			parameters: { ...parametersFor(MAPPED_PARAMETERS), options },
			items: input,
			credentials: credentialsFor({ url }),
		});
		// Each number is pending, so each item must be a fresh WA200 on its first try.
		const notVerified = result.success.filter(
			({ json }) => json.code !== 'WA200' || json.alreadyApproved || json.attempts !== 1,
		).length;
		return {
			error: result.error?.message ?? null,
			success: result.success.length,
			failed: result.failed.length,
			firstFailure: result.failed[0]?.json ?? null,
			notVerified,
			retain: result,
		};
	});
}

// ---- the peer: n8n's HTTP Request node, the same requests (peer.mjs) ----

async function peerCase(url) {
	const { loadPeer } = await import('./peer.mjs');
	const { runPeer } = await loadPeer();
	const { itemFor } = await helper('kaleyra.mjs');
	const input = Array.from({ length: items }, (_, i) => itemFor(benchNumber(i)));
	return await measured(async () => {
		let output = [];
		let error = null;
		try {
			output = await runPeer({ url, items: input, concurrency, mode: flags['peer-mode'] });
		} catch (caught) {
			error = caught.message;
		}
		const failures = output.filter(({ json }) => json?.code !== 'WA200');
		return {
			error,
			success: output.length - failures.length,
			failed: failures.length,
			firstFailure: failures[0]?.json ?? null,
			notVerified: 0,
			retain: output,
		};
	});
}

// ---- the bare loop: the same requests, without n8n ----

function requestFor(url, i) {
	const { id, phoneNumber, otp } = benchNumber(i);
	return {
		url: `${url}/v2/${flags.sid}/whatsapp/${WABA_ID}/number/verify`,
		body: JSON.stringify({ id, phone_number: phoneNumber, otp }),
	};
}

const sendWith = {
	async fetch(target, headers) {
		const response = await fetch(target.url, { method: 'POST', headers, body: target.body });
		return { status: response.status, text: await response.text() };
	},
	// What n8n's helper does on the wire: a new agent per request, so `Connection: close`.
	'http-close': (target, headers) => httpSend(target, headers, new http.Agent()),
	'http-keepalive': (target, headers) => httpSend(target, headers, keepAliveAgent),
};
const keepAliveAgent = new http.Agent({ keepAlive: true });

function httpSend(target, headers, agent) {
	return new Promise((resolve, reject) => {
		const request = http.request(target.url, { method: 'POST', headers, agent }, (response) => {
			let text = '';
			response.setEncoding('utf8');
			response.on('data', (chunk) => (text += chunk));
			response.on('end', () => resolve({ status: response.statusCode, text }));
			response.on('error', reject);
		});
		request.on('error', reject);
		request.end(target.body);
	});
}

async function bareCase(url) {
	const transport = flags.transport ?? 'fetch';
	const send = sendWith[transport];
	if (!send) throw new Error(`unknown transport ${transport}`);
	const headers = JSON.parse(flags.headers);
	const targets = Array.from({ length: items }, (_, i) => requestFor(url, i));
	// fetch loads undici on first use: do that before the idle RSS is read (no API request).
	if (transport === 'fetch') await (await fetch(`${url}/__emulator/counters`)).text();
	return await measured(async () => {
		let next = 0;
		let success = 0;
		let failed = 0;
		let firstFailure = null;
		const worker = async () => {
			while (next < items) {
				const index = next++;
				try {
					const { status, text } = await send(targets[index], headers);
					if (status === 200 && JSON.parse(text).code === 'WA200') success++;
					else {
						failed++;
						firstFailure ??= { status, text };
					}
				} catch (error) {
					failed++;
					firstFailure ??= { error: String(error.cause?.code ?? error.message) };
				}
			}
		};
		await Promise.all(Array.from({ length: Math.min(concurrency, items) }, worker));
		return { error: null, success, failed, firstFailure, notVerified: 0, transport };
	});
}

// ---- probe: what the node puts on the wire for item 0 ----

async function probe() {
	const { startKaleyraEmulator } = await import('../emulator/kaleyra-emulator.mjs');
	const { runKaleyraNode } = await helper('engine.mjs');
	const { credentialsFor, MAPPED_PARAMETERS, itemFor } = await helper('kaleyra.mjs');
	const emulator = await startKaleyraEmulator({ numbers: benchNumbers(1) });
	try {
		const result = await runKaleyraNode({
			parameters: MAPPED_PARAMETERS.verifyNumber,
			items: [itemFor(benchNumber(0))],
			credentials: credentialsFor(emulator),
		});
		const [request] = emulator.requests;
		let peer;
		if (flags.peer) {
			emulator.reset();
			const { loadPeer } = await import('./peer.mjs');
			const { runPeer } = await loadPeer();
			const [output] = await runPeer({
				url: emulator.url,
				items: [itemFor(benchNumber(0))],
				concurrency: 1,
			});
			const [sent] = emulator.requests;
			peer = {
				code: output?.json?.code,
				method: sent.method,
				path: sent.path,
				headers: sent.headers,
				rawBody: sent.rawBody,
			};
		}
		return {
			peer,
			success: result.success.length,
			method: request.method,
			path: request.path,
			headers: request.headers,
			rawBody: request.rawBody,
			status: request.status,
			port: emulator.port,
		};
	} finally {
		await emulator.close();
	}
}

const url = flags.url;
const run = {
	node: () => nodeCase(url),
	peer: () => peerCase(url),
	bare: () => bareCase(url),
	probe,
}[kind];
if (!run) throw new Error(`--kind must be node, peer, bare or probe, got ${kind}`);
const result = await run();
process.stdout.write(
	`${JSON.stringify({ kind, items, concurrency, rps, latencyMs: LATENCY_MS, ...result })}\n`,
);
