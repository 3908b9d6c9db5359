#!/usr/bin/env node
// `node scripts/media/onboardingAnimation.mjs`: the short animation at the top of the README,
// made from real screenshots. It starts the sandbox (`npm run sandbox`, so the pinned n8n must
// install once), onboards a number through the form example in Chromium as a person does (the
// form, the code from the emulator's OTP page, the verified page), and joins the screenshots
// with ffmpeg into docs/media/onboarding-form.gif. Needs Debian's chromium and ffmpeg; opt-in,
// never run by CI.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { launchChromium } from '../../test/e2e/lib/browser.mjs';
import { projectRoot } from '../n8n/targets.mjs';

const OUT = path.join(projectRoot, 'docs/media/onboarding-form.gif');
const WIDTH = 720;
const frames = fs.mkdtempSync(path.join(os.tmpdir(), 'kaleyra-animation-'));
/** Each screenshot and how long it stays on screen, in seconds. */
const shots = [];

const sandbox = spawn(process.execPath, ['scripts/n8n/sandbox.mjs', '--port', '25900'], {
	cwd: projectRoot,
	detached: true,
	stdio: ['ignore', 'pipe', 'inherit'],
});
let printed = '';
sandbox.stdout.on('data', (chunk) => (printed += chunk));
const exited = new Promise((resolve) => sandbox.once('exit', resolve));

async function banner() {
	while (!printed.includes('Press Ctrl-C to stop.')) {
		if (sandbox.exitCode !== null) throw new Error(`the sandbox exited:\n${printed}`);
		await new Promise((resolve) => setTimeout(resolve, 500));
	}
	return printed;
}

let browser;
try {
	const text = await banner();
	const formUrl = text.match(/1\. form\s+(http:\S+)/)[1];
	const otpPage = text.match(/OTPs\s+(http:\S+)/)[1];
	const [, user, password] = text.match(/forms ask for a login.*\n\s+(\S+) \/ (\S+)/);
	browser = await launchChromium();
	const page = await browser.context.newPage();
	await page.setViewportSize({ width: 960, height: 640 });
	await page.setExtraHTTPHeaders({
		authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
	});
	const shoot = async (target, seconds) => {
		const file = path.join(frames, `${String(shots.length).padStart(2, '0')}.png`);
		await target.screenshot({ path: file });
		shots.push({ file, seconds });
	};

	await page.goto(formUrl);
	await page.getByLabel('Phone number').waitFor();
	await shoot(page, 1.5);
	await page.getByLabel('Phone number').fill('+919765400099');
	await page.getByLabel('Country calling code').fill('91');
	await page.getByLabel('Display name').fill('Acme New Line');
	await shoot(page, 2);
	await page.locator('button[type="submit"]').click();
	await page.getByLabel('OTP').waitFor({ timeout: 60_000 });
	await shoot(page, 2);

	// The person's phone: the emulator's page of the codes it "sent".
	const phone = await browser.context.newPage();
	await phone.setViewportSize({ width: 960, height: 640 });
	await phone.goto(otpPage);
	await phone.getByText('9765400099').first().waitFor();
	await shoot(phone, 2.5);
	const phoneText = await phone.locator('body').innerText();
	const code = phoneText.slice(phoneText.indexOf('9765400099')).match(/\b(\d{6})\b/)[1];
	await phone.close();

	await page.getByLabel('OTP').fill(code);
	await shoot(page, 1.5);
	await page.locator('button[type="submit"]').click();
	await page.getByText('Your number is verified').waitFor({ timeout: 60_000 });
	await page.waitForTimeout(500);
	await shoot(page, 3.5);

	// ffmpeg's concat list: each frame with its duration (the last one named twice, as it asks).
	const list = path.join(frames, 'frames.txt');
	fs.writeFileSync(
		list,
		[
			...shots.map((s) => `file '${s.file}'\nduration ${s.seconds}`),
			`file '${shots.at(-1).file}'`,
		].join('\n'),
	);
	fs.mkdirSync(path.dirname(OUT), { recursive: true });
	// Few colours and no dithering: flat web pages stay sharp and the file small.
	execFileSync('ffmpeg', [
		'-y',
		'-loglevel',
		'error',
		'-f',
		'concat',
		'-safe',
		'0',
		'-i',
		list,
		'-vf',
		`fps=2,scale=${WIDTH}:-1:flags=lanczos,split[a][b];[a]palettegen=max_colors=48:stats_mode=full[p];[b][p]paletteuse=dither=none`,
		'-loop',
		'0',
		OUT,
	]);
	console.log(
		`[animation] ${path.relative(projectRoot, OUT)}: ${Math.round(fs.statSync(OUT).size / 1024)} KB`,
	);
} finally {
	await browser?.close();
	if (sandbox.exitCode === null) {
		process.kill(-sandbox.pid, 'SIGINT');
		await exited;
	}
	fs.rmSync(frames, { recursive: true, force: true });
}
