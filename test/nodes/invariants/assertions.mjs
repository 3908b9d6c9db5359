// What the invariant properties check on every run: every item once, in order, paired to
// itself; no API key in anything the node outputs, throws or prints; no OTP in an output.
// Shared by the property files of this folder (see cases.mjs).
import assert from 'node:assert/strict';

import { DEFAULT_ACCOUNT } from '../../helpers/kaleyra.mjs';

export const API_KEY = DEFAULT_ACCOUNT.apiKey;

/** Everything printed while `run` runs (console and raw stream writes), still printed unless quiet. */
export async function capturingOutput(run, { quiet = false } = {}) {
	const printed = [];
	const writes = { stdout: process.stdout.write, stderr: process.stderr.write };
	const consoles = {};
	for (const stream of ['stdout', 'stderr']) {
		process[stream].write = function (chunk, ...rest) {
			printed.push(String(chunk));
			return quiet ? true : writes[stream].call(this, chunk, ...rest);
		};
	}
	for (const method of ['log', 'info', 'warn', 'error', 'debug', 'trace']) {
		consoles[method] = console[method];
		console[method] = (...args) => {
			printed.push(args.map((arg) => (typeof arg === 'string' ? arg : safeText(arg))).join(' '));
			if (!quiet) consoles[method](...args);
		};
	}
	try {
		return { result: await run(), printed: printed.join('\n') };
	} finally {
		process.stdout.write = writes.stdout;
		process.stderr.write = writes.stderr;
		Object.assign(console, consoles);
	}
}

export function safeText(value) {
	if (value instanceof Error) return `${value.message}\n${value.stack}\n${safeText({ ...value })}`;
	try {
		return JSON.stringify(value) ?? String(value);
	} catch {
		return String(value);
	}
}

/** Invariant 4: the key is in no output item, no error text, no printed line. */
export function assertNoKeyAnywhere(result, printed) {
	const places = {
		'the run data (output items included)': JSON.stringify(result.run),
		'the workflow error': result.error
			? `${result.error.message} ${result.error.description} ${result.error.stack}`
			: '',
		'an error message or hint on an item': [...result.success, ...result.failed]
			.map(({ json }) => `${json.error?.message} ${json.error?.hint} ${json.message}`)
			.join('\n'),
		'the console or stdout/stderr': printed,
	};
	for (const [place, text] of Object.entries(places)) {
		assert.ok(!text.includes(API_KEY), `[4 no key] the API key appears in ${place}`);
	}
}

/** Invariant 4 for the OTP: masked in the context, redacted from anything the server said. */
export function assertNoOtpInOutputs(result, items) {
	const outputs = JSON.stringify([...result.success, ...result.failed]);
	for (const { json } of items) {
		if (typeof json.otp !== 'string' || !/^\d{6}$/.test(json.otp)) continue;
		assert.ok(
			!new RegExp(`(?<!\\d)${json.otp}(?!\\d)`).test(outputs),
			`[4 no OTP] an output item shows the OTP ${json.otp}`,
		);
	}
}

/** Invariant 1: each item on exactly one branch, once, paired to itself, branches in input order. */
export function assertEveryItemOnceInOrder(result, items, operation) {
	assert.equal(result.error, undefined, `[1 once] the run failed: ${result.error?.message}`);
	assert.equal(result.outputs.length, 2, '[1 once] the node has a Success and an Error output');
	const indexes = {};
	for (const [branch, ok] of [
		['success', true],
		['failed', false],
	]) {
		indexes[branch] = result[branch].map((item) => {
			assert.deepEqual(Object.keys(item.pairedItem), ['item'], '[1 once] pairedItem is {item: i}');
			assert.equal(item.json.success, ok, `[1 once] success flag matches the ${branch} branch`);
			assert.equal(item.json.operation, operation);
			return item.pairedItem.item;
		});
		for (let at = 1; at < indexes[branch].length; at++) {
			assert.ok(
				indexes[branch][at - 1] < indexes[branch][at],
				`[1 once] ${branch} is out of input order: ${indexes[branch]}`,
			);
		}
	}
	assert.deepEqual(
		[...indexes.success, ...indexes.failed].sort((a, b) => a - b),
		items.map((_, index) => index),
		'[1 once] every input item leaves exactly once',
	);
}
