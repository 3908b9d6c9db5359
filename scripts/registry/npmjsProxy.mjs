// An HTTP proxy on 127.0.0.1 that is n8n's only way out: it takes registry.npmjs.org to the local
// Verdaccio and refuses every other host, keeping a list of what was asked. n8n without an
// Enterprise licence installs community packages from registry.npmjs.org only
// (N8N_COMMUNITY_PACKAGES_REGISTRY is a licensed feature), so the install is proven as users run
// it: n8n and its npm still name registry.npmjs.org, and trust the registry's test certificate.
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { NPMJS_HOST } from './verdaccio.mjs';

/**
 * @param {{ port: number, ca: Buffer }} registry the Verdaccio's TLS port and certificate
 * @returns {Promise<{ url: string, env: Record<string, string>, asked: () => { method: string, target: string, allowed: boolean }[], stop: () => Promise<void> }>}
 */
export async function startNpmjsProxy(registry) {
	const asked = [];
	const sockets = new Set();
	const server = http.createServer((req, res) => {
		// A plain-HTTP proxy request with an absolute URL (axios sends https URLs that way).
		let target;
		try {
			target = new URL(req.url);
		} catch {
			target = null;
		}
		const allowed = target?.hostname === NPMJS_HOST && target.protocol === 'https:';
		asked.push({ method: req.method, target: req.url, allowed });
		if (!allowed) {
			res.writeHead(403).end('refused by the e2e proxy');
			return;
		}
		const upstream = https.request(
			{
				host: '127.0.0.1',
				port: registry.port,
				servername: NPMJS_HOST,
				ca: registry.ca,
				method: req.method,
				path: `${target.pathname}${target.search}`,
				headers: { ...req.headers, host: NPMJS_HOST },
			},
			(answer) => {
				res.writeHead(answer.statusCode, answer.headers);
				answer.pipe(res);
			},
		);
		upstream.once('error', () => res.destroy());
		req.pipe(upstream);
	});
	server.on('connect', (req, client, head) => {
		const allowed = req.url === `${NPMJS_HOST}:443`;
		asked.push({ method: 'CONNECT', target: req.url, allowed });
		if (!allowed) {
			client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
			return;
		}
		const upstream = net.connect(registry.port, '127.0.0.1', () => {
			client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
			upstream.write(head);
			upstream.pipe(client);
			client.pipe(upstream);
		});
		const drop = () => {
			upstream.destroy();
			client.destroy();
		};
		upstream.once('error', drop);
		client.once('error', drop);
	});
	server.on('connection', (socket) => {
		sockets.add(socket);
		socket.once('close', () => sockets.delete(socket));
	});
	await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
	const url = `http://127.0.0.1:${server.address().port}`;
	return {
		url,
		// n8n and the npm it runs read these; loopback (the emulator, n8n's task broker) stays direct.
		env: {
			HTTP_PROXY: url,
			HTTPS_PROXY: url,
			http_proxy: url,
			https_proxy: url,
			NO_PROXY: '127.0.0.1,localhost',
			no_proxy: '127.0.0.1,localhost',
		},
		asked: () => [...asked],
		stop: () =>
			new Promise((resolve) => {
				for (const socket of sockets) socket.destroy();
				server.close(() => resolve());
			}),
	};
}
