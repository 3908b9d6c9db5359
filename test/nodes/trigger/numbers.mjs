// What a test does to the emulator's numbers from outside the trigger.
import assert from 'node:assert/strict';

import { DEFAULT_ACCOUNT, WABA_ID } from '../../helpers/kaleyra.mjs';

/** Adds an Indian number to the test WABA through Kaleyra's add endpoint; returns its id. */
export async function addNumberThroughApi(emulator, { nationalNumber, name }) {
	const response = await fetch(
		`${emulator.url}/v2/${DEFAULT_ACCOUNT.sid}/whatsapp/${WABA_ID}/number/add`,
		{
			method: 'POST',
			headers: { 'api-key': DEFAULT_ACCOUNT.apiKey, 'content-type': 'application/json' },
			body: JSON.stringify({
				phone_number: nationalNumber,
				name,
				verification_type: 'SMS',
				country_code: '91',
			}),
		},
	);
	const body = await response.json();
	assert.ok(response.ok, JSON.stringify(body));
	const found = Object.entries(emulator.numbers()).find(
		([, number]) => number.phoneNumber === `+91${nationalNumber}`,
	);
	return { id: found[0] };
}
