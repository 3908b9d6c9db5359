// The mail tooling of e2e/mail/tools/ on a real Dovecot (installed from Debian's packages when
// missing, as root): delivery, IMAP reading, the SMTP endpoint and its AUTH, the sandbox page
// and send command, and stopping. Also, when the pinned n8n installs are there, the mail clients
// n8n itself uses: nodemailer (Send Email) and imap / imapflow (Email Trigger).
// Run: node --test e2e/mail/mail.test.mjs
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { ImapFlow } from 'imapflow';
import nodemailer from 'nodemailer';
import { isListening, sleep } from '../../scripts/n8n/ports.mjs';
import { projectRoot, resolveTarget } from '../../scripts/n8n/targets.mjs';
import { ensureDovecot } from './tools/dovecot.mjs';
import { startMailPage } from './tools/mailPage.mjs';
import { startMailServer } from './tools/mailServer.mjs';
import { readMessage } from './tools/message.mjs';
import { startSmtpEndpoint } from './tools/smtpEndpoint.mjs';

let mail;

before(async () => {
	let started = Date.now();
	const { version } = ensureDovecot();
	console.log(`[mail] dovecot ${version} ready in ${Date.now() - started} ms`);
	started = Date.now();
	mail = await startMailServer();
	const startMs = Date.now() - started;
	console.log(
		`[mail] started in ${startMs} ms: IMAP ${mail.imapPort}, SMTP ${mail.smtpPort}, LMTP ${mail.lmtpPort}`,
	);
});

after(async () => {
	await mail?.stop();
});

/** A nodemailer transport to the SMTP endpoint, as n8n's SMTP credential sets one up. */
const smtpTransport = (auth, extra = {}) =>
	nodemailer.createTransport({
		host: mail.host,
		port: mail.smtpPort,
		secure: false,
		...(auth && { auth: { user: auth.user, pass: auth.password }, authMethod: auth.method }),
		...extra,
	});

test('deliver puts a message in the mailbox; IMAP reads it back intact', async () => {
	const subject = 'Willkommen, Jörg – your number ✓ 🎉';
	const text = 'Hello Jörg,\n.a line starting with a dot\n..and two\n.\nEnd.';
	const { messageId } = await mail.deliver({
		from: 'Jörg Müller <joerg@people.test>',
		to: 'intact',
		subject,
		text,
		inReplyTo: '<earlier@example.test>',
		headers: { 'Auto-Submitted': 'auto-replied' },
	});
	const entries = await mail.inbox('intact');
	assert.equal(entries.length, 1);
	const [{ uid, flags, raw, message }] = entries;
	assert.ok(uid > 0);
	assert.ok(!flags.includes('\\Seen'), 'reading over IMAP does not mark it \\Seen');
	assert.ok(Buffer.isBuffer(raw));
	assert.match(raw.toString(), /^Auto-Submitted: auto-replied\r$/m);
	assert.equal(message.subject, subject);
	assert.equal(message.text, text);
	assert.equal(message.from, '"Jörg Müller" <joerg@people.test>');
	assert.equal(message.fromAddress, 'joerg@people.test');
	assert.deepEqual(message.toAddresses, ['intact@example.test']);
	assert.equal(message.messageId, messageId);
	assert.equal(message.inReplyTo, '<earlier@example.test>');
	assert.equal(message.references, '<earlier@example.test>');
	assert.ok(message.date instanceof Date);
	// Local part, full address, other case: one mailbox.
	assert.equal((await mail.inbox('Intact@Example.test')).length, 1);
	assert.deepEqual(await mail.inbox('never-written-to'), []);
});

test('deliver with html makes an HTML-only mail that reads back, with its text', async () => {
	const html = '<p>My code</p><blockquote>quoted &amp; more</blockquote>';
	await mail.deliver({ from: 'a@people.test', to: 'html-only', subject: 's', html });
	const [{ raw, message }] = await mail.inbox('html-only');
	assert.match(raw.toString(), /^Content-Type: text\/html; charset=utf-8\r$/m);
	assert.doesNotMatch(raw.toString(), /text\/plain/);
	assert.equal(message.html.trimEnd(), html);
	assert.equal(message.text, 'My code\n\n> quoted & more');
});

test('the SMTP endpoint with AUTH PLAIN and AUTH LOGIN delivers before it answers', async () => {
	for (const method of ['PLAIN', 'LOGIN']) {
		const to = `smtp-${method.toLowerCase()}@example.test`;
		const info = await smtpTransport({ ...mail.smtpAuth, method }).sendMail({
			from: 'n8n@example.test',
			to,
			subject: `via ${method}`,
			text: '.leading dot\nÜmlaut',
			html: '<p>.leading dot<br>Ümlaut</p>',
		});
		assert.match(info.response, /^250 /);
		// No waiting: the 250 came after dovecot had stored it.
		const [entry] = await mail.inbox(to);
		assert.equal(entry.message.subject, `via ${method}`);
		// The plain-text part of the multipart/alternative nodemailer sends.
		assert.equal(entry.message.text, '.leading dot\nÜmlaut');
		const sent = mail.sent().find((t) => t.to.includes(to));
		assert.equal(sent.from, 'n8n@example.test');
		assert.equal(sent.user, mail.smtpAuth.user);
		assert.equal(sent.message.subject, `via ${method}`);
		assert.ok(sent.time instanceof Date);
	}
});

test('the SMTP endpoint: a wrong password is answered 535, mail without AUTH 530, and no STARTTLS is offered', async () => {
	const sentBefore = mail.sent().length;
	const message = { from: 'n8n@example.test', to: 'nobody@example.test', text: 'x' };
	for (const method of ['PLAIN', 'LOGIN']) {
		await assert.rejects(
			smtpTransport({ user: mail.smtpAuth.user, password: 'wrong', method }).sendMail(message),
			(error) => error.responseCode === 535,
		);
	}
	await assert.rejects(
		smtpTransport(null).sendMail(message),
		(error) => error.responseCode === 530,
	);
	// n8n's SMTP credential with "Disable STARTTLS" off would ask for it: the endpoint has no
	// certificate, so it must not offer it.
	await assert.rejects(
		smtpTransport(mail.smtpAuth, { requireTLS: true }).sendMail(message),
		/STARTTLS/,
	);
	assert.equal(mail.sent().length, sentBefore);
	assert.deepEqual(await mail.inbox('nobody'), []);
});

test('a delivery that fails is answered 451 with its reason', async () => {
	const server = await startSmtpEndpoint({
		auth: (user, password) => user === 'u' && password === 'p',
		deliver: async () => {
			throw new Error('mailbox is on fire');
		},
	});
	try {
		const transport = nodemailer.createTransport({
			host: server.host,
			port: server.port,
			secure: false,
			auth: { user: 'u', pass: 'p' },
		});
		await assert.rejects(
			transport.sendMail({ from: 'a@b.test', to: 'c@d.test', text: 'x' }),
			(error) => error.responseCode === 451 && /mailbox is on fire/.test(error.message),
		);
	} finally {
		await server.stop();
	}
});

test('waitForMail finds a mail that arrives later, and says what is there when none matches', async () => {
	setTimeout(() => {
		mail.deliver({ from: 'someone@people.test', to: 'waiter', subject: 'later', text: 'x' });
	}, 300);
	const found = await mail.waitForMail('waiter', (message) => message.subject === 'later', {
		timeoutMs: 5000,
	});
	// The entry and its parsed message in one: both spellings work.
	assert.equal(found.text, 'x');
	assert.equal(found.message.text, 'x');
	assert.ok(found.uid > 0 && Array.isArray(found.flags) && Buffer.isBuffer(found.raw));
	assert.ok(await mail.waitForMail('waiter', (m) => m.message.subject === 'later'));
	// Or by position: the second mail from now on.
	const before = (await mail.inbox('waiter')).length;
	setTimeout(() => mail.deliver({ from: 'a@people.test', to: 'waiter', subject: 'new' }), 100);
	const next = await mail.waitForMail('waiter', (m, index) => index >= before);
	assert.equal(next.subject, 'new');
	await assert.rejects(
		mail.waitForMail('waiter', (message) => message.subject === 'never', { timeoutMs: 300 }),
		(error) =>
			/no matching mail in waiter@example\.test after 300 ms/.test(error.message) &&
			/subject "later"/.test(error.message),
	);
});

test('waitForImapLogin sees a client log in, and not the reads of this tooling', async () => {
	await mail.inbox('watched');
	await mail.waitForMail('intact', () => true);
	assert.deepEqual(mail.imapLogins('watched'), []);
	await assert.rejects(
		mail.waitForImapLogin('watched', { timeoutMs: 200 }),
		/0 of 1 IMAP logins to watched@example\.test after 200 ms/,
	);
	// Another client (a person's, or n8n's) that names itself; one that does not (node-imap, n8n
	// 1.x's Email Trigger) shows as null, as the node-imap check below sees.
	const client = new ImapFlow({
		host: mail.host,
		port: mail.imapPort,
		secure: false,
		auth: { user: 'watched@example.test', pass: mail.password },
		clientInfo: { name: 'a-mail-client' },
		logger: false,
	});
	await client.connect();
	try {
		const login = await mail.waitForImapLogin('watched', { timeoutMs: 5000 });
		assert.equal(login.client, 'a-mail-client');
		assert.match(login.line, /Login: user=<watched>/);
	} finally {
		await client.logout();
	}
	assert.equal(mail.imapLogins('watched').length, 1);
});

test('send.mjs drops a mail in from the command line', async () => {
	const { stdout } = await promisify(execFile)(process.execPath, [
		path.join(projectRoot, 'e2e/mail/tools/send.mjs'),
		'--lmtp-port',
		String(mail.lmtpPort),
		'--from',
		'someone@people.test',
		'--to',
		'cli@example.test',
		'--subject',
		'From the shell',
		'--text',
		'It works',
	]);
	const [entry] = await mail.inbox('cli');
	assert.equal(entry.message.messageId, stdout.trim());
	assert.equal(entry.message.subject, 'From the shell');
});

test('the mail page lists mailboxes (escaped) and its form delivers', async () => {
	const page = await startMailPage({ mail });
	try {
		await mail.deliver({
			from: 'someone@people.test',
			to: 'page',
			subject: '<script>alert(1)</script>',
			text: 'a & b',
		});
		const html = await (await fetch(page.url)).text();
		assert.match(html, /page@example\.test/);
		assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
		assert.ok(!html.includes('<script>alert(1)'));
		assert.match(html, /a &amp; b/);
		assert.match(html, new RegExp(`send\\.mjs --lmtp-port ${mail.lmtpPort}`));

		// As a browser posts the page's form: it names the page as the Origin.
		const res = await fetch(new URL('/send', page.url), {
			method: 'POST',
			headers: { origin: new URL(page.url).origin },
			body: new URLSearchParams({
				from: 'someone@people.test',
				to: 'page@example.test',
				subject: 'From the form',
				text: 'Typed by hand',
				inReplyTo: '<x@y.test>',
			}),
			redirect: 'manual',
		});
		assert.equal(res.status, 303);
		const entries = await mail.inbox('page');
		assert.equal(entries.at(-1).message.subject, 'From the form');
		assert.equal(entries.at(-1).message.inReplyTo, '<x@y.test>');
		// Another site's page posting the form (a browser sends its Origin) drops nothing in.
		const before = (await mail.inbox('page')).length;
		const forged = await fetch(new URL('/send', page.url), {
			method: 'POST',
			headers: { origin: 'http://attacker.test' },
			body: new URLSearchParams({ from: 'x@people.test', to: 'page', subject: 'forged' }),
			redirect: 'manual',
		});
		assert.equal(forged.status, 403);
		assert.equal((await mail.inbox('page')).length, before);
		const fragment = await (await fetch(new URL('/mailboxes', page.url))).text();
		assert.ok(
			fragment.indexOf('From the form') < fragment.indexOf('&lt;script&gt;'),
			'newest first',
		);
	} finally {
		await page.stop();
	}
});

// Raw, so that Host can be anything: what a DNS-rebinding page's requests carry.
function pageRequest(url, { method = 'GET', headers = {}, body } = {}) {
	return new Promise((resolve, reject) => {
		const req = http.request(url, { method, headers, agent: false }, (res) => {
			let text = '';
			res.setEncoding('utf8');
			res.on('data', (chunk) => (text += chunk));
			res.on('end', () => resolve({ status: res.statusCode, text }));
		});
		req.on('error', reject);
		req.end(body);
	});
}

test('the mail page: no password shown, only its own address, no post without its own Origin', async () => {
	const page = await startMailPage({ mail });
	try {
		await mail.deliver({ from: 'a@people.test', to: 'guarded', subject: 'Code 123456', text: 'x' });
		const own = new URL(page.url);
		const html = await (await fetch(page.url)).text();
		assert.match(html, /guarded@example\.test/);
		assert.ok(!html.includes(mail.password), 'the page shows the mail password');

		// A page on another site that points its own name at 127.0.0.1 reads and posts nothing.
		for (const host of [`evil.test:${own.port}`, `localhost:${own.port}`, '127.0.0.1']) {
			for (const path of ['/', '/mailboxes']) {
				const res = await pageRequest(new URL(path, page.url), { headers: { host } });
				assert.equal(res.status, 403, `${host} ${path}`);
				assert.ok(!res.text.includes('Code 123456'), 'a mail left');
			}
		}
		const form = new URLSearchParams({ from: 'x@people.test', to: 'guarded', subject: 'forged' });
		const type = { 'content-type': 'application/x-www-form-urlencoded' };
		const before = (await mail.inbox('guarded')).length;
		for (const headers of [
			type, // no Origin: curl, or a client that is not the page
			{ ...type, origin: 'http://attacker.test' },
			{ ...type, origin: 'null' },
			{ ...type, origin: `http://localhost:${own.port}` },
			// A forged Host matching a forged Origin once passed the check.
			{ ...type, host: `evil.test:${own.port}`, origin: `http://evil.test:${own.port}` },
		]) {
			const res = await pageRequest(new URL('/send', page.url), {
				method: 'POST',
				headers,
				body: form.toString(),
			});
			assert.equal(res.status, 403, JSON.stringify(headers));
		}
		assert.equal((await mail.inbox('guarded')).length, before, 'a refused post dropped mail in');
		const res = await pageRequest(new URL('/send', page.url), {
			method: 'POST',
			headers: { ...type, origin: own.origin },
			body: form.toString(),
		});
		assert.equal(res.status, 303);
		assert.equal((await mail.inbox('guarded')).length, before + 1);
	} finally {
		await page.stop();
	}
});

// The mail clients inside the pinned n8n installs (scripts/n8n/targets.mjs), when installed.
const n8nRequire = (targetName) => {
	const target = resolveTarget(targetName);
	return fs.existsSync(path.join(target.dir, 'node_modules', 'nodemailer'))
		? createRequire(path.join(target.dir, 'package.json'))
		: null;
};
const missingN8n = (name) =>
	`n8n ${resolveTarget(name).n8n} is not installed under ${path.dirname(resolveTarget(name).dir)} (node scripts/n8n/install.mjs ${name}; N8N_E2E_DIR)`;

for (const name of ['v2', 'v1']) {
	const requireN8n = n8nRequire(name);
	test(
		`n8n ${resolveTarget(name).n8n}'s nodemailer sends through the SMTP endpoint`,
		{
			skip: requireN8n ? false : missingN8n(name),
		},
		async () => {
			const nodemailer = requireN8n('nodemailer');
			for (const authMethod of [undefined, 'LOGIN']) {
				const transport = nodemailer.createTransport({
					host: mail.host,
					port: mail.smtpPort,
					secure: false,
					auth: { user: mail.smtpAuth.user, pass: mail.smtpAuth.password },
					authMethod,
				});
				const subject = `Nodemailer ${name} ${authMethod ?? 'default'} ✓`;
				const info = await transport.sendMail({
					from: '"Kaleyra Onboarding" <n8n@example.test>',
					to: `nodemailer-${name}@example.test`,
					subject,
					text: 'Your code is 123456.\n.dot line',
					html: '<p>Your code is <b>123456</b>.</p>',
				});
				assert.match(info.response, /^250 /);
				const entry = (await mail.inbox(`nodemailer-${name}`)).find(
					(e) => e.message.subject === subject,
				);
				assert.ok(entry, `${subject} is in the mailbox`);
				assert.equal(entry.message.text, 'Your code is 123456.\n.dot line');
				assert.equal(entry.message.fromAddress, 'n8n@example.test');
			}
			const wrong = nodemailer.createTransport({
				host: mail.host,
				port: mail.smtpPort,
				secure: false,
				auth: { user: mail.smtpAuth.user, pass: 'wrong' },
			});
			await assert.rejects(
				wrong.sendMail({ from: 'n8n@example.test', to: 'x@example.test', text: 'x' }),
				(error) => error.responseCode === 535,
			);
		},
	);
}

const v1 = n8nRequire('v1');
test(
	`n8n ${resolveTarget('v1').n8n}'s imap (node-imap): login, UNSEEN, fetch, \\Seen`,
	{
		skip: v1 ? false : missingN8n('v1'),
	},
	async () => {
		const Imap = v1('imap');
		await mail.deliver({ from: 'someone@people.test', to: 'node-imap', subject: 'one', text: '1' });
		await mail.deliver({ from: 'someone@people.test', to: 'node-imap', subject: 'two', text: '2' });
		const imap = new Imap({
			user: mail.address('node-imap'),
			password: mail.password,
			host: mail.host,
			port: mail.imapPort,
			tls: false,
			authTimeout: 5000,
		});
		const call = (method, ...args) =>
			new Promise((resolve, reject) =>
				imap[method](...args, (error, value) => (error ? reject(error) : resolve(value))),
			);
		await new Promise((resolve, reject) => {
			imap.once('ready', resolve);
			imap.once('error', reject);
			imap.connect();
		});
		try {
			const box = await call('openBox', 'INBOX', false);
			assert.equal(box.messages.total, 2);
			const unseen = await call('search', ['UNSEEN']);
			assert.equal(unseen.length, 2);
			const sources = await new Promise((resolve, reject) => {
				const found = [];
				const fetch = imap.fetch(unseen, { bodies: '' });
				fetch.on('message', (msg) => {
					const chunks = [];
					msg.on('body', (stream) => stream.on('data', (chunk) => chunks.push(chunk)));
					msg.once('end', () => found.push(Buffer.concat(chunks)));
				});
				fetch.once('error', reject);
				fetch.once('end', () => resolve(found));
			});
			const subjects = await Promise.all(
				sources.map(async (raw) => (await readMessage(raw)).subject),
			);
			assert.deepEqual(subjects.sort(), ['one', 'two']);
			await call('addFlags', unseen, '\\Seen');
			assert.deepEqual(await call('search', ['UNSEEN']), []);
		} finally {
			imap.end();
		}
		const entries = await mail.inbox('node-imap');
		assert.ok(entries.every((entry) => entry.flags.includes('\\Seen')));
		assert.deepEqual(
			mail.imapLogins('node-imap').map((login) => login.client),
			[null],
		);
	},
);

const v2 = n8nRequire('v2');
test(
	`n8n ${resolveTarget('v2').n8n}'s @n8n/imap (imapflow): IDLE arrival, UNSEEN, fetch, \\Seen`,
	{
		skip: v2 ? false : missingN8n('v2'),
	},
	async () => {
		const { ImapSimple } = v2('@n8n/imap');
		const { ImapFlow } = v2('imapflow');
		const options = {
			user: mail.address('imapflow'),
			password: mail.password,
			host: mail.host,
			port: mail.imapPort,
			secure: false,
			authTimeout: 5000,
		};
		// As the Email Trigger connects, except that IDLE starts after 0.2 s of quiet, not 15 s
		// (imapflow's autoIdleDelay), so the check of dovecot's IDLE push takes a second.
		const { toImapFlowOptions } = v2('@n8n/imap');
		const connection = await ImapSimple.connect(
			options,
			{ mailbox: 'INBOX' },
			() => new ImapFlow({ ...toImapFlowOptions(options), autoIdleDelay: 200 }),
		);
		try {
			const arrived = new Promise((resolve) =>
				connection.onArrival(async (arrival) => resolve(arrival)),
			);
			await sleep(500);
			const started = Date.now();
			await mail.deliver({
				from: 'someone@people.test',
				to: 'imapflow',
				subject: 'idle',
				text: 'x',
			});
			assert.deepEqual(await arrived, { count: 1 });
			const idleMs = Date.now() - started;
			console.log(`[mail] IDLE reported the new mail after ${idleMs} ms`);
			assert.ok(idleMs < 5000);
			const found = await connection.search({ seen: false }, { source: true, envelope: true });
			assert.deepEqual(
				found.map((m) => m.envelope.subject),
				['idle'],
			);
			assert.equal((await readMessage(found[0].source)).text, 'x');
			await connection.addFlags(
				found.map((m) => m.uid),
				['\\SEEN'],
			);
			assert.deepEqual(await connection.search({ seen: false }, {}), []);
		} finally {
			connection.end();
		}
		const [entry] = await mail.inbox('imapflow');
		assert.ok(entry.flags.includes('\\Seen'));
		const login = await mail.waitForImapLogin('imapflow', { timeoutMs: 1000 });
		assert.equal(login.client, 'imapflow');
	},
);

// Last: it stops the mail server the other checks share.
test('stop() ends dovecot and its children, frees the ports and removes the folder', async () => {
	const { imapPort, smtpPort, lmtpPort, dir } = mail;
	const started = Date.now();
	await mail.stop();
	console.log(`[mail] stopped in ${Date.now() - started} ms`);
	const leftovers = spawnSync('ps', ['-eo', 'pid=,stat=,args='], { encoding: 'utf8' })
		.stdout.split('\n')
		.filter((line) => line.includes(`kaleyra-mail-${imapPort}`) || line.includes(dir))
		.filter((line) => !/^\s*\d+\s+Z/.test(line));
	assert.deepEqual(leftovers, []);
	for (const port of [imapPort, smtpPort, lmtpPort]) assert.equal(await isListening(port), false);
	assert.equal(fs.existsSync(dir), false);
});
