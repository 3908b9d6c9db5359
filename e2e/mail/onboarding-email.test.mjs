// examples/onboarding-email.json in a running n8n (`n8n start`), published, with real mail
// around it (e2e/mail/tools): a throw-away Dovecot the Email Trigger watches over IMAP, and an
// SMTP endpoint that hands what Send Email sends to Dovecot, into the person's own mailbox. The
// form starts an onboarding; the person's replies are delivered into the onboarding mailbox as
// an MTA delivers mail (LMTP); the answers are read back over IMAP, as the person would. Checked
// against the requests the Kaleyra emulator got, the items on each branch n8n saved, and the
// mails that came back. Then the attacks of issue 18: replies at once and while a run goes on
// (SMS pumping), forged senders, loops and bulk mail, guesses, a 1 MiB HTML-only mail, and the
// ceilings; each prints its figures.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DEFAULT_ACCOUNT } from '../../emulator/fixtures.mjs';
import {
	FORM_LOGIN,
	formCredential,
	kaleyraCredential,
	mailCredentials,
	ONBOARDING_MAILBOX,
} from '../../scripts/n8n/credentials.mjs';
import { EMAIL_EXAMPLE_ID, publishEmailExample } from '../../scripts/n8n/emailExample.mjs';
import { formPathOf, openInstance, readExamples } from '../../scripts/n8n/instance.mjs';
import { freePorts, sleep } from '../../scripts/n8n/ports.mjs';
import { restClient } from '../../scripts/n8n/rest.mjs';
import { startN8n, waitUntilServed } from '../../scripts/n8n/server.mjs';
import { startMailServer } from './tools/mailServer.mjs';
import { formUser } from '../../test/e2e/lib/formUser.mjs';
import { stopN8nAndClose } from '../../test/e2e/lib/stopN8n.mjs';
import { executionFromRest, outputsOf } from '../../test/e2e/lib/runData.mjs';

const skip = process.env.KALEYRA_E2E_TARBALL ? false : 'needs a real n8n: run `npm run test:e2e`';

const [WABA] = DEFAULT_ACCOUNT.wabaIds;
// What the emulator gives the first number added after a reset.
const FIRST_ADDED_ID = '300000000000001';
const WRONG_OTP = '999999';
const EXECUTION_WAIT_MS = 90_000;
const UNFINISHED = ['new', 'running', 'waiting'];
// The example's limits with its waits shortened, so the suite need not wait a minute between
// codes: 5 s between codes, 1 s between answers, 3 guesses. The rest as shipped.
const LIMITS = { minSecondsBetweenCodes: 5, answerWindowSeconds: 1, maxCodeGuesses: 3 };
const MAX_NEW_CODES = 3;
const MAX_NEW_CODES_PER_NUMBER = 5;
const MAX_CODES_PER_HOUR = 20;
// Replies one after the other wait this long after the last answer, and a request for a new
// code this long after the last code: a little longer than the limits' waits.
const ANSWER_PACE_MS = LIMITS.answerWindowSeconds * 1000 + 1200;
const CODE_PACE_MS = LIMITS.minSecondsBetweenCodes * 1000 + 1200;
const ASKS_FOR_A_CODE = /\b(?:resend|call me|send it again)\b/i;

// How long no new run must start before a batch counts as done: n8n 2.x's Email Trigger can
// notice mail up to about 15 s late (its IMAP client goes idle only after 15 s of quiet); 1.x's
// fetches at once, and 6 s leaves room for a busy machine.
const batchQuietMs = (target) => (target.n8n.startsWith('1.') ? 6000 : 18_000);

const number = (national, name) => ({ phoneNumber: `+91${national}`, national, name });

describe('examples/onboarding-email.json: an onboarding carried on by email', { skip }, () => {
	let mail;
	let instance;
	let server;
	let rest;
	let formUrl;
	let table;
	let projectId;
	// The last execution of the example already looked at: a reply's run is a newer one.
	let seenExecution = 0;
	let lastAnswered = 0;
	let lastCodeSent = 0;
	// Every OTP that went into a reply: none may come back in a sent email.
	const otpsReplied = new Set();
	const figures = [];

	before(async () => {
		mail = await startMailServer();
		const [port, brokerPort] = await freePorts(2);
		const example = readExamples().find((workflow) => workflow.id === EMAIL_EXAMPLE_ID);
		formUrl = `http://127.0.0.1:${port}/form/${formPathOf(example)}`;
		instance = await openInstance({
			tarball: process.env.KALEYRA_E2E_TARBALL,
			port,
			brokerPort,
			credentials: (url) => [kaleyraCredential(url), formCredential(), ...mailCredentials(mail)],
			workflows: [example],
		});
		server = await startN8n(instance.n8n, { port });
		rest = restClient(server.url);
		await rest.setUpOwner();
		projectId = (await rest.get('/projects/personal')).id;
		table = await publishEmailExample(rest, instance.n8n.target, { limits: LIMITS });
		await waitUntilServed(formUrl, { login: FORM_LOGIN });
		// Mail delivered before the trigger watches the mailbox would wait for the next arrival.
		await mail.waitForImapLogin(ONBOARDING_MAILBOX);
	});
	after(async () => {
		for (const line of figures) console.log(`[figures n8n ${instance?.n8n.target.n8n}] ${line}`);
		await stopN8nAndClose(
			server,
			() => instance?.close(),
			() => mail?.stop(),
		);
	});

	/** Executions of the example newer than the last one seen, as n8n's REST API lists them. */
	async function newExecutions() {
		const filter = encodeURIComponent(JSON.stringify({ workflowId: EMAIL_EXAMPLE_ID }));
		const { results } = await rest.get(`/executions?filter=${filter}`);
		return results.filter((e) => Number(e.id) > seenExecution);
	}

	/**
	 * The new executions, once at least `atLeast` of them have finished (and, with `quietMs`,
	 * no new one started for that long), with their run data, oldest first.
	 */
	async function finishedExecutions(what, { atLeast = 1, quietMs = 0 } = {}) {
		const deadline = Date.now() + EXECUTION_WAIT_MS;
		let fresh = [];
		let settledSince = 0;
		let settledCount = -1;
		while (Date.now() < deadline) {
			fresh = await newExecutions();
			const done = fresh.length >= atLeast && fresh.every((e) => !UNFINISHED.includes(e.status));
			if (done && fresh.length !== settledCount) {
				settledCount = fresh.length;
				settledSince = Date.now();
			}
			if (!done) settledCount = -1;
			if (done && Date.now() - settledSince >= quietMs) break;
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
		lastAnswered = Date.now();
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
	const retryRequest = (n, channel = 'SMS') => ({
		path: 'retry_otp',
		body: { id: FIRST_ADDED_ID, phone_number: n.phoneNumber, type_verification: channel },
	});

	/** The example's data table rows, as the editor lists them. */
	async function tableRows() {
		const { data } = await rest.get(`/projects/${projectId}/data-tables/${table.id}/rows`);
		return data;
	}
	const rowOf = async (n) => (await tableRows()).find((row) => row.phoneNumber === n.phoneNumber);
	/** Sets columns of the rows whose phoneNumber is `phoneNumber`, as a person does in the table. */
	const setRow = (phoneNumber, data) =>
		rest.patch(`/projects/${projectId}/data-tables/${table.id}/rows`, {
			filter: {
				type: 'and',
				filters: [{ columnName: 'phoneNumber', condition: 'eq', value: phoneNumber }],
			},
			data,
		});

	/**
	 * On a fresh emulator, the form filled in for `newNumber` and the person's address; returns
	 * the email that asks the person for the code, its reference, and the SMS the number got.
	 */
	/** The onboarding form filled in for `newNumber`, answers to `person`: its last page. */
	async function submitForm(person, newNumber) {
		const user = formUser({ login: FORM_LOGIN });
		const end = await user.submit(await user.open(formUrl), {
			'Phone number': newNumber.phoneNumber,
			'Country calling code': '91',
			'Display name': newNumber.name,
			Email: mail.address(person),
		});
		return { ...end, finalStatus: user.finalStatus };
	}

	/** The mail that asks `person` for the code sent to `newNumber`. */
	const askForCode = (person, newNumber) =>
		mail.waitForMail(
			person,
			(m) =>
				m.message.subject.startsWith(
					`WhatsApp number ${newNumber.phoneNumber}: your verification code [ref `,
				),
			{ timeoutMs: EXECUTION_WAIT_MS },
		);

	async function startOnboarding(person, newNumber) {
		await instance.emulator.reset();
		const done = await submitForm(person, newNumber);
		assert.equal(done.heading, 'Check your email');
		assert.ok(done.text.includes(mail.address(person)), done.text);
		assert.equal(done.finalStatus, 'success');
		await nextExecution('the form');

		const ask = await askForCode(person, newNumber);
		const ref = ask.message.subject.match(/\[ref ([0-9a-f]{32})\]$/)?.[1];
		assert.ok(ref, `a random reference in ${ask.message.subject}`);
		assert.equal(ask.message.from, mail.address(ONBOARDING_MAILBOX));
		assert.match(ask.message.text, /Reply to this email with the code/);
		const [sms] = await instance.emulator.otps(newNumber.phoneNumber);
		assert.equal(sms.channel, 'SMS');
		assert.deepEqual(await kaleyraRequests(), [addRequest(newNumber)]);
		lastCodeSent = Date.now();
		return { ask, sms, ref };
	}

	/** `from`'s mail to the onboarding mailbox: a reply to `ask` unless `subject` says otherwise. */
	function deliverReply(from, ask, text, { subject, bottomPosted = false, headers, html } = {}) {
		for (const otp of `${subject} ${text}`.match(/\b\d{6}\b/g) ?? []) otpsReplied.add(otp);
		const quoted = `On Sun, 29 Nov 2026 at 18:00, ${ask.message.from} wrote:\n${ask.message.text
			.split('\n')
			.map((line) => `> ${line}`)
			.join('\n')}`;
		return mail.deliver({
			from: mail.address(from),
			to: mail.address(ONBOARDING_MAILBOX),
			subject: subject ?? `Re: ${ask.message.subject}`,
			inReplyTo: ask.message.messageId,
			...(html === undefined
				? { text: bottomPosted ? `${quoted}\n\n${text}\n` : `${text}\n\n${quoted}\n` }
				: { html }),
			headers,
		});
	}

	/** Waits until the limits' waits have passed: since the last answer, and for a code request since the last code. */
	async function pace(text = '') {
		const until = Math.max(
			lastAnswered + ANSWER_PACE_MS,
			ASKS_FOR_A_CODE.test(text) ? lastCodeSent + CODE_PACE_MS : 0,
		);
		if (until > Date.now()) await sleep(until - Date.now());
	}

	/**
	 * `person` replies to `ask` (top-posted, as mail clients do, unless `bottomPosted`), or writes
	 * with `subject` instead; returns the answer that comes back and the run behind it.
	 */
	async function reply(person, ask, text, { subject, bottomPosted } = {}) {
		await pace(text);
		const before = (await mail.inbox(person)).length;
		await deliverReply(person, ask, text, { subject, bottomPosted });
		const answer = await mail.waitForMail(person, (m, index) => index >= before, {
			timeoutMs: EXECUTION_WAIT_MS,
		});
		// Made from the number and the reference, never copied from the subject.
		assert.equal(answer.message.subject, `Re: ${ask.message.subject}`);
		assert.equal(answer.message.from, mail.address(ONBOARDING_MAILBOX));
		const execution = await nextExecution(`the reply "${text}"`);
		if (/is on its way/.test(answer.message.text)) lastCodeSent = Date.now();
		return { answer: answer.message.text, execution };
	}

	/** Mails delivered (by `deliver`), then the runs they start; nothing may be sent back. */
	async function unanswered(what, deliver, { quietMs = 0 } = {}) {
		await pace();
		const sentBefore = mail.sent().length;
		await deliver();
		const executions = await finishedExecutions(what, { quietMs });
		assert.equal(mail.sent().length, sentBefore, `${what}: a mail was sent`);
		return executions;
	}

	const ranNodes = (execution) => Object.keys(execution.data.resultData.runData).sort();
	const READ = ['Reply received', 'Read the reply', 'Limits', 'Written by a person'];
	const KNOWN = [
		...READ,
		'Onboarding record',
		'Decide',
		'Not answered just now',
		'Count the reply',
	];
	const itemsOf = (executions, node, output = 0) =>
		executions.flatMap((execution) =>
			execution.data.resultData.runData[node] ? outputsOf(execution, node)[output] : [],
		);

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

	test('without the form login nothing starts: no page, no run, nothing to Kaleyra', async () => {
		await instance.emulator.reset();
		assert.equal((await fetch(formUrl)).status, 401);
		const body = new FormData();
		for (const [i, value] of ['+919765400299', '91', 'Acme Stranger', 'x@people.test'].entries())
			body.append(`field-${i}`, value);
		const posted = await fetch(formUrl, { method: 'POST', body });
		assert.equal(posted.status, 401);
		await sleep(1000);
		assert.deepEqual(await newExecutions(), []);
		assert.deepEqual(await kaleyraRequests(), []);
	});

	test('right code: the reply verifies the number, the answer says so, and a later reply is not answered', async () => {
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
		assert.equal(await rowOf(newNumber), undefined, 'the row is gone once verified');

		// Verified: its row is gone, so the same reply again reaches nobody, and gets no answer.
		const [again] = await unanswered('the same reply again', () =>
			deliverReply(person, ask, sms.otp),
		);
		assert.deepEqual(ranNodes(again), [...READ, 'Onboarding record'].sort());
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
		assert.ok(ranNodes(voice.execution).includes('Count the code this hour'));
		const call = (await instance.emulator.otps(newNumber.phoneNumber)).at(-1);
		assert.equal(call.channel, 'VOICE');
		assert.equal(call.reason, 'retry');

		const right = await reply(person, ask, call.otp);
		assert.match(right.answer, /is verified/);
		assertOtpOnlyInTheMail(right.execution, call.otp);
		assert.deepEqual(await kaleyraRequests(), [
			addRequest(newNumber),
			verifyRequest(newNumber, WRONG_OTP),
			retryRequest(newNumber, 'VOICE'),
			verifyRequest(newNumber, call.otp),
		]);
	});

	test('no code, two codes: polite answers; a stranger, a mail without the reference, an auto-reply: no answer; nothing reaches Kaleyra', async () => {
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

		// The number is in onboarding, with this very subject, but not for this address.
		const [stranger] = await unanswered('a stranger', () => deliverReply('mallory', ask, '112233'));
		assert.deepEqual(outputsOf(stranger, 'Onboarding record')[0], []);
		// A new mail, no number or reference in its subject, a code there instead.
		const [fresh] = await unanswered('a new mail', () =>
			deliverReply(person, ask, 'See the subject', { subject: 'My code: 445566' }),
		);
		assert.deepEqual(outputsOf(fresh, 'Written by a person')[0], []);
		// An auto-reply gets no answer, or a loop of them could start.
		const [away] = await unanswered('the auto-reply', () =>
			deliverReply(person, ask, 'I am out of the office until Monday.', {
				subject: `Automatic reply: ${ask.message.subject}`,
				headers: { 'Auto-Submitted': 'auto-replied' },
			}),
		);
		assert.deepEqual(ranNodes(away), [...READ].sort());
		// Output 0 is what passed (n8n 2.x adds a second one, what the Filter discarded).
		assert.deepEqual(outputsOf(away, 'Written by a person')[0], []);

		for (const { execution } of [none, two])
			assert.ok(!ranNodes(execution).some((name) => ['Verify Number', 'Retry OTP'].includes(name)));
		assert.equal((await mail.inbox('mallory')).length, 0, 'the stranger got mail');
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

		for (let sent = 1; sent <= MAX_NEW_CODES; sent += 1) {
			const again = await reply(person, ask, 'Nothing came. Please resend it.');
			assert.match(again.answer, /A new 6-digit code is on its way to \+919765400205 by SMS/);
			assert.ok(ranNodes(again.execution).includes('Count the code this hour'));
			assert.equal((await instance.emulator.otps(newNumber.phoneNumber)).length, 1 + sent);
		}
		const refused = await reply(person, ask, 'Still nothing. Resend please!');
		assert.match(refused.answer, /\+919765400205 has had 3 new codes already, so no more are sent/);
		assert.ok(!ranNodes(refused.execution).includes('Retry OTP'));
		assert.deepEqual(await kaleyraRequests(), [
			addRequest(newNumber),
			...Array(3).fill(retryRequest(newNumber)),
		]);
	});

	test("two replies at once, a stranger's first: only the person's is answered, and only it reaches Kaleyra", async () => {
		const person = 'fern';
		const newNumber = number('9765400206', 'Acme Busy Inbox');
		const { ask, sms } = await startOnboarding(person, newNumber);

		// Delivered back to back: the trigger usually takes both in one run, the person's reply
		// second, so every "the item this came from" must find item 1, not item 0.
		await pace();
		const before = (await mail.inbox(person)).length;
		await deliverReply('mallory', ask, '654321');
		await deliverReply(person, ask, sms.otp);
		const toFern = await mail.waitForMail(person, (m, index) => index >= before, {
			timeoutMs: EXECUTION_WAIT_MS,
		});
		assert.match(toFern.message.text, /\+919765400206 is verified/);

		const executions = await finishedExecutions('two replies at once');
		const received = itemsOf(executions, 'Reply received');
		assert.equal(received.length, 2, 'both mails were taken');
		const [verified] = itemsOf(executions, 'Verify Number');
		assert.equal(verified.otp, `****${sms.otp.slice(-2)}`);
		assert.equal((await mail.inbox('mallory')).length, 0, 'the stranger got mail');
		assert.deepEqual(await kaleyraRequests(), [
			addRequest(newNumber),
			verifyRequest(newNumber, sms.otp),
		]);
		// How the trigger batched them, for the record: one run (both items) or two.
		console.log(
			`two replies at once: ${executions.length} run(s) on n8n ${instance.n8n.target.n8n}`,
		);
	});

	test('SMS pumping: 10 "resend"/"call me" replies at once, then 10 more while a run is waiting on Kaleyra, give one code per wait and never more than the limit', async () => {
		const person = 'gita';
		const newNumber = number('9765400207', 'Acme Pumped Line');
		const { ask } = await startOnboarding(person, newNumber);
		const words = ['Resend please', 'Call me', 'Please send it again', 'resend', 'call me now'];

		await pace('resend');
		const sentBefore = mail.sent().length;
		const started = Date.now();
		await Promise.all(
			Array.from({ length: 10 }, (_, i) => deliverReply(person, ask, words[i % words.length])),
		);
		const first = await finishedExecutions('10 replies at once', {
			quietMs: batchQuietMs(instance.n8n.target),
		});
		const firstCodes = (await kaleyraRequests()).filter((r) => r.path === 'retry_otp').length;
		const firstMails = mail.sent().length - sentBefore;
		// One run took them all (the usual case): one code. Split over runs: at most one a run.
		if (first.length === 1) assert.equal(firstCodes, 1, 'one new code for 10 replies at once');
		assert.ok(
			firstCodes >= 1 && firstCodes <= first.length,
			`${firstCodes} codes in ${first.length} run(s)`,
		);
		assert.ok(firstMails <= first.length, `${firstMails} mails for ${first.length} run(s)`);
		lastCodeSent = Date.now();
		figures.push(
			`10 replies at once: ${firstCodes} code(s), ${firstMails} mail(s), ${first.length} run(s), ${itemsOf(first, 'Reply received').length} mails read, ${((Date.now() - started) / 1000).toFixed(1)} s`,
		);

		// Kaleyra answers slowly now: 10 more arrive in two waves, the second while the run the
		// first started is still waiting on Kaleyra.
		await instance.emulator.setFaults({ latencyMs: 3000 });
		await pace('resend');
		const waveStart = Date.now();
		const mailsBefore = mail.sent().length;
		for (let i = 0; i < 5; i += 1) await deliverReply(person, ask, words[i]);
		let overlapped = false;
		for (const deadline = Date.now() + 30_000; Date.now() < deadline; await sleep(100)) {
			if ((await newExecutions()).some((e) => e.status === 'running')) {
				overlapped = true;
				break;
			}
		}
		for (let i = 0; i < 5; i += 1) await deliverReply(person, ask, words[(i + 2) % words.length]);
		const waves = await finishedExecutions('10 more replies, some while a run goes on', {
			quietMs: batchQuietMs(instance.n8n.target),
		});
		await instance.emulator.setFaults({});
		const retries = (await instance.emulator.requests()).filter((r) =>
			r.path.endsWith('/retry_otp'),
		);
		const gaps = retries.slice(1).map((r, i) => r.receivedAt - retries[i].receivedAt);
		const waveMails = mail.sent().length - mailsBefore;
		figures.push(
			`10 more, while a run waited on Kaleyra (overlap seen: ${overlapped}): ${retries.length - firstCodes} more code(s), ${waveMails} mail(s), ${waves.length} run(s), ${((Date.now() - waveStart) / 1000).toFixed(1)} s; gaps between codes ${gaps.map((g) => `${(g / 1000).toFixed(1)} s`).join(', ')}`,
		);
		assert.ok(
			retries.length <= MAX_NEW_CODES,
			`${retries.length} codes, the limit is ${MAX_NEW_CODES}`,
		);
		// The workflow counts whole seconds (a gap of 5 may be 4.01 s), and each run reaches Kaleyra
		// a little sooner or later after its check: a second of slack for each.
		for (const gap of gaps)
			assert.ok(gap >= (LIMITS.minSecondsBetweenCodes - 2) * 1000, `codes ${gap} ms apart`);
		assert.ok(waveMails <= waves.length, `${waveMails} mails for ${waves.length} run(s)`);
		const row = await rowOf(newNumber);
		assert.equal(row.newCodes, retries.length, 'the row counts every code sent, and no other');
	});

	test('forged senders: without the reference, with a wrong one, or from our own address, a reply gets nothing and costs nothing', async () => {
		const person = 'hana';
		const newNumber = number('9765400208', 'Acme Forged Line');
		const { ask, ref } = await startOnboarding(person, newNumber);
		const subject = `Re: WhatsApp number ${newNumber.phoneNumber}: your verification code`;
		const wrongRef = ref.replace(/^./, (c) => (c === '0' ? '1' : '0'));
		const forged = [
			// The person's address, the number, no reference: what a forger knows.
			() => deliverReply(person, ask, 'resend', { subject }),
			() => deliverReply(person, ask, 'call me', { subject: `${subject} [ref ${wrongRef}]` }),
			() => deliverReply(person, ask, WRONG_OTP, { subject: `${subject} [ref ${wrongRef}]` }),
			// Our own address with the right reference: answering it would start a loop.
			() => deliverReply(ONBOARDING_MAILBOX, ask, 'resend'),
			// Bulk, list, bounce and automatic mail, with the right reference.
			() => deliverReply(person, ask, 'resend', { headers: { Precedence: 'bulk' } }),
			() => deliverReply(person, ask, 'resend', { headers: { 'List-Id': '<news.people.test>' } }),
			() =>
				deliverReply(person, ask, 'resend', { headers: { 'Auto-Submitted': 'auto-generated' } }),
			() => deliverReply('mailer-daemon', ask, 'Undelivered Mail Returned to Sender: resend'),
		];
		const started = Date.now();
		const executions = await unanswered(
			'forged, looping and bulk mail',
			() => Promise.all(forged.map((deliver) => deliver())),
			{ quietMs: batchQuietMs(instance.n8n.target) },
		);
		// Let a loop show itself: any run after these would be one.
		await sleep(instance.n8n.target.n8n.startsWith('1.') ? 5000 : 20_000);
		assert.deepEqual(await newExecutions(), [], 'more runs started after the forged mail');
		assert.equal(itemsOf(executions, 'Reply received').length, forged.length);
		// Only the two with a wrong reference pass the Filter; the lookup finds neither.
		const passed = itemsOf(executions, 'Written by a person');
		assert.deepEqual(
			passed.map((item) => [item.from, item.token]),
			[
				[mail.address(person), wrongRef],
				[mail.address(person), wrongRef],
			],
		);
		assert.deepEqual(itemsOf(executions, 'Onboarding record'), []);
		assert.deepEqual(await kaleyraRequests(), [addRequest(newNumber)]);
		const row = await rowOf(newNumber);
		assert.equal(row.version, 0, 'the onboarding was not touched');
		figures.push(
			`${forged.length} forged/looping/bulk mails: 0 codes, 0 mails, ${executions.length} run(s), no run after them in ${((Date.now() - started) / 1000).toFixed(0)} s`,
		);
	});

	test('guesses: 12 at once get one check, and after the limit no code is checked', async () => {
		const person = 'ivan';
		const newNumber = number('9765400209', 'Acme Guessed Line');
		const { ask } = await startOnboarding(person, newNumber);
		const guesses = Array.from({ length: 12 }, (_, i) => String(100000 + i * 7919));

		await pace();
		const sentBefore = mail.sent().length;
		await Promise.all(guesses.map((guess) => deliverReply(person, ask, guess)));
		const burst = await finishedExecutions('12 guesses at once', {
			quietMs: batchQuietMs(instance.n8n.target),
		});
		const checked = (await kaleyraRequests()).filter((r) => r.path === 'verify').length;
		const burstMails = mail.sent().length - sentBefore;
		assert.ok(checked <= burst.length, `${checked} checks for ${burst.length} run(s)`);
		assert.ok(checked >= 1);

		// One at a time, each answered, up to the limit, then a polite no.
		let answers = burstMails;
		for (let i = checked; i < LIMITS.maxCodeGuesses; i += 1) {
			const one = await reply(person, ask, String(200000 + i));
			assert.match(one.answer, /Kaleyra did not accept the code/);
			answers += 1;
		}
		const refused = await reply(person, ask, '300000');
		assert.match(refused.answer, /has had 3 codes tried already, so no more are checked by email/);
		assert.ok(!ranNodes(refused.execution).includes('Verify Number'));
		const verifies = (await kaleyraRequests()).filter((r) => r.path === 'verify').length;
		assert.equal(verifies, LIMITS.maxCodeGuesses);
		figures.push(
			`12 guesses at once: ${checked} check(s), ${burstMails} mail(s), ${burst.length} run(s); then ${LIMITS.maxCodeGuesses - checked} more one by one and a refusal: ${verifies} checks in all for ${12 + LIMITS.maxCodeGuesses - checked + 1} guesses, ${answers + 1} mails`,
		);
	});

	test('a 1 MiB HTML-only mail is read in linear time: n8n stays responsive and the genuine reply in the same batch is answered', async () => {
		const person = 'jo';
		const newNumber = number('9765400210', 'Acme Heavy Line');
		const { ask, sms } = await startOnboarding(person, newNumber);
		// What made the old expressions quadratic: opening tags never closed, and a "<" with no ">".
		const html = `<p>resend</p>${'<blockquote'.repeat(48_000)}${'<'.repeat(530_000)}`;
		assert.ok(html.length >= 1024 * 1024);

		const healthz = [];
		let polling = true;
		const poller = (async () => {
			while (polling) {
				const t = Date.now();
				const res = await fetch(`${server.url}/healthz`).catch(() => null);
				healthz.push({ ms: Date.now() - t, ok: res?.status === 200 });
				await sleep(100);
			}
		})();
		await pace();
		const before = (await mail.inbox(person)).length;
		const started = Date.now();
		await deliverReply('mallory', ask, '', { html });
		await deliverReply(person, ask, '', {
			html: `<p>Here: ${sms.otp}</p><blockquote>${html.slice(0, 5000)}</blockquote>`,
		});
		otpsReplied.add(sms.otp);
		const answer = await mail.waitForMail(person, (m, index) => index >= before, {
			timeoutMs: EXECUTION_WAIT_MS,
		});
		const executions = await finishedExecutions('a 1 MiB HTML mail and a reply', {
			quietMs: batchQuietMs(instance.n8n.target),
		});
		polling = false;
		await poller;
		assert.match(answer.message.text, /\+919765400210 is verified/);
		assert.equal(itemsOf(executions, 'Reply received').length, 2);
		const readMs = executions.map(
			(e) => e.data.resultData.runData['Read the reply'][0].executionTime,
		);
		const worst = Math.max(...healthz.map((h) => h.ms));
		figures.push(
			`1 MiB HTML-only mail + a reply: answered in ${((Date.now() - started) / 1000).toFixed(1)} s, "Read the reply" ${readMs.join(' + ')} ms, run(s) ${executions.map((e) => new Date(e.stoppedAt) - new Date(e.startedAt)).join(' + ')} ms, /healthz ${healthz.length} polls, worst ${worst} ms, all 200: ${healthz.every((h) => h.ok)}`,
		);
		// Generous bounds (thousands of times what a run here shows, for a busy 2-core machine),
		// yet nowhere near the minutes the old parse took.
		for (const ms of readMs) assert.ok(ms < 20_000, `"Read the reply" took ${ms} ms`);
		assert.ok(
			healthz.every((h) => h.ok),
			'/healthz failed while the mail was read',
		);
		assert.ok(worst < 20_000, `/healthz took ${worst} ms`);
		assert.deepEqual(await kaleyraRequests(), [
			addRequest(newNumber),
			verifyRequest(newNumber, sms.otp),
		]);
		assert.equal((await mail.inbox('mallory')).length, 0);
	});

	test('ceilings: the new codes of a number, and of the whole workflow in an hour', async () => {
		const person = 'kai';
		const newNumber = number('9765400211', 'Acme Capped Line');
		const { ask } = await startOnboarding(person, newNumber);

		// This number has had its new codes already (an earlier onboarding of it, say).
		await setRow(newNumber.phoneNumber, { numberCodes: MAX_NEW_CODES_PER_NUMBER });
		const perNumber = await reply(person, ask, 'resend');
		assert.match(perNumber.answer, /has had 5 new codes already, so no more are sent by email/);
		await setRow(newNumber.phoneNumber, { numberCodes: 0 });

		// The workflow has sent its codes for this hour.
		const hour = Math.floor(Date.now() / 3_600_000) * 3600;
		await setRow('(all numbers)', { newCodes: MAX_CODES_PER_HOUR, lastCodeAt: hour });
		const perHour = await reply(person, ask, 'resend');
		if (Math.floor(Date.now() / 3_600_000) * 3600 === hour) {
			assert.match(perHour.answer, /as many codes as we allow in an hour, so no new code was sent/);
			assert.ok(!ranNodes(perHour.execution).includes('Retry OTP'));
		}
		assert.deepEqual(
			(await kaleyraRequests()).filter((r) => r.path === 'retry_otp').length,
			Math.floor(Date.now() / 3_600_000) * 3600 === hour ? 0 : 1,
		);
		// The tests after this one may send codes again.
		await setRow('(all numbers)', { newCodes: 0 });
	});

	test('a lost Add Number answer: the form again finds the number added before, and the onboarding goes on to a verified number', async () => {
		const person = 'lena';
		const newNumber = number('9765400212', 'Acme Lost Answer');
		await instance.emulator.reset();
		// Kaleyra adds the number, then the connection breaks before its answer arrives.
		await instance.emulator.setFaults({ queue: ['reset'] });
		const lostEnd = await submitForm(person, newNumber);
		assert.equal(lostEnd.heading, 'The number could not be added');
		await nextExecution('the form, answer lost');
		assert.equal(await rowOf(newNumber), undefined);

		// The same form again: "phone number already exists", so Add Number looks the number up.
		const done = await submitForm(person, newNumber);
		assert.equal(done.heading, 'Check your email');
		const execution = await nextExecution('the form again');
		// Add Number's Recover Existing Number (on by default) found it in the WABA's list.
		const [[recovered], failed] = outputsOf(execution, 'Add Number');
		assert.deepEqual(failed, []);
		assert.equal(recovered.alreadyExisted, true);
		assert.equal(recovered.phoneNumberId, FIRST_ADDED_ID);
		const row = await rowOf(newNumber);
		assert.equal(row.phoneNumberId, FIRST_ADDED_ID);
		const ask = await askForCode(person, newNumber);
		lastCodeSent = Date.now();

		// The first code may be lost with the answer: a new one, then the code verifies.
		const again = await reply(person, ask, 'No code came, please resend');
		assert.match(again.answer, /A new 6-digit code is on its way/);
		const code = (await instance.emulator.otps(newNumber.phoneNumber)).at(-1);
		const right = await reply(person, ask, code.otp);
		assert.match(right.answer, /\+919765400212 is verified/);
		const paths = (await instance.emulator.requests()).map(
			(r) => `${r.method} ${r.path.split('?')[0]}`,
		);
		const numbers = `/v2/${DEFAULT_ACCOUNT.sid}/whatsapp/${WABA}/number`;
		assert.deepEqual(paths, [
			`POST ${numbers}/add`,
			`POST ${numbers}/add`,
			`GET ${numbers}`,
			`POST ${numbers}/retry_otp`,
			`POST ${numbers}/verify`,
		]);
	});

	test('no sent email holds an OTP or the API key', () => {
		const sent = mail.sent();
		assert.ok(sent.length >= 30, `only ${sent.length} emails were sent`);
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
