// Derived fields only copy a raw value of Kaleyra's `data`, which stays whole: health strings
// stay strings, a missing or null limit stays missing, and the business portfolio's limits and
// SIP calling are surfaced when present.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { startAnsweringServer } from '../../helpers/answeringServer.mjs';
import { NUMBERS, WABA_ID, onlyItem, runOperation } from '../../helpers/kaleyra.mjs';

const PORTFOLIO = {
	status: 'FLAGGED',
	quality_rating: 'YELLOW',
	name_status: 'AVAILABLE_WITHOUT_REVIEW',
	whatsapp_business_manager_messaging_limit: 'TIER_2K',
	max_daily_conversations_per_business: 2000,
	can_send_message: 'LIMITED',
	can_receive_call_sip: 'AVAILABLE',
	messaging_limit_tier: null,
};

describe('Kaleyra’s data, copied raw', () => {
	let server;
	before(async () => {
		server = await startAnsweringServer({ status: 200, body: '{}' });
	});
	after(() => server.close());

	it('Get Number Details: portfolio limits, health strings and SIP calling as Kaleyra wrote them', async () => {
		server.answer({ status: 200, body: { code: 'WA200', message: 'ok', data: PORTFOLIO, error: {} } });
		const result = await runOperation(null, 'getNumberDetails', [{ json: { phoneNumber: NUMBERS.approved.phoneNumber } }], {
			credentials: server.credentials(),
		});
		const { json } = onlyItem(result, 'success');
		assert.deepEqual(json.data, PORTFOLIO);
		assert.equal(json.messagingLimit, 'TIER_2K');
		assert.equal(json.maxDailyConversations, 2000);
		assert.equal(json.canSendMessage, 'LIMITED');
		assert.equal(json.canReceiveCallSip, 'AVAILABLE');
		assert.equal(json.status, 'FLAGGED');
		assert.equal(json.nameStatus, 'AVAILABLE_WITHOUT_REVIEW');
		assert.ok(!('messagingLimitTier' in json), 'a null tier is left out, never invented');
	});

	it('Get Many Numbers: each entry’s limits as Kaleyra wrote them, the entry whole', async () => {
		const entries = [
			{ id: '678997654000011', phone_number: '+919765400011', ...PORTFOLIO },
			{ id: '678997654000012', phone_number: '+919765400012', status: 'PENDING' },
		];
		server.answer({ status: 200, body: { code: 'WA200', message: 'ok', data: entries, error: {} } });
		const result = await runOperation(null, 'getManyNumbers', [{ json: { wabaId: WABA_ID } }], {
			credentials: server.credentials(),
		});
		assert.equal(result.success.length, 2);
		const [first, second] = result.success.map(({ json }) => json);
		assert.deepEqual(first.data, entries[0]);
		assert.equal(first.messagingLimit, 'TIER_2K');
		assert.equal(first.maxDailyConversations, 2000);
		for (const key of ['messagingLimit', 'maxDailyConversations', 'messagingLimitTier'])
			assert.ok(!(key in second), `${key} invented for a number without a limit`);
	});
});
