// What the sandbox's console shows of n8n's own output. All of it goes, whole, into a log file;
// the console stays quiet while n8n starts and stops (the sandbox says what it is doing), and in
// between shows n8n's lines except the ones that only look alarming to someone trying the
// package: the missing Python runner, deprecation notices, the license client, and the 404s the
// sandbox's own readiness polls cause before the forms are registered.
import fs from 'node:fs';

export const NOISE = [
	/^Failed to start Python task runner/,
	// "… your n8n setup" (2.x), "… your environment variables" (1.x), then one line per variable.
	/^There are deprecations related to your /,
	/^ - [A-Z][A-Z0-9_]+ -> /,
	/^\[license SDK\]/,
	/^Automatic license renewal is disabled/,
	/^Received request for unknown webhook/,
	/^\d{3} The requested webhook .* is not registered/,
	/^Sandbox: enabled=/,
];

/**
 * @param {{ logFile: string, write?: (text: string) => void }} opts
 * @returns {{ log: (chunk: string) => void, show: (on: boolean) => void, close: () => void }}
 *   log: n8n's output as it comes; show: whether its lines reach the console from now on.
 */
export function n8nConsole({ logFile, write = (text) => process.stdout.write(text) }) {
	const fd = fs.openSync(logFile, 'w');
	let shown = false;
	let closed = false;
	let partial = '';
	return {
		log(chunk) {
			// n8n's pipes can still deliver a last chunk after its exit was seen.
			if (closed) return;
			fs.writeSync(fd, chunk);
			const lines = (partial + chunk).split('\n');
			partial = lines.pop();
			if (!shown) return;
			const kept = lines.filter((line) => line.trim() && !NOISE.some((re) => re.test(line)));
			if (kept.length) write(`${kept.map((line) => `[n8n] ${line}`).join('\n')}\n`);
		},
		show(on) {
			shown = on;
		},
		close() {
			if (closed) return;
			closed = true;
			fs.closeSync(fd);
		},
	};
}
