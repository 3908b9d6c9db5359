// examples/onboarding-email.json in a running n8n (`n8n start`), published, with real mail
// around it (scripts/mail): a throw-away Dovecot the Email Trigger watches over IMAP, and an
// SMTP endpoint that hands what Send Email sends to Dovecot, into the person's own mailbox. The
// form starts an onboarding; the person's replies are delivered into the onboarding mailbox as
// an MTA delivers mail (LMTP); the answers are read back over IMAP, as the person would. Checked
// against the requests the Kaleyra emulator got, the items on each branch n8n saved, and the
// mails that came back.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DEFAULT_ACCOUNT } from '../../emulator/fixtures.mjs';
import {
	kaleyraCredential,
	mailCredentials,
	ONBOARDING_MAILBOX,
} from '../../scripts/n8n/credentials.mjs';
import { EMAIL_EXAMPLE_ID, publishEmailExample } from '../../scripts/n8n/emailExample.mjs';
import { formPathOf, openInstance, readExamples } from '../../scripts/n8n/instance.mjs';
import { freePort, sleep } from '../../scripts/n8n/ports.mjs';
import { restClient } from '../../scripts/n8n/rest.mjs';
import { startN8n, waitUntilServed } from '../../scripts/n8n/server.mjs';
import { startMailServer } from '../../scripts/mail/mailServer.mjs';
import { formUser } from './lib/formUser.mjs';
import { stopN8nAndClose } from './lib/stopN8n.mjs';
import { executionFromRest, outputsOf } from './lib/runData.mjs';

const skip = process.env.KALEYRA_E2E_TARBALL ? false : 'needs a real n8n: run `npm run test:e2e`';

const [WABA] = DEFAULT_ACCOUNT.wabaIds;
// What the emulator gives the first number added after a reset.
const FIRST_ADDED_ID = '300000000000001';
const WRONG_OTP = '999999';
const EXECUTION_WAIT_MS = 60_000;
const UNFINISHED = ['new', 'running', 'waiting'];

const number = (national, name) => ({ phoneNumber: `+91${national}`, national, name });

describe('examples/onboarding-email.json: an onboarding carried on by email', { skip }, () => {
	let mail;
	let instance;
	let server;
	let rest;
	let formUrl;
	// The last execution of the example already looked at: a reply's run is a newer one.
	let seenExecution = 0;
	// Every OTP that went into a reply: none may come back in a sent email.
	const otpsReplied = new Set();

	before(async () => {
		mail = await startMailServer();
		const port = await freePort();
		const example = readExamples().find((workflow) => workflow.id === EMAIL_EXAMPLE_ID);
		formUrl = `http://127.0.0.1:${port}/form/${formPathOf(example)}`;
		instance = await openInstance({
			tarball: process.env.KALEYRA_E2E_TARBALL,
			port,
			brokerPort: await freePort(),
			credentials: (url) => [kaleyraCredential(url), ...mailCredentials(mail)],
			workflows: [example],
		});
		server = await startN8n(instance.n8n, { port });
		rest = restClient(server.url);
		await rest.setUpOwner();
		await publishEmailExample(rest, instance.n8n.target);
		await waitUntilServed(formUrl);
		// Mail delivered before the trigger watches the mailbox would wait for the next arrival.
		await mail.waitForImapLogin(ONBOARDING_MAILBOX);
	});
	after(() =>
		stopN8nAndClose(
			server,
			() => instance?.close(),
			() => mail?.stop(),
		),
	);

	/** Executions of the example newer than the last one seen, as n8n's REST API lists them. */
	async function newExecutions() {
		const filter = encodeURIComponent(JSON.stringify({ workflowId: EMAIL_EXAMPLE_ID }));
		const { results } = await rest.get(`/executions?filter=${filter}`);
		return results.filter((e) => Number(e.id) > seenExecution);
	}

	/** The new executions, once `count` of them have finished, with their run data, oldest first. */
	async function finishedExecutions(what, { atLeast = 1 } = {}) {
		const deadline = Date.now() + EXECUTION_WAIT_MS;
		let fresh = [];
		while (Date.now() < deadline) {
			fresh = await newExecutions();
			if (fresh.length >= atLeast && fresh.every((e) => !UNFINISHED.includes(e.status))) break;
			await sleep(250);
		}
		const ids = fresh.map((e) => Number(e.id)).sort((a, b) => a - b);
		assert.ok(
			ids.length >= atLeast,
			`${what}: no finished execution, saw ${JSON.stringify(fresh)}`,
		);
		seenExecution = ids.at(-1);
		const executions = [];
		for (const id of ids) {
			const execution = executionFromRest(instance.n8n.target, await rest.get(`/executions/${id}`));
			assert.equal(execution.status, 'success', `${what}: run ${id} ended "${execution.status}"`);
			executions.push(execution);
		}
		return executions;
	}

	/** The one new execution, once it has finished, with its run data. */
	async function nextExecution(what) {
		const executions = await finishedExecutions(what);
		assert.equal(executions.length, 1, `${what}: one new execution expected`);
		return executions[0];
	}

	/** What Kaleyra got since the emulator's last reset, in order. */
	async function kaleyraRequests() {
		return (await instance.emulator.requests()).map((r) => ({
			path: r.path.replace(`/v2/${DEFAULT_ACCOUNT.sid}/whatsapp/${WABA}/number/`, ''),
			body: r.json,
		}));
	}
	const verifyRequest = (n, otp) => ({
		path: 'verify',
		body: { id: FIRST_ADDED_ID, phone_number: n.phoneNumber, otp },
	});
	const addRequest = (n) => ({
		path: 'add',
		body: {
			phone_number: n.national,
			name: n.name,
			verification_type: 'SMS',
			country_code: '91',
		},
	});

	/**
	 * On a fresh emulator, the form filled in for `newNumber` and the person's address; returns
	 * the email that asks the person for the code, and the SMS the number got.
	 */
	async function startOnboarding(person, newNumber) {
		await instance.emulator.reset();
		const user = formUser();
		const first = await user.open(formUrl);
		const done = await user.submit(first, {
			'Phone number': newNumber.phoneNumber,
			'Country calling code': '91',
			'Display name': newNumber.name,
			Email: mail.address(person),
		});
		assert.equal(done.heading, 'Check your email');
		assert.ok(done.text.includes(mail.address(person)), done.text);
		assert.equal(user.finalStatus, 'success');
		await nextExecution('the form');

		const ask = await mail.waitForMail(
			person,
			(m) =>
				m.message.subject === `WhatsApp number ${newNumber.phoneNumber}: your verification code`,
		);
		assert.equal(ask.message.from, mail.address(ONBOARDING_MAILBOX));
		assert.match(ask.message.text, /Reply to this email with the code/);
		const [sms] = await instance.emulator.otps(newNumber.phoneNumber);
		assert.equal(sms.channel, 'SMS');
		assert.deepEqual(await kaleyraRequests(), [addRequest(newNumber)]);
		return { ask, sms };
	}

	/** `person`'s reply to `ask`, its text top-posted above the quoted original or below it. */
	function deliverReply(person, ask, text, { subject, bottomPosted = false, headers } = {}) {
		for (const otp of `${subject} ${text}`.match(/\b\d{6}\b/g) ?? []) otpsReplied.add(otp);
		const quoted = `On Sun, 29 Nov 2026 at 18:00, ${ask.message.from} wrote:\n${ask.message.text
			.split('\n')
			.map((line) => `> ${line}`)
			.join('\n')}`;
		return mail.deliver({
			from: mail.address(person),
			to: mail.address(ONBOARDING_MAILBOX),
			subject,
			inReplyTo: ask.message.messageId,
			text: bottomPosted ? `${quoted}\n\n${text}\n` : `${text}\n\n${quoted}\n`,
			headers,
		});
	}

	/**
	 * `person` replies to `ask` (top-posted, as mail clients do, unless `bottomPosted`), or writes
	 * with `subject` instead; returns the answer that comes back and the run behind it.
	 */
	async function reply(
		person,
		ask,
		text,
		{ subject = `Re: ${ask.message.subject}`, bottomPosted } = {},
	) {
		const before = (await mail.inbox(person)).length;
		await deliverReply(person, ask, text, { subject, bottomPosted });
		const answer = await mail.waitForMail(person, (m, index) => index >= before);
		// Made from the number in the subject, never copied from it.
		const number = subject.match(/\+\d+/)?.[0];
		assert.equal(
			answer.message.subject,
			number
				? `Re: WhatsApp number ${number}: your verification code`
				: 'Re: your WhatsApp onboarding',
		);
		assert.equal(answer.message.from, mail.address(ONBOARDING_MAILBOX));
		const execution = await nextExecution(`the reply "${text}"`);
		return { answer: answer.message.text, execution };
	}

	const ranNodes = (execution) => Object.keys(execution.data.resultData.runData).sort();
	const READ = ['Reply received', 'Read the reply', 'Written by a person'];
	const KNOWN = [...READ, 'Number in onboarding', 'Not in onboarding', 'Onboarding record'];

	/** The OTP a reply carried is in the trigger's run data (the mail as received) and masked anywhere else. */
	function assertOtpOnlyInTheMail(execution, otp) {
		const runData = execution.data.resultData.runData;
		const holders = Object.keys(runData).filter((name) =>
			JSON.stringify(runData[name]).includes(otp),
		);
		assert.deepEqual(holders, ['Reply received'], `OTP ${otp} is in the run data of these nodes`);
		for (const item of outputsOf(execution, 'Verify Number').flat())
			assert.equal(item.otp, `****${otp.slice(-2)}`);
	}

	test('right code: the reply verifies the number, the answer says so, and a later reply finds no onboarding', async () => {
		const person = 'asha';
		const newNumber = number('9765400201', 'Acme Email Line');
		const { ask, sms } = await startOnboarding(person, newNumber);

		const { answer, execution } = await reply(person, ask, `Here it is: ${sms.otp}\n\nAsha`);
		assert.match(answer, /\+919765400201 is verified\. Nothing more to do/);
		assert.deepEqual(
			ranNodes(execution),
			[
				...KNOWN,
				'What the reply asks',
				'Verify Number',
				'Answer: verified',
				'Onboarding done',
			].sort(),
		);
		const [[verified], failed] = outputsOf(execution, 'Verify Number');
		assert.deepEqual(failed, []);
		assert.equal(verified.success, true);
		assert.equal(verified.phoneNumberId, FIRST_ADDED_ID);
		assertOtpOnlyInTheMail(execution, sms.otp);
		assert.deepEqual(await kaleyraRequests(), [
			addRequest(newNumber),
			verifyRequest(newNumber, sms.otp),
		]);

		// Verified: its row is gone, so the same reply again reaches nobody at Kaleyra.
		const again = await reply(person, ask, sms.otp);
		assert.match(again.answer, /We have no onboarding of \+919765400201 for asha@/);
		assert.match(again.answer, /nothing was sent to Kaleyra/);
		assert.deepEqual(
			ranNodes(again.execution),
			[...READ, 'Number in onboarding', 'Not in onboarding', 'Answer: not in onboarding'].sort(),
		);
		assert.equal((await kaleyraRequests()).length, 2, 'nothing more reached Kaleyra');
	});

	test('wrong code, then "call me": the answer is built from error.code and error.hint, a new code comes by voice, and it verifies', async () => {
		const person = 'bilal';
		const newNumber = number('9765400202', 'Acme Voice Line');
		const { ask } = await startOnboarding(person, newNumber);

		const wrong = await reply(person, ask, WRONG_OTP);
		const [, [rejected]] = outputsOf(wrong.execution, 'Verify Number');
		assert.equal(rejected.error.code, 'WA400');
		assert.equal(rejected.error.retryable, false);
		assert.ok(wrong.answer.includes(`(${rejected.error.code})`), wrong.answer);
		assert.ok(wrong.answer.includes(rejected.error.hint), wrong.answer);
		assert.match(wrong.answer, /Kaleyra did not accept the code for \+919765400202/);
		assert.match(wrong.answer, /Reply "resend" for a new code by SMS, or "call me"/);
		assert.ok(ranNodes(wrong.execution).includes('Answer: code not accepted'));
		assertOtpOnlyInTheMail(wrong.execution, WRONG_OTP);

		const voice = await reply(person, ask, 'That did not work. Could you call me instead?');
		assert.match(
			voice.answer,
			/A new 6-digit code is on its way to \+919765400202 by a phone call/,
		);
		const [[sent]] = outputsOf(voice.execution, 'Retry OTP');
		assert.equal(sent.channel, 'VOICE');
		const call = (await instance.emulator.otps(newNumber.phoneNumber)).at(-1);
		assert.equal(call.channel, 'VOICE');
		assert.equal(call.reason, 'retry');

		const right = await reply(person, ask, call.otp);
		assert.match(right.answer, /is verified/);
		assertOtpOnlyInTheMail(right.execution, call.otp);
		assert.deepEqual(await kaleyraRequests(), [
			addRequest(newNumber),
			verifyRequest(newNumber, WRONG_OTP),
			{
				path: 'retry_otp',
				body: {
					id: FIRST_ADDED_ID,
					phone_number: newNumber.phoneNumber,
					type_verification: 'VOICE',
				},
			},
			verifyRequest(newNumber, call.otp),
		]);
	});

	test('no code, two codes, a stranger: polite answers, and nothing reaches Kaleyra', async () => {
		const person = 'chen';
		const newNumber = number('9765400203', 'Acme Quiet Line');
		const { ask } = await startOnboarding(person, newNumber);

		const none = await reply(person, ask, 'Thanks! What happens now?');
		assert.match(
			none.answer,
			/We could not find a 6-digit code in your reply, so nothing was sent to Kaleyra/,
		);
		assert.ok(ranNodes(none.execution).includes('Answer: no single code'));

		const two = await reply(person, ask, 'Is it 123456 or 654321?');
		assert.match(two.answer, /Your reply holds 2 six-digit numbers/);
		assert.match(two.answer, /nothing was sent to Kaleyra/);

		// The number is in onboarding, but not for this address.
		const stranger = await reply('mallory', ask, '112233');
		assert.match(stranger.answer, /We have no onboarding of \+919765400203 for mallory@/);
		assert.ok(ranNodes(stranger.execution).includes('Answer: not in onboarding'));

		// A new mail, no number in its subject, a code there instead: the answer's subject is
		// made anew, so the code does not travel back.
		const fresh = await reply(person, ask, 'See the subject', { subject: 'My code: 445566' });
		assert.match(fresh.answer, /We have no onboarding of a WhatsApp number for chen@/);

		// An auto-reply gets no answer, or a loop of them could start.
		const before = (await mail.inbox(person)).length;
		await deliverReply(person, ask, 'I am out of the office until Monday.', {
			subject: `Automatic reply: ${ask.message.subject}`,
			headers: { 'Auto-Submitted': 'auto-replied' },
		});
		const away = await nextExecution('the auto-reply');
		assert.deepEqual(ranNodes(away), [...READ].sort());
		// Output 0 is what passed (n8n 2.x adds a second one, what the Filter discarded).
		assert.deepEqual(outputsOf(away, 'Written by a person')[0], []);

		assert.equal((await mail.inbox(person)).length, before, 'the auto-reply was answered');
		for (const { execution } of [none, two, stranger, fresh])
			assert.ok(!ranNodes(execution).some((name) => ['Verify Number', 'Retry OTP'].includes(name)));
		assert.deepEqual(await kaleyraRequests(), [addRequest(newNumber)]);
	});

	test('Kaleyra busy: three WA500s give an answer to try later, and the same reply later verifies', async () => {
		const person = 'dara';
		const newNumber = number('9765400204', 'Acme Busy Line');
		const { ask, sms } = await startOnboarding(person, newNumber);
		await instance.emulator.setFaults({
			queue: ['wa500TryLater', 'wa500TryLater', 'wa500TryLater'],
		});

		const busy = await reply(person, ask, sms.otp);
		const [, [failed]] = outputsOf(busy.execution, 'Verify Number');
		assert.equal(failed.error.code, 'WA500');
		assert.equal(failed.error.retryable, true);
		assert.equal(failed.attempts, 3);
		assert.ok(busy.answer.includes(`(${failed.error.code})`), busy.answer);
		assert.ok(busy.answer.includes(failed.error.hint), busy.answer);
		assert.match(busy.answer, /Please send the same reply again in a few minutes/);
		assert.ok(ranNodes(busy.execution).includes('Answer: Kaleyra busy'));

		// Bottom-posted this time: below the quoted mail.
		const later = await reply(person, ask, sms.otp, { bottomPosted: true });
		assert.match(later.answer, /\+919765400204 is verified/);
		assert.deepEqual(await kaleyraRequests(), [
			addRequest(newNumber),
			...Array(3).fill(verifyRequest(newNumber, sms.otp)),
			verifyRequest(newNumber, sms.otp),
		]);
	});

	test('"resend" again and again: three new codes by SMS, then a polite no and nothing more to Kaleyra', async () => {
		const person = 'esme';
		const newNumber = number('9765400205', 'Acme Patient Line');
		const { ask } = await startOnboarding(person, newNumber);
		const retryRequest = {
			path: 'retry_otp',
			body: { id: FIRST_ADDED_ID, phone_number: newNumber.phoneNumber, type_verification: 'SMS' },
		};

		for (let sent = 1; sent <= 3; sent += 1) {
			const again = await reply(person, ask, 'Nothing came. Please resend it.');
			assert.match(again.answer, /A new 6-digit code is on its way to \+919765400205 by SMS/);
			assert.ok(ranNodes(again.execution).includes('Count the new code'));
			assert.equal((await instance.emulator.otps(newNumber.phoneNumber)).length, 1 + sent);
		}
		const refused = await reply(person, ask, 'Still nothing. Resend please!');
		assert.match(refused.answer, /\+919765400205 has had 3 new codes already, so no more are sent/);
		assert.ok(!ranNodes(refused.execution).includes('Retry OTP'));
		assert.deepEqual(await kaleyraRequests(), [
			addRequest(newNumber),
			retryRequest,
			retryRequest,
			retryRequest,
		]);
	});

	test("two replies at once, a stranger's first: each gets its own answer, and only the right one reaches Kaleyra", async () => {
		const person = 'fern';
		const newNumber = number('9765400206', 'Acme Busy Inbox');
		const { ask, sms } = await startOnboarding(person, newNumber);

		// Delivered back to back: the trigger usually takes both in one run, the person's reply
		// second, so every "the item this came from" must find item 1, not item 0.
		const before = {
			fern: (await mail.inbox(person)).length,
			mallory: (await mail.inbox('mallory')).length,
		};
		await deliverReply('mallory', ask, '654321', { subject: `Re: ${ask.message.subject}` });
		await deliverReply(person, ask, sms.otp, { subject: `Re: ${ask.message.subject}` });
		const toFern = await mail.waitForMail(person, (m, index) => index >= before.fern);
		const toMallory = await mail.waitForMail('mallory', (m, index) => index >= before.mallory);
		assert.match(toFern.message.text, /\+919765400206 is verified/);
		assert.match(toMallory.message.text, /We have no onboarding of \+919765400206 for mallory@/);

		const executions = await finishedExecutions('two replies at once');
		const received = executions.flatMap((execution) => outputsOf(execution, 'Reply received')[0]);
		assert.equal(received.length, 2, 'both mails were taken');
		const [verified] = executions.flatMap((execution) =>
			execution.data.resultData.runData['Verify Number']
				? outputsOf(execution, 'Verify Number')[0]
				: [],
		);
		assert.equal(verified.otp, `****${sms.otp.slice(-2)}`);
		assert.deepEqual(await kaleyraRequests(), [
			addRequest(newNumber),
			verifyRequest(newNumber, sms.otp),
		]);
		// How the trigger batched them, for the record: one run (both items) or two.
		console.log(
			`two replies at once: ${executions.length} run(s) on n8n ${instance.n8n.target.n8n}`,
		);
	});

	test('no sent email holds an OTP or the API key', () => {
		const sent = mail.sent();
		assert.ok(sent.length >= 23, `only ${sent.length} emails were sent`);
		assert.ok(otpsReplied.size >= 5);
		// The raw mail and its decoded text: a transfer encoding could hide a code from the raw one.
		for (const { raw, message } of sent) {
			for (const text of [raw, message.subject, message.text]) {
				for (const otp of otpsReplied)
					assert.ok(!new RegExp(`\\b${otp}\\b`).test(text), `OTP ${otp} in a sent email`);
				assert.ok(!text.includes(DEFAULT_ACCOUNT.apiKey), 'the API key in a sent email');
			}
		}
	});
});
