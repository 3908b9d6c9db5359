// The node's Options read in n8n's engine: ranges and labels as the option definitions give
// them, every bad option named at once, and pacing that never turns itself off.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';

import { NODE_TYPE, PACKAGE_DIR, nodeTypes } from '../../helpers/engine.mjs';
import {
	NUMBERS,
	credentialsFor,
	itemFor,
	onlyItem,
	runOperation,
	useEmulator,
} from '../../helpers/kaleyra.mjs';

const require = createRequire(import.meta.url);
const OPTION_DEFINITIONS = nodeTypes
	.getByName(NODE_TYPE)
	.description.properties.find(({ name }) => name === 'options').options;
const NUMBER_OPTIONS = OPTION_DEFINITIONS.filter(({ type }) => type === 'number');
// Read for the whole run (from the first item): a bad one stops the run, not one item.
const RUN_OPTIONS = ['concurrency', 'requestsPerSecond'];
const LONGEST_TIMER_MS = 2 ** 31 - 1;

describe('Option limits come from the option definitions', () => {
	const emulator = useEmulator();

	// The labels keep n8n's strict lint's title case, "(Ms)": it refuses "(ms)".
	it('caps each timer at the longest one Node keeps', () => {
		const byName = Object.fromEntries(OPTION_DEFINITIONS.map((option) => [option.name, option]));
		for (const name of ['timeout', 'retryDelay', 'maxRetryDelay'])
			assert.equal(byName[name].typeOptions.maxValue, LONGEST_TIMER_MS, name);
	});

	for (const { name, displayName, typeOptions, default: fallback } of NUMBER_OPTIONS) {
		it(`a text ${name} is refused with the range and label of its definition`, async () => {
			assert.equal(typeof typeOptions?.minValue, 'number', `${name} has no minValue`);
			assert.equal(typeof typeOptions?.maxValue, 'number', `${name} has no maxValue`);
			const hint = `Set Options › ${displayName} to a number from ${typeOptions.minValue} to ${typeOptions.maxValue}, or remove the option to use ${fallback}.`;
			const result = await runOperation(emulator(), 'verifyNumber', [itemFor(NUMBERS.pending1)], {
				options: { [name]: '={{ "x" }}' },
			});
			if (RUN_OPTIONS.includes(name)) {
				assert.equal(result.error?.message, `options.${name} is the text "x", not a number`);
				assert.equal(result.error.description, hint);
			} else {
				const { error } = onlyItem(result, 'failed').json;
				assert.deepEqual(error.fields, [`options.${name}`]);
				assert.equal(error.message, `options.${name} is the text "x", not a number`);
				assert.equal(error.hint, hint);
			}
			assert.equal(emulator().requests.length, 0);
		});
	}
});

describe('Every bad option is named at once', () => {
	const emulator = useEmulator();

	it('names each option of an item that is not what it must be, in the order of the error', async () => {
		const result = await runOperation(emulator(), 'verifyNumber', [itemFor(NUMBERS.pending1)], {
			options: {
				timeout: '={{ "a" }}',
				treatAlreadyApprovedAsSuccess: '={{ "false" }}',
				maxTries: '={{ null }}',
				retryUncertain: '={{ 1 }}',
			},
		});
		const { error } = onlyItem(result, 'failed').json;
		assert.deepEqual(error.fields, [
			'options.timeout',
			'options.treatAlreadyApprovedAsSuccess',
			'options.maxTries',
			'options.retryUncertain',
		]);
		assert.equal(
			error.message,
			[
				'options.timeout is the text "a", not a number',
				'options.treatAlreadyApprovedAsSuccess is the text "false", not true or false',
				'options.maxTries is null, not a number',
				'options.retryUncertain is the number 1, not true or false',
			].join('; '),
		);
		for (const label of [
			'Timeout (Ms)',
			'Treat Already Approved as Success',
			'Tries',
			'Retry When Delivery Is Uncertain',
		])
			assert.ok(error.hint.includes(`Options › ${label} `), `the hint does not name ${label}`);
		assert.equal(emulator().requests.length, 0);
	});

	it('names an option whose expression throws next to another bad one, each on its own', async () => {
		const result = await runOperation(emulator(), 'verifyNumber', [itemFor(NUMBERS.pending1)], {
			options: { timeout: "={{ $('Missing Node').item.json.x }}", retryDelay: '={{ "b" }}' },
		});
		const { error } = onlyItem(result, 'failed').json;
		assert.deepEqual(error.fields, ['options.timeout', 'options.retryDelay']);
		assert.match(
			error.message,
			/^options\.timeout could not be read: Referenced node .*; options\.retryDelay is the text "b", not a number$/,
		);
	});

	it('an option whose expression throws does not stop the run: only its items fail', async () => {
		const items = [
			itemFor(NUMBERS.pending1, { slow: 'x' }),
			itemFor(NUMBERS.pending2, { slow: 5000 }),
		];
		const result = await runOperation(emulator(), 'verifyNumber', items, {
			options: {
				timeout: `={{ $json.slow === "x" ? $('Missing Node').item.json.x : $json.slow }}`,
			},
		});
		assert.equal(result.error, undefined, `the run stopped: ${result.error?.message}`);
		assert.deepEqual(
			result.failed.map(({ pairedItem }) => pairedItem.item),
			[0],
		);
		assert.deepEqual(result.failed[0].json.error.fields, ['options.timeout']);
		assert.match(
			result.failed[0].json.error.message,
			/^options\.timeout could not be read: Referenced node/,
		);
		assert.deepEqual(
			result.success.map(({ pairedItem }) => pairedItem.item),
			[1],
		);
	});
});

describe('Max Requests per Second', () => {
	const emulator = useEmulator();

	it('is read as 0 (no pacing) or kept within 0.01 to 1000 per second', () => {
		const { readRunSettings } = require(
			`${PACKAGE_DIR}/dist/nodes/KaleyraWhatsAppNumber/engine/options.js`,
		);
		const read = (requestsPerSecond) =>
			readRunSettings({
				getNodeParameter: (name, _itemIndex, fallback) =>
					name === 'options' ? { requestsPerSecond } : fallback,
			}).values.requestsPerSecond;
		assert.deepEqual(
			[0, -3, 1e-7, 0.01, 0.5, 50, 1000, 5000, Infinity].map(read),
			[0, 0, 0.01, 0.01, 0.5, 50, 1000, 1000, 1000],
		);
	});

	it('a tiny rate never waits before the first request', async () => {
		const result = await runOperation(emulator(), 'verifyNumber', [itemFor(NUMBERS.pending1)], {
			options: { requestsPerSecond: 1e-7 },
		});
		assert.equal(onlyItem(result, 'success').json.code, 'WA200');
	});

	// 1 / 1e-7 s is 10^10 ms, past the longest timer Node keeps (2^31 - 1 ms): such a timer fires
	// after 1 ms, so the second request went at once, unpaced. Read as 0.01, it waits 100 s. The
	// run is in a worker thread, ended once the check is made, so no 100 s wait holds the test.
	it('a rate too small for a timer still paces: the second request does not follow the first', async () => {
		const worker = new Worker(
			`const { workerData } = require('node:worker_threads');
			import(workerData.engine).then(({ runKaleyraNode }) => runKaleyraNode(workerData.run));`,
			{
				eval: true,
				workerData: {
					engine: new URL('../../helpers/engine.mjs', import.meta.url).href,
					run: {
						parameters: {
							operation: 'verifyNumber',
							wabaId: '={{ $json.wabaId }}',
							phoneNumberId: '={{ $json.phoneNumberId }}',
							phoneNumber: '={{ $json.phoneNumber }}',
							otp: '={{ $json.otp }}',
							options: { requestsPerSecond: 1e-7, concurrency: 2 },
						},
						items: [itemFor(NUMBERS.pending1), itemFor(NUMBERS.pending2)],
						credentials: credentialsFor(emulator()),
					},
				},
			},
		);
		try {
			const requests = emulator().requests;
			// A failure in the worker (the engine not loading, say) ends the test at once.
			const failed = new Promise((_, reject) => worker.once('error', reject));
			const wait = (ms) =>
				Promise.race([failed, new Promise((resolve) => setTimeout(resolve, ms))]);
			const deadline = Date.now() + 30_000;
			while (requests.length === 0) {
				assert.ok(Date.now() < deadline, 'no request within 30 s');
				await wait(20);
			}
			await wait(1_500);
			assert.equal(
				requests.length,
				1,
				`the second request came ${requests[1]?.receivedAt - requests[0].receivedAt} ms after the first`,
			);
		} finally {
			await worker.terminate();
		}
	});
});
