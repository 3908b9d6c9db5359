// The Number Trigger when Kaleyra refuses one number's details (a V1 number, or one it does not
// know in either path form): that number is skipped for the poll, with its baseline kept and a
// warning in n8n's log naming it masked; the other numbers are still watched. The account's
// refusals still fail the whole poll.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { afterEach, beforeEach, describe, it } from 'node:test';

import { NUMBERS, WABA_ID, credentialsFor, useEmulator } from '../../helpers/kaleyra.mjs';
import { createPoller } from '../../helpers/poll.mjs';

// The logger n8n's poll context hands out: n8n-core's own copy of the container.
const coreRequire = createRequire(createRequire(import.meta.url).resolve('n8n-core'));
const { Container } = coreRequire('@n8n/di');
const { Logger } = coreRequire('@n8n/backend-common');

const getEmulator = useEmulator({ dialect: { detailsPath: 'both' } });

// In list order: the list, then pending1's details, then pending2's (one at a time).
const REFUSE_PENDING2 = ['ok', 'ok', 'answer:otherApiVersion'];

describe('Number Trigger: Kaleyra refuses one number', () => {
	const warnings = [];
	let logger;
	let warn;
	beforeEach(() => {
		warnings.length = 0;
		logger = Container.get(Logger);
		warn = logger.warn;
		logger.warn = (message) => warnings.push(String(message));
	});
	afterEach(() => {
		logger.warn = warn;
	});

	const poller = (emulator) =>
		createPoller({
			parameters: { wabaId: WABA_ID, options: { maxTries: 1, concurrency: 1 } },
			credentials: credentialsFor(emulator),
		});

	it('skips that number, keeps its baseline, warns with it masked, and reports the others', async () => {
		const emulator = getEmulator();
		const trigger = poller(emulator);
		assert.equal(await trigger.poll(), null);
		const before = trigger.staticData().baseline.numbers;
		emulator.updateNumber(NUMBERS.pending1.id, { status: 'FLAGGED' });
		emulator.updateNumber(NUMBERS.pending2.id, { status: 'FLAGGED' });
		emulator.setFaults({ queue: REFUSE_PENDING2 });
		const items = await trigger.poll();
		assert.deepEqual(
			items.map(({ event, phoneNumberId }) => [event, phoneNumberId]),
			[['statusChanged', NUMBERS.pending1.id]],
		);
		const kept = trigger.staticData().baseline.numbers;
		assert.deepEqual(
			kept.find(({ id }) => id === NUMBERS.pending2.id),
			before.find(({ id }) => id === NUMBERS.pending2.id),
		);
		assert.equal(kept.length, before.length);
		assert.equal(warnings.length, 1, warnings.join('\n'));
		assert.match(warnings[0], /\+91\*{8}02 \(phone number ID 1000000000000002\)/);
		assert.match(
			warnings[0],
			/WA-401, HTTP 401\. This number is set up on Kaleyra's WhatsApp V1 API/,
		);
		assert.ok(!warnings[0].includes(NUMBERS.pending2.phoneNumber));
		// Once Kaleyra answers for it again, its change is reported, once.
		const later = await trigger.poll();
		assert.deepEqual(
			later.map(({ event, phoneNumberId }) => [event, phoneNumberId]),
			[['statusChanged', NUMBERS.pending2.id]],
		);
	});

	it('skips a number Kaleyra says it does not know (WA401 unauthorized phone number)', async () => {
		const emulator = getEmulator();
		const trigger = poller(emulator);
		assert.equal(await trigger.poll(), null);
		emulator.setFaults({ queue: ['ok', 'ok', 'answer:unauthorizedPhoneNumber'] });
		assert.equal(await trigger.poll(), null);
		assert.equal(warnings.length, 1);
		assert.match(warnings[0], /WA401, HTTP 401\. Kaleyra does not know this phone number/);
	});

	for (const fault of ['answer:accountTypeNotAllowed', 'answer:lowBalance']) {
		it(`still fails the whole poll on an account-level refusal (${fault})`, async () => {
			const emulator = getEmulator();
			const trigger = poller(emulator);
			assert.equal(await trigger.poll(), null);
			const baseline = trigger.staticData();
			emulator.setFaults({ queue: ['ok', 'ok', fault] });
			await assert.rejects(trigger.poll(), /read the details of \+919765400002/);
			assert.deepEqual(trigger.staticData(), baseline);
			assert.equal(warnings.length, 0);
		});
	}
});
