#!/usr/bin/env node
// `npm run sandbox [-- --port 5678] [-- --dialect axis=value,...] [-- --n8n <path>]`: a real n8n with
// this package loaded, the Kaleyra emulator behind a ready credential, the example workflows (the
// two onboarding ones published, so their forms answer at once), a throw-away mail server for the
// email one with a page to read and answer its mail, and an owner account, all in throw-away
// folders. n8n's own output goes to a log file the banner names. Ctrl-C stops n8n, its task
// runner, the emulator and the mail server, and removes the folders.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { dialectText, parseDialectArg } from '../../emulator/dialect.mjs';
import { NUMBERS } from '../../emulator/fixtures.mjs';
import { startMailPage } from '../../e2e/mail/tools/mailPage.mjs';
import { startMailServer } from '../../e2e/mail/tools/mailServer.mjs';
import {
	FORM_LOGIN,
	formCredential,
	kaleyraCredential,
	mailCredentials,
	ONBOARDING_MAILBOX,
} from './credentials.mjs';
import { EMAIL_EXAMPLE_ID, publishEmailExample } from './emailExample.mjs';
import {
	ALERTS_EXAMPLE_ID,
	FORM_EXAMPLE_ID,
	formPathOf,
	openInstance,
	readExamples,
} from './instance.mjs';
import { n8nConsole } from './n8nConsole.mjs';
import { newOwner, signInLines } from './owner.mjs';
import { buildAndPack } from './package.mjs';
import { restClient } from './rest.mjs';
import { reusedTarget, SUPPORTED_N8N } from './reuse.mjs';
import { startN8n, waitUntilServed } from './server.mjs';
import { projectRoot, resolveTarget } from './targets.mjs';

const { values } = parseArgs({
	options: {
		port: { type: 'string', default: '5678' },
		dialect: { type: 'string', default: '' },
		n8n: { type: 'string' },
		help: { type: 'boolean', short: 'h' },
	},
});
const pinned = resolveTarget();
if (values.help) {
	console.log(`npm run sandbox [-- options]: n8n with this package, a Kaleyra emulator, a mail server and the examples
  --port N         n8n on N (default 5678); its task broker takes N+1, the mail page N+2
  --dialect a=v,…  how the emulator answers where Kaleyra's pages leave it open (emulator/README.md)
  --n8n PATH       use an n8n you already have (its package folder or its n8n command, e.g.
                   "$(which n8n)"): ${SUPPORTED_N8N}, run by this Node
                   Without it, the first run installs n8n ${pinned.n8n} into ${path.dirname(pinned.dir)}
                   (about ${pinned.cost}, once); later runs reuse it.`);
	process.exit(0);
}
const port = Number(values.port);
// How the emulator answers where Kaleyra's pages leave it open (emulator/README.md#dialects):
// checked here, so a typo stops the sandbox before anything is built.
let dialect;
try {
	dialect = parseDialectArg(values.dialect);
} catch (error) {
	console.error(`[sandbox] --dialect: ${error.message}`);
	process.exit(2);
}
// This run's own password, printed in the banner below (see owner.mjs).
const owner = newOwner();

let target = pinned;
if (values.n8n) {
	try {
		target = reusedTarget(values.n8n);
	} catch (error) {
		console.error(`[sandbox] ${error.message}`);
		process.exit(2);
	}
	console.log(`[sandbox] using n8n ${target.n8n} in ${target.dir}`);
} else {
	if (!fs.existsSync(pinned.marker))
		console.log(
			`[sandbox] first run: n8n ${pinned.n8n} gets installed (about ${pinned.cost}). ` +
				'Have an n8n already? Ctrl-C, then: npm run sandbox -- --n8n /path/to/n8n',
		);
	const install = spawnSync(process.execPath, [path.join(projectRoot, 'scripts/n8n/install.mjs')], {
		stdio: 'inherit',
	});
	if (install.status !== 0) process.exit(install.status ?? 1);
}

const packDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kaleyra-sandbox-pack-'));
// Outside the throw-away folders, so it can still be read once the sandbox has stopped.
const logFile = path.join(os.tmpdir(), `kaleyra-sandbox-${port}.log`);
const n8nOutput = n8nConsole({ logFile });
let instance;
let server;
let mail;
let mailPage;
let stopping = false;

async function stop(code) {
	if (stopping) return;
	stopping = true;
	n8nOutput.show(false);
	console.log('\n[sandbox] stopping n8n, the emulator and the mail server…');
	await server?.stop();
	await instance?.close();
	await mailPage?.stop();
	await mail?.stop();
	fs.rmSync(packDir, { recursive: true, force: true });
	n8nOutput.close();
	console.log(
		`[sandbox] stopped: n8n, the emulator and the mail server are down, their folders removed; n8n's log stays in ${logFile}`,
	);
	process.exit(code);
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

const examples = readExamples();
const formExample = examples.find((workflow) => workflow.id === FORM_EXAMPLE_ID);
const emailExample = examples.find((workflow) => workflow.id === EMAIL_EXAMPLE_ID);
let formUrl;
let emailFormUrl;
try {
	// Without Dovecot (and not root to install it) the sandbox still runs, minus the email example.
	mail = await startMailServer().catch((error) => {
		console.warn(`[sandbox] no mail server, so no email example: ${error.message}`);
		return null;
	});
	if (mail) mailPage = await startMailPage({ mail, port: port + 2 });
	console.log('[sandbox] building and packing the package…');
	instance = await openInstance({
		tarball: buildAndPack(packDir),
		port,
		// The task broker must not clash with a default n8n that may run on this machine.
		brokerPort: port + 1,
		emulatorDialect: values.dialect,
		credentials: (url) => [
			kaleyraCredential(url),
			formCredential(),
			...(mail ? mailCredentials(mail) : []),
		],
		workflows: examples,
		// Published below through the running n8n: one `n8n publish:workflow` each would boot n8n
		// once more (about 10 s apiece) before the real start.
		activate: [],
		target,
	});
	// n8n 2.x opens its Assistant page after sign-in, instead of the workflows a person came to try.
	if (target.name === 'v2')
		instance.n8n.env.N8N_DISABLED_MODULES = `${target.env.N8N_DISABLED_MODULES},instance-ai`;
	console.log(`[sandbox] starting n8n ${target.n8n} (its output: ${logFile})…`);
	server = await startN8n(instance.n8n, { port, log: n8nOutput.log });
	// n8n dying on its own must not leave the emulator running. Its exit after stop() asked
	// for it (Ctrl-C) is the normal end, not worth a word.
	server.exited.then((code) => {
		if (stopping) return;
		console.error(`[sandbox] n8n stopped on its own (exit code ${code}); stopping the emulator`);
		return stop(1);
	});
	const rest = restClient(server.url);
	await rest.setUpOwner(owner);
	// The alerts example mails the team: published only when there is a mail server.
	for (const id of [FORM_EXAMPLE_ID, ...(mail ? [ALERTS_EXAMPLE_ID] : [])]) {
		const { versionId } = await rest.get(`/workflows/${id}`);
		await rest.post(`/workflows/${id}/activate`, { versionId });
	}
	// Ready means the forms answer and the email example's trigger watches its mailbox.
	formUrl = `${server.url}/form/${formPathOf(formExample)}`;
	await waitUntilServed(formUrl, { login: FORM_LOGIN });
	if (mail) {
		await publishEmailExample(rest, instance.n8n.target);
		emailFormUrl = `${server.url}/form/${formPathOf(emailExample)}`;
		await waitUntilServed(emailFormUrl, { login: FORM_LOGIN });
		await mail.waitForImapLogin(ONBOARDING_MAILBOX);
	}
} catch (error) {
	console.error(
		`[sandbox] could not start: ${error.message}\n[sandbox] n8n's whole output: ${logFile}`,
	);
	await stop(1);
}

const names = examples.map((workflow) => `"${workflow.name}"`).join('\n            ');
const emailSteps = mail
	? `
Onboard a number by email ("${emailExample.name}", published):
  1. form    ${emailFormUrl}
             e.g. +919765400098, 91, Acme Mail Line, you@${mail.domain}
  2. mail    ${mailPage.url}
             every mailbox of the throw-away mail server: "you" gets an email asking for the
             code; press "reply" on it, type the newest code from the OTPs page (or "resend",
             or "call me") above the quoted text, send, and watch the answer arrive
  3. IMAP    ${mail.host}:${mail.imapPort}, SMTP ${mail.host}:${mail.smtpPort}, any user, password ${mail.password}

Watch the Number Trigger fire ("${examples.find((workflow) => workflow.id === ALERTS_EXAMPLE_ID).name}", published):
  approve a display name on the emulator, and within a minute team@${mail.domain} gets a mail
  (mail page above):
    curl -X POST ${instance.emulator.url}/__emulator/numbers/${NUMBERS.pending1.id} -d '{"nameStatus":"APPROVED"}'
  or flag a number: -d '{"status":"FLAGGED"}'
`
	: '';
console.log(`
[sandbox] ready
  open      ${server.url}
${signInLines(owner)}
  workflows ${names}
  emulator  ${instance.emulator.url} (credential "Kaleyra WhatsApp account" points there)
            e.g. number id ${NUMBERS.pending1.id}, phone ${NUMBERS.pending1.phoneNumber}, OTP ${NUMBERS.pending1.otp}
            (until a new code is sent: each one replaces the last, see the OTPs page)
            dialect: ${Object.keys(dialect).length === 0 ? 'the default' : dialectText(dialect)}
            what it received: ${instance.emulator.url}/__emulator/requests
  n8n data  ${instance.userFolder} (removed on exit)
  n8n log   ${logFile} (n8n's whole output; the console leaves out its start-up notices)
  forms ask for a login (credential "Onboarding form (Basic Auth)"), this run's:
            ${FORM_LOGIN.user} / ${FORM_LOGIN.password}

Onboard a number as a user would ("${formExample.name}", published):
  1. form    ${formUrl}
             give a number the emulator does not hold yet, e.g. +919765400099, 91, Acme New Line
  2. OTPs    ${instance.emulator.pageUrl}
             the codes the emulator "sent", as the phone shows them: type the newest one in
             (a wrong one gets a new code sent, once); the last page shows the number's status
  3. the run: workflow → Executions, in the editor (n8n opens a "Production Checklist" over a
             published workflow once per browser; its × closes it)
${emailSteps}Press Ctrl-C to stop.`);
n8nOutput.show(true);
