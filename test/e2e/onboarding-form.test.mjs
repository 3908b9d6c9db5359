// examples/onboarding-full.json in a running n8n (`n8n start`), published, its form filled in
// over HTTP as a person does in a browser (lib/formUser.mjs): the number on the first page,
// the OTP read off the emulator (the person's phone) on the next. Checked against the pages
// n8n served, the requests the Kaleyra emulator got, in order, and the run data n8n saved.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { redactedKey } from '../../emulator/control.mjs';
import { DEFAULT_ACCOUNT, NUMBERS } from '../../emulator/fixtures.mjs';
import {
	FORM_EXAMPLE_ID as WORKFLOW_ID,
	formPathOf,
	openInstance,
	readExamples,
} from '../../scripts/n8n/instance.mjs';
import { FORM_LOGIN } from '../../scripts/n8n/credentials.mjs';
import { restClient } from '../../scripts/n8n/rest.mjs';
import { startN8n, waitUntilServed } from '../../scripts/n8n/server.mjs';
import { formUser } from './lib/formUser.mjs';
import { stopN8nAndClose } from './lib/stopN8n.mjs';
import { freePorts } from '../../scripts/n8n/ports.mjs';
import { executionFromRest, outputsOf } from './lib/runData.mjs';

const skip = process.env.KALEYRA_E2E_TARBALL ? false : 'needs a real n8n: run `npm run test:e2e`';

const KALEYRA_NODE = 'n8n-nodes-kaleyra-whatsapp.kaleyraWhatsAppNumber';
// The form pages that ask for a code: the only nodes whose run data may hold one as typed.
const OTP_PAGES = ['Enter the code', 'Enter the new code'];
const [WABA] = DEFAULT_ACCOUNT.wabaIds;
// What the emulator gives the first number added after a reset.
const FIRST_ADDED_ID = '300000000000001';
const WRONG_OTP = '999999';
// The other example whose form sends a code (Retry OTP after a wrong one): it asks for the login too.
const OTP_FORM_ID = 'kaleyraOnboard01';

const number = (national, name) => ({
	phoneNumber: `+91${national}`,
	countryCode: '91',
	national,
	name,
});

describe('examples/onboarding-full.json, its form filled in over HTTP', { skip }, () => {
	let instance;
	let server;
	let rest;
	let example;
	let formUrl;
	let otpFormUrl;

	before(async () => {
		const [port, brokerPort] = await freePorts(2);
		const examples = readExamples();
		example = examples.find((workflow) => workflow.id === WORKFLOW_ID);
		formUrl = `http://127.0.0.1:${port}/form/${formPathOf(example)}`;
		const otpForm = examples.find((workflow) => workflow.id === OTP_FORM_ID);
		otpFormUrl = `http://127.0.0.1:${port}/form/${formPathOf(otpForm)}`;
		instance = await openInstance({
			tarball: process.env.KALEYRA_E2E_TARBALL,
			port,
			brokerPort,
			workflows: examples,
			activate: [WORKFLOW_ID, OTP_FORM_ID],
		});
		server = await startN8n(instance.n8n, { port });
		rest = restClient(server.url);
		await rest.setUpOwner();
		// n8n answers /rest before it has activated the published workflows.
		await waitUntilServed(formUrl, { login: FORM_LOGIN });
		await waitUntilServed(otpFormUrl, { login: FORM_LOGIN });
	});
	after(() => stopN8nAndClose(server, () => instance?.close()));

	/**
	 * On a fresh emulator (with `faults` set, if given), the first page filled in with the
	 * number; returns the person and the page that follows.
	 */
	async function startOnboarding(newNumber, { faults } = {}) {
		await instance.emulator.reset();
		if (faults) await instance.emulator.setFaults(faults);
		const user = formUser({ login: FORM_LOGIN });
		const first = await user.open(formUrl);
		assert.equal(first.heading, 'Connect a WhatsApp Business number');
		const next = await user.submit(first, {
			'Phone number': newNumber.phoneNumber,
			'Country calling code': newNumber.countryCode,
			'Display name': newNumber.name,
		});
		return { user, next };
	}

	/** What the person's phone shows, oldest first: the emulator's OTP messages to the number. */
	async function readPhone(newNumber) {
		const messages = await instance.emulator.otps(newNumber.phoneNumber);
		assert.ok(messages.length > 0, `no OTP reached ${newNumber.phoneNumber}`);
		return messages;
	}

	/** What Kaleyra got, in the order it got it (the key as its fingerprint, all the emulator shows). */
	async function kaleyraRequests() {
		return (await instance.emulator.requests()).map((r) => ({
			method: r.method,
			path: r.path,
			apiKey: r.headers['api-key'],
			...(r.method === 'POST' && { body: r.json }),
		}));
	}

	const base = `/v2/${DEFAULT_ACCOUNT.sid}/whatsapp`;
	const apiKey = DEFAULT_ACCOUNT.apiKey;
	const sentKey = redactedKey(apiKey);
	const addRequest = (n) => ({
		method: 'POST',
		path: `${base}/${WABA}/number/add`,
		apiKey: sentKey,
		body: {
			phone_number: n.national,
			name: n.name,
			verification_type: 'SMS',
			country_code: '91',
		},
	});
	const verifyRequest = (n, otp) => ({
		method: 'POST',
		path: `${base}/${WABA}/number/verify`,
		apiKey: sentKey,
		body: { id: FIRST_ADDED_ID, phone_number: n.phoneNumber, otp },
	});
	const retryRequest = (n) => ({
		method: 'POST',
		path: `${base}/${WABA}/number/retry_otp`,
		apiKey: sentKey,
		body: { id: FIRST_ADDED_ID, phone_number: n.phoneNumber, type_verification: 'SMS' },
	});
	const detailsRequest = (n) => ({
		method: 'GET',
		path: `${base}/%2B${n.phoneNumber.slice(1)}/phone_number_details`,
		apiKey: sentKey,
	});

	/**
	 * The run as n8n saved it. Checks what every run must hold: the nodes that ran, no API key
	 * in the run data or on any page, and each code typed in present only on the form page that
	 * asked for it, masked in every Kaleyra node.
	 */
	async function savedRun(user, { nodes, otps = [] }) {
		const saved = await rest.get(`/executions/${user.executionId}`);
		const execution = executionFromRest(instance.n8n.target, saved);
		const runData = execution.data.resultData.runData;
		assert.deepEqual(Object.keys(runData).sort(), [...nodes].sort(), 'the nodes that ran');
		assert.equal(execution.status, 'success', `the run ended "${execution.status}"`);
		assert.equal(user.finalStatus, 'success', 'the status the last page polls');

		const everything = JSON.stringify(saved) + user.pages.map((p) => p.html).join('\n');
		assert.ok(!everything.includes(apiKey), 'the API key appears in the run data or a page');
		for (const otp of otps) {
			const holders = Object.keys(runData).filter((name) =>
				JSON.stringify(runData[name]).includes(otp),
			);
			assert.ok(
				holders.length > 0 && holders.every((name) => OTP_PAGES.includes(name)),
				`OTP ${otp} is in the run data of ${JSON.stringify(holders)}`,
			);
		}
		const verifyNodes = example.nodes
			.filter((n) => n.type === KALEYRA_NODE && n.parameters.operation === 'verifyNumber')
			.map((n) => n.name);
		for (const name of verifyNodes.filter((n) => runData[n])) {
			for (const item of outputsOf(execution, name).flat()) assert.match(item.otp, /^\*{4}\d\d$/);
		}
		return execution;
	}

	test('without the login, or with a wrong one, neither form opens or starts a run, and nothing reaches Kaleyra', async () => {
		await instance.emulator.reset();
		const basic = (password) =>
			`Basic ${Buffer.from(`${FORM_LOGIN.user}:${password}`).toString('base64')}`;
		const before = (await rest.get('/executions')).results.length;
		for (const url of [formUrl, otpFormUrl]) {
			for (const headers of [{}, { authorization: basic('not-the-password') }]) {
				assert.equal((await fetch(url, { headers })).status, 401, `GET ${url}`);
				const body = new FormData();
				for (const [i, value] of ['+919765400399', '91', 'Acme Stranger'].entries())
					body.append(`field-${i}`, value);
				const posted = await fetch(url, { method: 'POST', body, headers });
				assert.equal(posted.status, 401, `POST ${url}`);
			}
		}
		assert.equal((await rest.get('/executions')).results.length, before, 'a run started');
		assert.deepEqual(await instance.emulator.requests(), []);
	});

	test('right code: add → verify → details, and the last page shows CONNECTED, GREEN and the verified name', async () => {
		const newNumber = number('9765400099', 'Acme New Line');
		const { user, next: codePage } = await startOnboarding(newNumber);
		assert.equal(codePage.heading, 'Enter the code');
		assert.match(codePage.text, /by SMS to \+919765400099/);

		const messages = await readPhone(newNumber);
		assert.equal(messages.length, 1);
		const sms = messages.at(-1);
		assert.equal(sms.reason, 'add');
		assert.equal(sms.channel, 'SMS');
		const done = await user.submit(codePage, { OTP: sms.otp });

		assert.equal(done.kind, 'ending');
		assert.equal(done.heading, 'Your number is verified');
		for (const shown of [
			'+919765400099 is verified',
			'Status: CONNECTED',
			'Quality rating: GREEN',
			'Verified name: Acme New Line',
			'Messaging limit: TIER_2K',
		])
			assert.ok(done.text.includes(shown), `the last page lacks "${shown}": ${done.text}`);

		assert.deepEqual(await kaleyraRequests(), [
			addRequest(newNumber),
			verifyRequest(newNumber, sms.otp),
			detailsRequest(newNumber),
		]);
		const execution = await savedRun(user, {
			nodes: [
				'Number to onboard',
				'Add Number',
				'Enter the code',
				'Verify Number',
				'Get Number Details',
				'Number connected',
			],
			otps: [sms.otp],
		});
		const [[added]] = outputsOf(execution, 'Add Number');
		assert.equal(added.phoneNumberId, FIRST_ADDED_ID);
		const [[verified]] = outputsOf(execution, 'Verify Number');
		assert.equal(verified.otp, `****${sms.otp.slice(-2)}`);
		// The page's limit is the portfolio's, the field this dialect sends (no per-number tier).
		const [[details]] = outputsOf(execution, 'Get Number Details');
		assert.equal(details.pathForm, 'plus');
		assert.equal(details.messagingLimit, 'TIER_2K');
		assert.equal(details.messagingLimitTier, undefined);
	});

	test('wrong code: add → verify (WA400) → retry_otp → verify → details; the new-code page says why', async () => {
		const newNumber = number('9765400098', 'Acme Second Line');
		const { user, next: codePage } = await startOnboarding(newNumber);
		const retryPage = await user.submit(codePage, { OTP: WRONG_OTP });

		assert.equal(retryPage.heading, 'That code did not work');
		assert.match(retryPage.text, /Kaleyra did not accept it \(Incorrect OTP\)/);
		assert.match(retryPage.text, /new code is on its way by SMS to \+919765400098/);
		const messages = await readPhone(newNumber);
		assert.deepEqual(
			messages.map((m) => m.reason),
			['add', 'retry'],
		);
		const newCode = messages.at(-1).otp;
		const done = await user.submit(retryPage, { OTP: newCode });

		assert.equal(done.heading, 'Your number is verified');
		assert.ok(done.text.includes('Status: CONNECTED'), done.text);
		assert.ok(done.text.includes('Verified name: Acme Second Line'), done.text);
		assert.deepEqual(await kaleyraRequests(), [
			addRequest(newNumber),
			verifyRequest(newNumber, WRONG_OTP),
			retryRequest(newNumber),
			verifyRequest(newNumber, newCode),
			detailsRequest(newNumber),
		]);
		const execution = await savedRun(user, {
			nodes: [
				'Number to onboard',
				'Add Number',
				'Enter the code',
				'Verify Number',
				'Retry OTP',
				'Enter the new code',
				'Verify New Code',
				'Get Number Details',
				'Number connected',
			],
			otps: [WRONG_OTP, newCode],
		});
		const [, [rejected]] = outputsOf(execution, 'Verify Number');
		assert.equal(rejected.error.code, 'WA400');
		assert.deepEqual(rejected.error.fields, ['otp']);
	});

	/** An Error branch's last page: its title, and error.code, error.hint and retryable in words. */
	function assertErrorPage(page, { heading, error, retryable }) {
		assert.equal(page.kind, 'ending');
		assert.equal(page.heading, heading);
		assert.ok(page.text.includes(`(${error.code})`), `no "(${error.code})" in: ${page.text}`);
		assert.ok(page.text.includes(error.hint), `no hint "${error.hint}" in: ${page.text}`);
		assert.equal(error.retryable, retryable);
		assert.equal(page.text.includes('Trying again in a few minutes may work.'), retryable);
	}

	test('a number added before (a lost answer, a second try): Add Number finds its ID and the onboarding goes on to CONNECTED', async () => {
		const taken = number('9765400001', 'Acme Support Again');
		assert.equal(taken.phoneNumber, NUMBERS.pending1.phoneNumber);
		const { user, next: codePage } = await startOnboarding(taken);
		assert.equal(codePage.heading, 'Enter the code');
		const done = await user.submit(codePage, { OTP: NUMBERS.pending1.otp });
		assert.equal(done.heading, 'Your number is verified');
		assert.ok(done.text.includes('Status: CONNECTED'), done.text);
		const execution = await savedRun(user, {
			nodes: [
				'Number to onboard',
				'Add Number',
				'Enter the code',
				'Verify Number',
				'Get Number Details',
				'Number connected',
			],
			otps: [NUMBERS.pending1.otp],
		});
		const [[recovered], failed] = outputsOf(execution, 'Add Number');
		assert.deepEqual(failed, []);
		assert.equal(recovered.alreadyExisted, true);
		assert.equal(recovered.phoneNumberId, NUMBERS.pending1.id);
		const requests = await kaleyraRequests();
		assert.deepEqual(requests[0], addRequest(taken));
		// Then reads only, to find the number, before the verify with the ID found.
		const reads = requests.slice(1, -2);
		assert.ok(reads.length >= 1);
		for (const read of reads) {
			assert.equal(read.method, 'GET');
			assert.ok(read.path.startsWith(`${base}/${WABA}/number`), read.path);
		}
		assert.deepEqual(requests.slice(-2), [
			{
				...verifyRequest(taken, NUMBERS.pending1.otp),
				body: {
					id: NUMBERS.pending1.id,
					phone_number: taken.phoneNumber,
					otp: NUMBERS.pending1.otp,
				},
			},
			detailsRequest(taken),
		]);
	});

	test('errors end on a page built from error.code, error.hint and retryable', async () => {
		// Kaleyra busy at every try: WA500 "Please try again later", retryable.
		const busy = number('9765400097', 'Acme Busy Line');
		let { user, next } = await startOnboarding(busy, {
			faults: { queue: ['wa500TryLater', 'wa500TryLater', 'wa500TryLater'] },
		});
		let execution = await savedRun(user, {
			nodes: ['Number to onboard', 'Add Number', 'Could not add the number'],
		});
		let [, [failed]] = outputsOf(execution, 'Add Number');
		assert.equal(failed.error.code, 'WA500');
		assert.equal(failed.attempts, 3);
		assertErrorPage(next, {
			heading: 'The number could not be added',
			error: failed.error,
			retryable: true,
		});

		// A wrong code twice: Verify New Code's Error.
		const clumsy = number('9765400096', 'Acme Third Line');
		({ user, next } = await startOnboarding(clumsy));
		const retryPage = await user.submit(next, { OTP: WRONG_OTP });
		const done = await user.submit(retryPage, { OTP: WRONG_OTP });
		execution = await savedRun(user, {
			nodes: [
				'Number to onboard',
				'Add Number',
				'Enter the code',
				'Verify Number',
				'Retry OTP',
				'Enter the new code',
				'Verify New Code',
				'Code still wrong',
			],
			otps: [WRONG_OTP],
		});
		[, [failed]] = outputsOf(execution, 'Verify New Code');
		assertErrorPage(done, {
			heading: 'The number is not verified yet',
			error: failed.error,
			retryable: false,
		});
		assert.deepEqual(await kaleyraRequests(), [
			addRequest(clumsy),
			verifyRequest(clumsy, WRONG_OTP),
			retryRequest(clumsy),
			verifyRequest(clumsy, WRONG_OTP),
		]);
	});
});
