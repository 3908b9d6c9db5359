// The Number Trigger in n8n's engine: baseline, each event once, several at once, the Events
// filter, a WABA change, paging, Fetch Test Event.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

import { startKaleyraEmulator } from '../../../emulator/kaleyra-emulator.mjs';
import { PACKAGE_DIR, nodeTypes } from '../../helpers/engine.mjs';
import {
	DEFAULT_ACCOUNT,
	NUMBERS,
	WABA_ID,
	credentialsFor,
	useEmulator,
} from '../../helpers/kaleyra.mjs';
import { TRIGGER_TYPE, createPoller, fetchTestEventInEngine } from '../../helpers/poll.mjs';
import { addNumberThroughApi } from './numbers.mjs';

// Either details path form is accepted, so these tests follow whichever the action node sends.
const getEmulator = useEmulator({ dialect: { detailsPath: 'both' } });

// Every output item has exactly these keys (the contract of issue 19).
const ITEM_KEYS = ['current', 'data', 'event', 'phoneNumber', 'phoneNumberId', 'previous'];

const ALL_EVENTS = [
	'numberAdded',
	'numberRemoved',
	'statusChanged',
	'nameStatusChanged',
	'qualityRatingChanged',
	'messagingLimitChanged',
];

function pollerFor(emulator, parameters = {}) {
	return createPoller({
		parameters: { wabaId: WABA_ID, ...parameters },
		credentials: credentialsFor(emulator),
	});
}

async function baselined(emulator, parameters) {
	const poller = pollerFor(emulator, parameters);
	assert.equal(await poller.poll(), null, 'the first poll only records the baseline');
	return poller;
}

describe('Number Trigger: the node n8n loads', () => {
	it('is a polling trigger (poll only), listed in package.json, with the package credential and icons', () => {
		const manifest = JSON.parse(readFileSync(`${PACKAGE_DIR}/package.json`, 'utf8'));
		assert.ok(
			manifest.n8n.nodes.includes(
				'dist/nodes/KaleyraWhatsAppNumberTrigger/KaleyraWhatsAppNumberTrigger.node.js',
			),
		);
		const type = nodeTypes.getByNameAndVersion(TRIGGER_TYPE, 1);
		const { description } = type;
		assert.equal(description.name, 'kaleyraWhatsAppNumberTrigger');
		assert.equal(description.polling, true);
		assert.deepEqual(description.group, ['trigger']);
		assert.deepEqual(description.inputs, []);
		assert.equal(typeof type.poll, 'function');
		assert.equal(type.execute, undefined);
		assert.equal(type.trigger, undefined);
		assert.deepEqual(description.credentials, [{ name: 'kaleyraWhatsAppApi', required: true }]);
		// The loader turns the icon files into the URLs the editor fetches.
		assert.match(description.iconUrl.light, /icons\/kaleyraWhatsApp\.svg$/);
		assert.match(description.iconUrl.dark, /icons\/kaleyraWhatsApp\.dark\.svg$/);
		const events = description.properties.find(({ name }) => name === 'events');
		assert.equal(events.type, 'multiOptions');
		assert.deepEqual([...events.default].sort(), [...ALL_EVENTS].sort(), 'all six on by default');
		assert.deepEqual(events.options.map(({ value }) => value).sort(), [...ALL_EVENTS].sort());
		const wabaId = description.properties.find(({ name }) => name === 'wabaId');
		assert.equal(wabaId.required, true);
		const codex = JSON.parse(
			readFileSync(
				`${PACKAGE_DIR}/dist/nodes/KaleyraWhatsAppNumberTrigger/KaleyraWhatsAppNumberTrigger.node.json`,
				'utf8',
			),
		);
		assert.equal(codex.node, 'n8n-nodes-kaleyra-whatsapp.kaleyraWhatsAppNumberTrigger');
		assert.deepEqual(codex.categories, ['Communication']);
	});
});

describe('Number Trigger: baseline and events', () => {
	it('records a baseline on the first poll (plain JSON, no key), then reports nothing while nothing changes', async () => {
		const emulator = getEmulator();
		const poller = await baselined(emulator);
		const staticData = poller.staticData();
		const { baseline } = staticData;
		assert.equal(baseline.wabaId, WABA_ID);
		assert.deepEqual(
			baseline.numbers.map(({ id }) => id),
			Object.values(NUMBERS).map(({ id }) => id),
		);
		assert.deepEqual(JSON.parse(JSON.stringify(staticData)), staticData);
		assert.ok(!JSON.stringify(staticData).includes(DEFAULT_ACCOUNT.apiKey));
		assert.equal(await poller.poll(), null);
		assert.equal(await poller.poll(), null);
	});

	for (const [event, changes, previous, current] of [
		['statusChanged', { status: 'FLAGGED' }, 'PENDING', 'FLAGGED'],
		['nameStatusChanged', { nameStatus: 'APPROVED' }, 'PENDING_REVIEW', 'APPROVED'],
		['qualityRatingChanged', { qualityRating: 'YELLOW' }, 'UNKNOWN', 'YELLOW'],
		['messagingLimitChanged', { limit: 'TIER_2K' }, null, 'TIER_2K'],
	]) {
		it(`reports ${event} once, with Kaleyra's raw values and its whole entry`, async () => {
			const emulator = getEmulator();
			const poller = await baselined(emulator);
			emulator.updateNumber(NUMBERS.pending2.id, changes);
			const items = await poller.poll();
			assert.equal(items.length, 1);
			const [item] = items;
			assert.deepEqual(Object.keys(item).sort(), ITEM_KEYS);
			assert.equal(item.event, event);
			assert.equal(item.phoneNumber, NUMBERS.pending2.phoneNumber);
			assert.equal(item.phoneNumberId, NUMBERS.pending2.id);
			assert.equal(item.previous, previous);
			assert.equal(item.current, current);
			assert.equal(item.data.id, NUMBERS.pending2.id);
			assert.equal(item.data.verified_name, NUMBERS.pending2.name);
			assert.equal(await poller.poll(), null, 'reported exactly once');
		});
	}

	it('reports a number added to the WABA, and one no longer listed', async () => {
		const emulator = getEmulator();
		const poller = await baselined(emulator);
		const added = await addNumberThroughApi(emulator, {
			nationalNumber: '9765400099',
			name: 'Acme New Line',
		});
		const [addedItem, ...moreAdded] = await poller.poll();
		assert.deepEqual(moreAdded, []);
		assert.deepEqual(
			{ ...addedItem, data: undefined },
			{
				event: 'numberAdded',
				phoneNumber: '+919765400099',
				phoneNumberId: added.id,
				previous: null,
				current: 'PENDING',
				data: undefined,
			},
		);
		assert.equal(addedItem.data.name, 'Acme New Line');
		assert.equal(await poller.poll(), null);

		// A reset drops numbers added through the API: to the trigger, the number was removed.
		emulator.reset();
		const [removedItem, ...moreRemoved] = await poller.poll();
		assert.deepEqual(moreRemoved, []);
		assert.equal(removedItem.event, 'numberRemoved');
		assert.equal(removedItem.phoneNumberId, added.id);
		assert.equal(removedItem.phoneNumber, '+919765400099');
		assert.equal(removedItem.previous, 'PENDING');
		assert.equal(removedItem.current, null);
		assert.deepEqual(removedItem.data, addedItem.data, 'its last known entry');
		assert.equal(await poller.poll(), null);
	});

	it('reports several changes at once: two events of one number are two items, in a fixed order', async () => {
		const emulator = getEmulator();
		const poller = await baselined(emulator);
		emulator.updateNumber(NUMBERS.approved.id, { status: 'RESTRICTED', limit: 'TIER_10K' });
		emulator.updateNumber(NUMBERS.pending1.id, { nameStatus: 'DECLINED' });
		emulator.updateNumber(NUMBERS.pendingZeroOtp.id, { qualityRating: 'RED' });
		const items = await poller.poll();
		assert.deepEqual(
			items.map(({ event, phoneNumberId, previous, current }) => [
				event,
				phoneNumberId,
				previous,
				current,
			]),
			[
				['nameStatusChanged', NUMBERS.pending1.id, 'PENDING_REVIEW', 'DECLINED'],
				['qualityRatingChanged', NUMBERS.pendingZeroOtp.id, 'UNKNOWN', 'RED'],
				['statusChanged', NUMBERS.approved.id, 'CONNECTED', 'RESTRICTED'],
				['messagingLimitChanged', NUMBERS.approved.id, 'TIER_2K', 'TIER_10K'],
			],
		);
		assert.equal(await poller.poll(), null);
	});

	it('absorbs the changes of events outside the filter: never reported, not even once the filter widens', async () => {
		const emulator = getEmulator();
		const poller = await baselined(emulator, { events: ['nameStatusChanged'] });
		emulator.updateNumber(NUMBERS.pending1.id, { status: 'FLAGGED', nameStatus: 'APPROVED' });
		const items = await poller.poll();
		assert.deepEqual(
			items.map(({ event }) => event),
			['nameStatusChanged'],
		);
		poller.setParameters({ events: ALL_EVENTS });
		assert.equal(await poller.poll(), null, 'the status change went into the baseline');
		emulator.updateNumber(NUMBERS.pending1.id, { status: 'CONNECTED' });
		const [item] = await poller.poll();
		assert.deepEqual(
			[item.event, item.previous, item.current],
			['statusChanged', 'FLAGGED', 'CONNECTED'],
		);
	});

	it('starts a new baseline when the WABA ID changes: no flood of added and removed numbers', async () => {
		const otherWaba = '766000000000002';
		const emulator = await startKaleyraEmulator({
			account: { wabaIds: [WABA_ID, otherWaba] },
			dialect: { detailsPath: 'both' },
			numbers: {
				100000000000001: { phoneNumber: '+919765400001', otp: '123456', state: 'pending' },
				200000000000001: {
					phoneNumber: '+919765400201',
					otp: '123456',
					state: 'approved',
					wabaId: otherWaba,
				},
			},
		});
		try {
			const poller = await baselined(emulator);
			poller.setParameters({ wabaId: otherWaba });
			assert.equal(await poller.poll(), null);
			assert.equal(poller.staticData().baseline.wabaId, otherWaba);
			emulator.updateNumber('200000000000001', { qualityRating: 'YELLOW' });
			const items = await poller.poll();
			assert.deepEqual(
				items.map(({ event, phoneNumberId }) => [event, phoneNumberId]),
				[['qualityRatingChanged', '200000000000001']],
			);
		} finally {
			await emulator.close();
		}
	});
});

describe('Number Trigger: Options › Only These Numbers', () => {
	const watched = `${NUMBERS.pending1.phoneNumber}, +91 97654 00005`;

	it('reads and reports only those numbers: one details read each, the others never', async () => {
		const emulator = getEmulator();
		const poller = await baselined(emulator, { options: { phoneNumbers: watched } });
		assert.deepEqual(
			poller.staticData().baseline.numbers.map(({ id }) => id),
			[NUMBERS.pending1.id, NUMBERS.approved.id],
		);
		emulator.updateNumber(NUMBERS.pending2.id, { status: 'FLAGGED' });
		emulator.updateNumber(NUMBERS.approved.id, { qualityRating: 'RED' });
		const before = emulator.requests.length;
		const items = await poller.poll();
		assert.deepEqual(
			items.map(({ event, phoneNumberId }) => [event, phoneNumberId]),
			[['qualityRatingChanged', NUMBERS.approved.id]],
		);
		const details = emulator.requests
			.slice(before)
			.filter(({ path }) => path.endsWith('/phone_number_details'));
		assert.equal(details.length, 2);
		const fetched = await poller.fetchTestEvent();
		assert.deepEqual(
			fetched.map(({ phoneNumberId }) => phoneNumberId),
			[NUMBERS.pending1.id, NUMBERS.approved.id],
		);
	});

	it('starts a new baseline when the list changes: a number coming into view is not "added"', async () => {
		const emulator = getEmulator();
		const poller = await baselined(emulator, { options: { phoneNumbers: watched } });
		poller.setParameters({
			options: { phoneNumbers: `${watched}, ${NUMBERS.pending2.phoneNumber}` },
		});
		assert.equal(await poller.poll(), null);
		emulator.updateNumber(NUMBERS.pending2.id, { nameStatus: 'DECLINED' });
		const items = await poller.poll();
		assert.deepEqual(
			items.map(({ event, phoneNumberId }) => [event, phoneNumberId]),
			[['nameStatusChanged', NUMBERS.pending2.id]],
		);
	});

	it('names a number it cannot read, before any request', async () => {
		const emulator = getEmulator();
		const poller = pollerFor(emulator, { options: { phoneNumbers: '+919765400001, 9765400002' } });
		await assert.rejects(poller.poll(), (error) => {
			assert.match(error.message, /Only These Numbers: number 2 does not start with "\+"/);
			assert.match(error.description, /country code/);
			return true;
		});
		assert.equal(emulator.requests.length, 0);
	});
});

describe("Number Trigger: Kaleyra's dialects, raw values only", () => {
	it('reads the deprecated messaging_limit_tier where Kaleyra sends it', async () => {
		const emulator = getEmulator();
		emulator.setDialect({ limits: 'tier' });
		const poller = await baselined(emulator);
		emulator.updateNumber(NUMBERS.approved.id, { limit: 'TIER_100K' });
		const [item, ...more] = await poller.poll();
		assert.deepEqual(more, []);
		assert.deepEqual(
			[item.event, item.previous, item.current],
			['messagingLimitChanged', 'TIER_2K', 'TIER_100K'],
		);
		assert.equal(item.data.messaging_limit_tier, 'TIER_100K');
	});

	it('reports a limit sent in both the portfolio and the tier fields once, from the portfolio field', async () => {
		const emulator = getEmulator();
		emulator.setDialect({ limits: 'both' });
		const poller = await baselined(emulator);
		emulator.updateNumber(NUMBERS.approved.id, { limit: 'TIER_10K' });
		const items = await poller.poll();
		assert.equal(items.length, 1);
		assert.deepEqual([items[0].previous, items[0].current], ['TIER_2K', 'TIER_10K']);
		assert.equal(items[0].data.max_daily_conversations_per_business, 10000);
		assert.equal(items[0].data.messaging_limit_tier, 'TIER_10K');
	});

	it('passes health strings through as Kaleyra sent them, and reports no event from them', async () => {
		const emulator = getEmulator();
		emulator.setDialect({ health: 'strings' });
		const poller = await baselined(emulator);
		emulator.updateNumber(NUMBERS.pending1.id, { status: 'CONNECTED' });
		const items = await poller.poll();
		assert.deepEqual(
			items.map(({ event }) => event),
			['statusChanged'],
		);
		assert.equal(typeof items[0].data.can_send_message, 'string');
	});

	for (const detailsPath of ['plus', 'digits']) {
		it(`reads the details whichever path form Kaleyra takes (${detailsPath}), learning it with one extra request at most`, async () => {
			const emulator = getEmulator();
			emulator.setDialect({ detailsPath });
			const poller = await baselined(emulator);
			emulator.updateNumber(NUMBERS.pending1.id, { nameStatus: 'APPROVED' });
			const before = emulator.requests.length;
			const [item] = await poller.poll();
			assert.deepEqual([item.event, item.current], ['nameStatusChanged', 'APPROVED']);
			const count = Object.keys(NUMBERS).length;
			assert.ok(
				emulator.requests.length - before <= 2 + count,
				`${emulator.requests.length - before} requests`,
			);
		});
	}

	for (const listShape of ['array', 'numbers', 'phone_numbers', 'data']) {
		it(`follows a paged list (${listShape}) to its last page`, async () => {
			const emulator = getEmulator();
			emulator.setDialect({ paging: 'cursor', pageSize: 2, listShape });
			const poller = await baselined(emulator);
			assert.equal(poller.staticData().baseline.numbers.length, Object.keys(NUMBERS).length);
			emulator.updateNumber(NUMBERS.unavailable.id, { status: 'OFFLINE' });
			const items = await poller.poll();
			assert.deepEqual(
				items.map(({ event, phoneNumberId }) => [event, phoneNumberId]),
				[['statusChanged', NUMBERS.unavailable.id]],
			);
			// Each page through the node's own path and cursor, never a URL from the answer.
			const lists = emulator.requests.filter(
				({ path }) => path.endsWith('/number') || path.includes('/number?'),
			);
			assert.ok(lists.length >= 6, `${lists.length} list requests`);
		});
	}
});

describe('Number Trigger: Fetch Test Event', () => {
	it('returns the current numbers before any activation and leaves the static data untouched', async () => {
		const emulator = getEmulator();
		const poller = pollerFor(emulator);
		const items = await poller.fetchTestEvent();
		assert.deepEqual(
			items.map(({ phoneNumberId }) => phoneNumberId),
			Object.values(NUMBERS).map(({ id }) => id),
		);
		assert.deepEqual(Object.keys(items[0]).sort(), ITEM_KEYS);
		assert.deepEqual(poller.staticData(), {});
		// Once active, a test fetch changes nothing the next poll reports from.
		assert.equal(await poller.poll(), null);
		const before = poller.staticData();
		emulator.updateNumber(NUMBERS.pending1.id, { status: 'FLAGGED' });
		await poller.fetchTestEvent();
		assert.deepEqual(poller.staticData(), before);
		const [item] = await poller.poll();
		assert.equal(item.event, 'statusChanged');
	});

	it("runs in n8n's WorkflowExecute as the editor runs it (manual mode)", async () => {
		const emulator = getEmulator();
		const { error, items } = await fetchTestEventInEngine({
			parameters: { wabaId: WABA_ID },
			credentials: credentialsFor(emulator),
		});
		assert.equal(error, undefined);
		assert.equal(items.length, Object.keys(NUMBERS).length);
		assert.equal(items[0].phoneNumber, NUMBERS.pending1.phoneNumber);
	});

	it('says so when the WABA has no numbers yet', async () => {
		const emulator = await startKaleyraEmulator({ numbers: {}, dialect: { detailsPath: 'both' } });
		try {
			await assert.rejects(pollerFor(emulator).fetchTestEvent(), (error) => {
				assert.match(error.message, /WABA 766000000000001 has no numbers yet/);
				assert.match(error.description, /Add a number/);
				return true;
			});
		} finally {
			await emulator.close();
		}
	});
});
