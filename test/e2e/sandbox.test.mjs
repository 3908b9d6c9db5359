// `npm run sandbox`, as a user runs it: it must print where to sign in, serve an n8n that holds
// the examples and the ready credentials, both onboarding examples published with their forms
// answering, print where the OTPs and the mail can be read, answer a mail dropped in on its mail
// page, and leave nothing behind after Ctrl-C, without a word on stderr. n8n's own start-up
// notices stay off the console, whole in the log file the banner names, and the last line says
// the sandbox has stopped.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { test } from 'node:test';
import { NOISE } from '../../scripts/n8n/n8nConsole.mjs';
import { sleep } from '../../scripts/n8n/ports.mjs';
import { restClient } from '../../scripts/n8n/rest.mjs';
import { projectRoot, resolveTarget } from '../../scripts/n8n/targets.mjs';
import { formUser, visibleText } from './lib/formUser.mjs';

/** A port for n8n, the next one free for its task broker and the one after for the mail page. */
async function freePortTriple() {
	for (;;) {
		const port = 20000 + Math.floor(Math.random() * 20000);
		if ((await isFree(port)) && (await isFree(port + 1)) && (await isFree(port + 2))) return port;
	}
}

function isFree(port) {
	return new Promise((resolve) => {
		const server = net.createServer();
		server.once('error', () => resolve(false));
		server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
	});
}

function refusesConnections(url) {
	const { hostname, port } = new URL(url);
	return new Promise((resolve) => {
		const socket = net.connect(Number(port), hostname);
		socket.once('connect', () => {
			socket.destroy();
			resolve(false);
		});
		socket.once('error', () => resolve(true));
	});
}

function waitFor(child, pattern, timeoutMs) {
	let output = '';
	return new Promise((resolve, reject) => {
		const timer = setTimeout(
			() => reject(new Error(`no ${pattern} within ${timeoutMs} ms:\n${output.slice(-3000)}`)),
			timeoutMs,
		);
		const onData = (chunk) => {
			output += chunk;
			if (pattern.test(output)) {
				clearTimeout(timer);
				resolve(output);
			}
		};
		child.stdout.on('data', onData);
		child.stderr.on('data', onData);
		child.once('exit', (code) => {
			clearTimeout(timer);
			reject(
				new Error(`the sandbox exited (code ${code}) before ${pattern}:\n${output.slice(-3000)}`),
			);
		});
	});
}

/** The mail page's text once it shows `pattern`, within the email trigger's few seconds. */
/**
 * Whatever a test left running, stopped. Ctrl-C first: n8n and Dovecot run in process groups of
 * their own, which only the sandbox's own shutdown stops; a kill of its group alone left them
 * running.
 */
async function stopAfterTest(child, exited, logFile) {
	if (child.exitCode === null) {
		process.kill(-child.pid, 'SIGINT');
		await Promise.race([exited, sleep(30_000)]);
	}
	if (child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
	if (logFile) fs.rmSync(logFile, { force: true });
}

async function mailPageShows(url, pattern) {
	let text = '';
	for (const deadline = Date.now() + 60_000; Date.now() < deadline; await sleep(500)) {
		text = visibleText(await (await fetch(url)).text());
		if (pattern.test(text)) return text;
	}
	assert.fail(`the mail page never showed ${pattern}:\n${text.slice(0, 3000)}`);
}

test('npm run sandbox: n8n with the examples, both onboarding forms live, a mail answered, stopped cleanly by Ctrl-C', async () => {
	const port = await freePortTriple();
	// Its own process group, so that Ctrl-C can be sent the way a terminal sends it: to the
	// sandbox and the emulator it started alike.
	const child = spawn(process.execPath, ['scripts/n8n/sandbox.mjs', '--port', String(port)], {
		cwd: projectRoot,
		stdio: ['ignore', 'pipe', 'pipe'],
		detached: true,
	});
	child.stdout.setEncoding('utf8');
	child.stderr.setEncoding('utf8');
	let stderr = '';
	child.stderr.on('data', (chunk) => (stderr += chunk));
	let stdout = '';
	child.stdout.on('data', (chunk) => (stdout += chunk));
	let logFile;
	const exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
	try {
		const printed = await waitFor(child, /Press Ctrl-C to stop\./, 240_000);
		const url = printed.match(/open\s+(http:\S+)/)[1];
		const emulatorUrl = printed.match(/emulator\s+(http:\S+)/)[1];
		const dataFolder = printed.match(/n8n data\s+(\S+)/)[1];
		// This run's own password, printed nowhere but here.
		const [, email, password] = printed.match(/sign in\s+(\S+) \/ (\S+)/);
		const formUrl = printed.match(/form\s+(http:\S+)/)[1];
		const otpPage = printed.match(/OTPs\s+(http:\S+)/)[1];
		const emailFormUrl = printed.match(/Onboard a number by email[\s\S]*?form\s+(http:\S+)/)[1];
		const mailPage = printed.match(/mail\s+(http:\S+)/)[1];
		const [, formUserName, formPassword] = printed.match(
			/forms ask for a login.*\n\s+(\S+) \/ (\S+)/,
		);
		const login = { user: formUserName, password: formPassword };
		logFile = printed.match(/n8n log\s+(\S+)/)[1];
		assert.equal(url, `http://127.0.0.1:${port}`);
		assert.equal(formUrl, `${url}/form/kaleyra-onboarding`);
		assert.equal(otpPage, `${emulatorUrl}/__emulator/`);
		assert.ok(fs.existsSync(dataFolder));

		// n8n's notices that look like failures to a newcomer: in the log, whole, not on the console.
		const noise = (text) => text.split('\n').filter((line) => NOISE.some((re) => re.test(line)));
		assert.deepEqual(noise(printed), [], 'n8n noise on the console');
		assert.doesNotMatch(printed, /Editor is now accessible via/);
		const log = fs.readFileSync(logFile, 'utf8');
		assert.match(log, /Editor is now accessible via/);
		assert.ok(noise(log).length > 0, `no notice of n8n's in its log:\n${log.slice(0, 2000)}`);

		const rest = restClient(url);
		await rest.login({ email, password });
		assert.notEqual(password, 'Kaleyra-Sandbox-1', 'the fixed password of old');
		const workflows = await rest.get('/workflows');
		const names = workflows.map((workflow) => workflow.name).sort();
		assert.deepEqual(names, [
			'Kaleyra: check how your account answers (read-only)',
			'Kaleyra: onboard a WhatsApp number by chat with an AI Agent',
			'Kaleyra: onboard a WhatsApp number by email (add, reply with the OTP, verify or resend)',
			'Kaleyra: onboard a WhatsApp number from a form (add, OTP, verify, status)',
			'Kaleyra: tell the team when a display name is approved or a number is flagged',
			'Kaleyra: verify a batch of WhatsApp numbers',
			'Kaleyra: verify a new WhatsApp number with the OTP from a form',
		]);
		// n8n 2.x's Assistant page would greet the person after sign-in instead of the workflows.
		const settings = await rest.get('/settings');
		if (Array.isArray(settings.activeModules))
			assert.ok(!settings.activeModules.includes('instance-ai'), settings.activeModules.join());
		const credentials = await rest.get('/credentials');
		assert.ok(credentials.some((credential) => credential.type === 'kaleyraWhatsAppApi'));
		assert.ok(credentials.some((credential) => credential.type === 'httpBasicAuth'));
		// Ready to click through: the form answers at the address printed, with the login printed
		// (and only with it), the OTP page too.
		assert.equal((await fetch(formUrl)).status, 401);
		const basic = Buffer.from(`${login.user}:${login.password}`).toString('base64');
		const form = await fetch(formUrl, { headers: { authorization: `Basic ${basic}` } });
		assert.equal(form.status, 200);
		assert.match(await form.text(), /Connect a WhatsApp Business number/);
		const page = await fetch(otpPage);
		assert.equal(page.status, 200);
		assert.match(await page.text(), /Kaleyra emulator/);

		// The email path, as the printed steps say: the form, then a mail dropped in on the mail
		// page (no code in it), and the answer arriving in the person's mailbox on that page.
		const user = formUser({ login });
		const done = await user.submit(await user.open(emailFormUrl), {
			'Phone number': '+919765400098',
			'Country calling code': '91',
			'Display name': 'Acme Mail Line',
			Email: 'you@example.test',
		});
		assert.equal(done.heading, 'Check your email');
		const asked = await mailPageShows(
			mailPage,
			/WhatsApp number \+919765400098: your verification code \[ref [0-9a-f]{32}\]/,
		);
		// A reply is acted on only with the reference its subject carries; the page refuses a post
		// without its own Origin, so this one comes as the page's own form posts it.
		const ref = asked.match(/\[ref ([0-9a-f]{32})\]/)[1];
		// "reply" opens the form with the mail quoted, as the banner says ("above the quoted text").
		const replyHref = (await (await fetch(mailPage)).text())
			.match(/<a href="([^"]+)">reply<\/a>/)[1]
			.replaceAll('&amp;', '&');
		const replyForm = await (await fetch(new URL(replyHref, mailPage))).text();
		const quoted = visibleText(replyForm.match(/<textarea[^>]*>([\s\S]*?)<\/textarea>/)[1]);
		assert.match(quoted, /wrote:\n> Hello,/);
		const drop = await fetch(`${mailPage}send`, {
			method: 'POST',
			headers: {
				'content-type': 'application/x-www-form-urlencoded',
				origin: new URL(mailPage).origin,
			},
			body: new URLSearchParams({
				from: 'you@example.test',
				to: 'onboarding@example.test',
				subject: `Re: WhatsApp number +919765400098: your verification code [ref ${ref}]`,
				text: `Which code do you mean?\n${quoted}`,
			}),
			redirect: 'manual',
		});
		assert.equal(drop.status, 303);
		await mailPageShows(mailPage, /We could not find a 6-digit code in your reply/);

		process.kill(-child.pid, 'SIGINT');
		assert.equal(await exited, 0);
		assert.equal(stderr, '', 'a normal Ctrl-C printed to stderr');
		assert.match(
			stdout.trimEnd().split('\n').at(-1),
			/^\[sandbox\] stopped: .*n8n's log stays in /,
		);
		assert.doesNotMatch(stdout.slice(stdout.indexOf('Press Ctrl-C')), /Shutting down/);
		assert.ok(fs.existsSync(logFile), 'the log file was removed');
		assert.ok(!fs.existsSync(dataFolder), `${dataFolder} was left behind`);
		assert.ok(await refusesConnections(url), 'n8n still answers after Ctrl-C');
		assert.ok(await refusesConnections(emulatorUrl), 'the emulator still answers after Ctrl-C');
		assert.ok(await refusesConnections(mailPage), 'the mail page still answers after Ctrl-C');
	} finally {
		await stopAfterTest(child, exited, logFile);
	}
});

test('npm run sandbox -- --n8n PATH: runs on an n8n the user already has, and refuses what it cannot run', async () => {
	// The pinned install stands in for the user's own n8n, run by the Node it needs, as a user
	// with Node 24 runs the sandbox.
	const pinned = resolveTarget();
	const refused = spawnSync(process.execPath, ['scripts/n8n/sandbox.mjs', '--n8n', os.tmpdir()], {
		cwd: projectRoot,
		encoding: 'utf8',
	});
	assert.equal(refused.status, 2);
	assert.match(refused.stderr, /--n8n .*: no n8n there/);
	const help = spawnSync(process.execPath, ['scripts/n8n/sandbox.mjs', '--help'], {
		cwd: projectRoot,
		encoding: 'utf8',
	});
	assert.match(help.stdout, /--n8n PATH\s+use an n8n you already have/);

	const port = await freePortTriple();
	const child = spawn(
		pinned.nodeBin,
		['scripts/n8n/sandbox.mjs', '--port', String(port), '--n8n', pinned.n8nBin],
		{ cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
	);
	child.stdout.setEncoding('utf8');
	child.stderr.setEncoding('utf8');
	const exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
	let logFile;
	try {
		const printed = await waitFor(child, /Press Ctrl-C to stop\./, 240_000);
		logFile = printed.match(/n8n log\s+(\S+)/)[1];
		assert.match(printed, new RegExp(`using n8n ${pinned.n8n.replaceAll('.', '\\.')} in `));
		assert.doesNotMatch(printed, /\[n8n-install\]/);
		const formUrl = printed.match(/form\s+(http:\S+)/)[1];
		const [, user, password] = printed.match(/forms ask for a login.*\n\s+(\S+) \/ (\S+)/);
		const basic = Buffer.from(`${user}:${password}`).toString('base64');
		const form = await fetch(formUrl, { headers: { authorization: `Basic ${basic}` } });
		assert.equal(form.status, 200);
		process.kill(-child.pid, 'SIGINT');
		assert.equal(await exited, 0);
	} finally {
		await stopAfterTest(child, exited, logFile);
	}
});
