// What most tests share: an emulator per test file, credentials pointing at it,
// and node parameters mapped from each item the way a workflow maps them.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, beforeEach } from 'node:test';

import { startKaleyraEmulator } from '../../emulator/kaleyra-emulator.mjs';
import { DEFAULT_ACCOUNT, NUMBERS } from '../../emulator/fixtures.mjs';
import { PACKAGE_DIR, runKaleyraNode } from './engine.mjs';

export { DEFAULT_ACCOUNT, NUMBERS };
export const WABA_ID = DEFAULT_ACCOUNT.wabaIds[0];

/** Starts one emulator for the file and gives each test a fresh one; returns a getter. */
export function useEmulator(options) {
	let emulator;
	before(async () => {
		emulator = await startKaleyraEmulator(options);
	});
	beforeEach(() => emulator.reset());
	after(() => emulator.close());
	return () => emulator;
}

export function credentialsFor(emulator, overrides = {}) {
	return {
		region: 'custom',
		baseUrl: emulator.url,
		sid: DEFAULT_ACCOUNT.sid,
		apiKey: DEFAULT_ACCOUNT.apiKey,
		...overrides,
	};
}

const require = createRequire(import.meta.url);
const actions = (file) => require(`${PACKAGE_DIR}/dist/nodes/KaleyraWhatsAppNumber/actions/${file}`);
const { OPERATIONS } = actions('registry.js');
const { fieldsOf } = actions('operation.js');

/**
 * Parameters that read every value from the incoming item, as a form-fed workflow does: each
 * operation's fields that its output items repeat, by the name they repeat them under (Channel
 * from `channel`). Derived from the registry, so every operation has its entry.
 */
export const MAPPED_PARAMETERS = Object.fromEntries(
	OPERATIONS.map((operation) => [
		operation.option.value,
		{
			operation: operation.option.value,
			...Object.fromEntries(
				fieldsOf(operation)
					.filter(({ output }) => output !== 'none')
					.map(({ property, output }) => [property.name, `={{ $json.${output?.name ?? property.name} }}`]),
			),
		},
	]),
);

/** An input item for a fixture number, with any field replaced. */
export function itemFor(number, overrides = {}) {
	return {
		json: {
			wabaId: WABA_ID,
			phoneNumberId: number.id,
			phoneNumber: number.phoneNumber,
			otp: number.otp,
			channel: 'SMS',
			...overrides,
		},
	};
}

export async function runOperation(emulator, operation, items, { options, credentials, nodeSettings, onRunning } = {}) {
	// An operation the node does not have would otherwise run the default, Verify Number.
	assert.ok(MAPPED_PARAMETERS[operation], `${operation} is not an operation of the node`);
	return await runKaleyraNode({
		parameters: { ...MAPPED_PARAMETERS[operation], ...(options ? { options } : {}) },
		items,
		credentials: credentials ?? credentialsFor(emulator),
		nodeSettings,
		onRunning,
	});
}

/** The one item a single-item run put on `branch`, after checking the other branch is empty. */
export function onlyItem(result, branch) {
	const other = branch === 'success' ? 'failed' : 'success';
	assert.equal(result.error, undefined, `the node run failed: ${result.error?.message}`);
	assert.equal(result[other].length, 0, `expected nothing on ${other}, got ${JSON.stringify(result[other])}`);
	assert.equal(result[branch].length, 1, `expected one item on ${branch}`);
	return result[branch][0];
}

export function assertNoApiKey(...values) {
	for (const value of values) {
		const text = typeof value === 'string' ? value : JSON.stringify(value);
		assert.ok(!text.includes(DEFAULT_ACCOUNT.apiKey), 'the API key appears in the output');
	}
}

/**
 * A request as the emulator logged it was Kaleyra's POST to `/number/<endpoint>` of the test
 * WABA: the key in `api-key`, a JSON content type and exactly `body`.
 */
export function assertPostedTo(request, endpoint, body) {
	assert.equal(request.method, 'POST');
	assert.equal(request.path, `/v2/${DEFAULT_ACCOUNT.sid}/whatsapp/${WABA_ID}/number/${endpoint}`);
	assert.equal(request.headers['api-key'], DEFAULT_ACCOUNT.apiKey);
	assert.equal(request.headers['content-type'], 'application/json');
	assert.deepEqual(JSON.parse(request.rawBody), body);
}
