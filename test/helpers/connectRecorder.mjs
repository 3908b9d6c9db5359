// A stand-in HTTPS proxy on 127.0.0.1 that only records which host a CONNECT
// asks for, then refuses it. With HTTPS_PROXY pointing here, a request for a
// real Kaleyra domain shows its host without a byte leaving this machine.
import http from 'node:http';

export async function startConnectRecorder() {
	const hosts = [];
	const server = http.createServer((_req, res) => res.writeHead(405).end());
	server.on('connect', (req, socket) => {
		hosts.push(req.url);
		socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n');
	});
	await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
	return {
		url: `http://127.0.0.1:${server.address().port}`,
		hosts,
		close: () => new Promise((resolve) => server.close(resolve)),
	};
}
