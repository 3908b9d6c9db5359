// The Number Trigger when a poll fails: it throws words a person can act on, emits nothing,
// keeps its baseline, and reports what changed meanwhile once Kaleyra answers again. It only
// ever reads, and the API key reaches no error and no static data.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { CATCHER_PATH } from '../../../emulator/kaleyra-emulator.mjs';
import {
	DEFAULT_ACCOUNT,
	NUMBERS,
	WABA_ID,
	credentialsFor,
	useEmulator,
} from '../../helpers/kaleyra.mjs';
import { createPoller } from '../../helpers/poll.mjs';

const getEmulator = useEmulator({ dialect: { detailsPath: 'both' } });
const NUMBER_COUNT = Object.keys(NUMBERS).length;

function pollerFor(emulator, { parameters = {}, credentials = {} } = {}) {
	return createPoller({
		parameters: { wabaId: WABA_ID, ...parameters },
		credentials: credentialsFor(emulator, credentials),
	});
}

async function baselined(emulator, options) {
	const poller = pollerFor(emulator, options);
	assert.equal(await poller.poll(), null);
	return poller;
}

/** Everything of a thrown error that n8n shows or stores, as text. */
function errorText(error) {
	return JSON.stringify({
		message: error.message,
		description: error.description,
		stack: error.stack,
		cause: error.cause,
		context: error.context,
		errorResponse: error.errorResponse,
		own: Object.fromEntries(Object.entries(error)),
	});
}

/** Polls and expects a throw; returns the error after checking it holds no API key. */
async function failedPoll(poller) {
	let thrown;
	await assert.rejects(poller.poll(), (error) => {
		thrown = error;
		return true;
	});
	assert.ok(!errorText(thrown).includes(DEFAULT_ACCOUNT.apiKey), 'the API key is in the error');
	return thrown;
}

describe('Number Trigger: a failed poll', () => {
	it('with a wrong API key names the credential, its SID and key, as an authentication failure (401)', async () => {
		const emulator = getEmulator();
		const poller = pollerFor(emulator, {
			credentials: { apiKey: 'Z9y8x7w6v5u4t3s2r1q0p9o8n7m6l5k4j' },
		});
		const error = await failedPoll(poller);
		assert.equal(error.constructor.name, 'NodeApiError');
		assert.equal(error.httpCode, '401');
		assert.match(error.message, /list the numbers of WABA 766000000000001/);
		assert.match(error.message, /RBC001/);
		assert.match(error.description, /SID and API key in the credential/);
		assert.ok(!errorText(error).includes('Z9y8x7w6v5u4t3s2r1q0p9o8n7m6l5k4j'));
		assert.deepEqual(poller.staticData(), {}, 'no baseline from a failed poll');
	});

	it('with a WABA the account does not own says to check the WABA ID', async () => {
		const emulator = getEmulator();
		const error = await failedPoll(
			pollerFor(emulator, { parameters: { wabaId: '766000000000999' } }),
		);
		assert.match(error.message, /WA401/);
		assert.match(error.description, /WABA ID/);
	});

	it('with a WABA ID that is not digits fails before any request', async () => {
		const emulator = getEmulator();
		const error = await failedPoll(pollerFor(emulator, { parameters: { wabaId: 'my waba' } }));
		assert.match(error.message, /wabaId/);
		assert.equal(emulator.requests.length, 0);
	});

	it('with a credential that cannot give an address names the field to fix, before any request', async () => {
		const emulator = getEmulator();
		const error = await failedPoll(pollerFor(emulator, { credentials: { sid: 'HXAP-16' } }));
		assert.match(error.message, /use the Kaleyra credential: The SID "HXAP-16" contains "-"/);
		assert.match(error.description, /Developers → API Keys/);
		assert.equal(emulator.requests.length, 0);
	});

	it('with Events or an option set by expression to something unknown says which, before any request', async () => {
		const emulator = getEmulator();
		const events = await failedPoll(
			pollerFor(emulator, { parameters: { events: ['statusChanged', 'qualityChanged'] } }),
		);
		assert.match(events.message, /Events holds \["qualityChanged"\]/);
		assert.match(events.description, /nameStatusChanged/);
		const option = await failedPoll(
			pollerFor(emulator, { parameters: { options: { concurrency: '={{ "four" }}' } } }),
		);
		assert.match(option.message, /Options › Concurrency is not a number/);
		assert.equal(emulator.requests.length, 0);
	});

	it('keeps the baseline through an outage and reports a change made during it once, after recovery', async () => {
		const emulator = getEmulator();
		const poller = await baselined(emulator, { parameters: { options: { maxTries: 1 } } });
		const baseline = poller.staticData();
		emulator.setFaults({ probabilities: { http503: 1 } });
		emulator.updateNumber(NUMBERS.pending1.id, { nameStatus: 'APPROVED' });
		for (let poll = 0; poll < 2; poll++) {
			const error = await failedPoll(poller);
			assert.match(error.message, /HTTP 503/);
			assert.equal(error.httpCode, '503');
			assert.deepEqual(poller.staticData(), baseline);
		}
		emulator.setFaults({});
		const items = await poller.poll();
		assert.deepEqual(
			items.map(({ event, previous, current }) => [event, previous, current]),
			[['nameStatusChanged', 'PENDING_REVIEW', 'APPROVED']],
		);
		assert.equal(await poller.poll(), null);
	});

	it('fails whole when one details read fails midway: no number is taken for removed, nothing reported', async () => {
		const emulator = getEmulator();
		const poller = await baselined(emulator, { parameters: { options: { maxTries: 1 } } });
		const baseline = poller.staticData();
		emulator.updateNumber(NUMBERS.pending1.id, { status: 'FLAGGED' });
		// The list and two details answer; the third details read gets a gateway's HTML page.
		emulator.setFaults({ queue: ['ok', 'ok', 'ok', 'html'] });
		const error = await failedPoll(poller);
		assert.match(
			error.message,
			/read the details of \+919765400003 \(phone number ID 10987654321098765\)/,
		);
		assert.match(error.message, /an HTML page/);
		assert.deepEqual(poller.staticData(), baseline);
		const items = await poller.poll();
		assert.deepEqual(
			items.map(({ event }) => event),
			['statusChanged'],
		);
	});

	it('retries a read Kaleyra asked to repeat (429) and the poll succeeds', async () => {
		const emulator = getEmulator();
		const poller = await baselined(emulator, { parameters: { options: { maxTries: 2 } } });
		emulator.updateNumber(NUMBERS.approved.id, { qualityRating: 'YELLOW' });
		emulator.setFaults({ queue: ['ok', 'http429RetryAfter'], retryAfterSeconds: 0 });
		const items = await poller.poll();
		assert.deepEqual(
			items.map(({ event }) => event),
			['qualityRatingChanged'],
		);
		assert.equal(emulator.requests.length, 2 * (1 + NUMBER_COUNT) + 1);
	});

	for (const [fault, words] of [
		['echoSuccess', /carried the API key back/],
		['echoError', /Refer to correct payload format/],
		['malformedJson', /malformed JSON/],
		['empty', /empty body/],
		['redirect307', /a redirect to another host\. /],
		['tooLarge', /larger than 1 MiB/],
		['wa500Late', /WA500/],
	]) {
		it(`with a hostile or broken answer (${fault}) keeps the baseline and no key anywhere`, async () => {
			const emulator = getEmulator();
			const poller = await baselined(emulator, { parameters: { options: { maxTries: 1 } } });
			const baseline = poller.staticData();
			emulator.updateNumber(NUMBERS.pending2.id, { status: 'CONNECTED' });
			emulator.setFaults({ queue: ['ok', fault], tooLargeBytes: 2 * 1024 * 1024 });
			const error = await failedPoll(poller);
			assert.match(error.message, words);
			assert.deepEqual(poller.staticData(), baseline);
			assert.ok(!JSON.stringify(poller.staticData()).includes(DEFAULT_ACCOUNT.apiKey));
			assert.equal(
				emulator.catcher.requests.length,
				0,
				`a redirect to ${CATCHER_PATH} was followed`,
			);
			const items = await poller.poll();
			assert.deepEqual(
				items.map(({ event }) => event),
				['statusChanged'],
			);
		});
	}

	it('with a list answer of unknown shape says so, and keeps the baseline', async () => {
		const emulator = getEmulator();
		const poller = await baselined(emulator);
		emulator.setFaults({ queue: ['answer:otpResent'] });
		const error = await failedPoll(poller);
		assert.match(error.message, /no list of numbers in a shape this node knows/);
	});
});

describe('Number Trigger: reads only', () => {
	it('sends only GETs: the list and one details read per listed number, each poll', async () => {
		const emulator = getEmulator();
		const poller = await baselined(emulator);
		emulator.updateNumber(NUMBERS.pending1.id, { status: 'FLAGGED', nameStatus: 'DECLINED' });
		await poller.poll();
		await poller.poll();
		await poller.fetchTestEvent();
		const { requests } = emulator;
		assert.equal(requests.length, 4 * (1 + NUMBER_COUNT));
		assert.ok(requests.every(({ method }) => method === 'GET'));
		const lists = requests.filter(
			({ path }) => path === `/v2/${DEFAULT_ACCOUNT.sid}/whatsapp/${WABA_ID}/number`,
		);
		assert.equal(lists.length, 4);
		const details = requests.filter(({ path }) => path.endsWith('/phone_number_details'));
		assert.equal(details.length, 4 * NUMBER_COUNT);
		assert.ok(requests.every(({ headers }) => headers['api-key'] === DEFAULT_ACCOUNT.apiKey));
	});

	it('skips a poll that starts while the last one is still reading: a change is reported once', async () => {
		const emulator = getEmulator();
		const poller = await baselined(emulator);
		emulator.updateNumber(NUMBERS.pending1.id, { status: 'FLAGGED' });
		emulator.setFaults({ latencyMs: 50 });
		const [first, second] = await Promise.all([poller.poll(), poller.poll()]);
		assert.deepEqual([first?.length ?? 0, second?.length ?? 0].sort(), [0, 1]);
		assert.equal(emulator.requests.length, 2 * (1 + NUMBER_COUNT), 'the second poll sent nothing');
	});
});
