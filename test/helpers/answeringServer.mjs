// A server on 127.0.0.1 that answers every request with one scripted HTTP answer, written byte
// for byte: for the answers Kaleyra documents that the emulator does not give (E110, WAV2101,
// its 401s, JSON escapes), so the node meets them exactly as written.
import { createServer } from 'node:http';

import { DEFAULT_ACCOUNT } from './kaleyra.mjs';

/**
 * `answer` is `{ status, body, headers? }`, the body a string (raw JSON) or a value to serialize,
 * headers any more to send (a redirect's Location).
 */
export async function startAnsweringServer(answer) {
	const requests = [];
	let current = answer;
	const server = createServer((req, res) => {
		let rawBody = '';
		req.setEncoding('utf8');
		req.on('data', (chunk) => {
			rawBody += chunk;
		});
		req.on('end', () => {
			requests.push({ method: req.method, path: req.url, rawBody });
			const body = typeof current.body === 'string' ? current.body : JSON.stringify(current.body);
			res.writeHead(current.status, {
				'content-type': 'application/json',
				'content-length': Buffer.byteLength(body),
				...current.headers,
			});
			res.end(body);
		});
	});
	await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
	const url = `http://127.0.0.1:${server.address().port}`;
	return {
		url,
		requests,
		answer: (next) => {
			current = next;
			requests.length = 0;
		},
		credentials: () => ({
			region: 'custom',
			baseUrl: url,
			sid: DEFAULT_ACCOUNT.sid,
			apiKey: DEFAULT_ACCOUNT.apiKey,
		}),
		close: () =>
			new Promise((resolve) => {
				server.close(() => resolve());
				server.closeAllConnections();
			}),
	};
}
