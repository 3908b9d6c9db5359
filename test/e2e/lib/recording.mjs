// An opt-in video of what the browser shows (KALEYRA_E2E_VIDEO=1), for the single-take demo n8n's
// verification asks for: Chromium's own screencast frames (over CDP; playwright's video needs an
// ffmpeg download this machine cannot make), joined into an MP4 by Debian's ffmpeg
// (`apt-get install ffmpeg`). Off by default: it slows a CI run and needs that package.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export const videoWanted = process.env.KALEYRA_E2E_VIDEO === '1';

/** Starts recording `page`; `stop()` writes `file` (an .mp4) and answers its path. */
export async function startRecording(page, file) {
	const framesDir = `${file}.frames`;
	fs.rmSync(framesDir, { recursive: true, force: true });
	fs.mkdirSync(framesDir, { recursive: true });
	const frames = [];
	const cdp = await page.context().newCDPSession(page);
	cdp.on('Page.screencastFrame', ({ data, metadata, sessionId }) => {
		const name = `${String(frames.length).padStart(6, '0')}.jpg`;
		fs.writeFileSync(path.join(framesDir, name), Buffer.from(data, 'base64'));
		frames.push({ name, at: metadata.timestamp });
		cdp.send('Page.screencastFrameAck', { sessionId }).catch(() => {});
	});
	await cdp.send('Page.startScreencast', { format: 'jpeg', quality: 80, everyNthFrame: 1 });
	return {
		stop: async () => {
			await cdp.send('Page.stopScreencast');
			await cdp.detach();
			if (frames.length === 0) throw new Error('the screencast sent no frame');
			// Chromium sends a frame only when the page changes: each frame lasts until the next.
			const list = frames.map((frame, i) => {
				const next = frames[i + 1]?.at ?? frame.at + 1;
				return `file '${frame.name}'\nduration ${Math.max(next - frame.at, 0.04).toFixed(3)}`;
			});
			fs.writeFileSync(
				path.join(framesDir, 'frames.txt'),
				`${list.join('\n')}\nfile '${frames.at(-1).name}'\n`,
			);
			const res = spawnSync(
				'ffmpeg',
				[
					'-y',
					'-loglevel',
					'error',
					'-f',
					'concat',
					'-i',
					'frames.txt',
					// Even sizes and a constant rate: what players and n8n's upload form take.
					'-vf',
					'scale=trunc(iw/2)*2:trunc(ih/2)*2',
					'-r',
					'25',
					'-pix_fmt',
					'yuv420p',
					path.resolve(file),
				],
				{ cwd: framesDir, encoding: 'utf8' },
			);
			if (res.error || res.status !== 0)
				throw new Error(`ffmpeg failed: ${res.error?.message ?? res.stderr}`);
			fs.rmSync(framesDir, { recursive: true, force: true });
			return file;
		},
	};
}
