// A small client for n8n's internal REST API (/rest), as the editor uses it: a session cookie,
// plus the `browser-id` header n8n binds that cookie to.
import { randomUUID } from 'node:crypto';
import { newOwner } from './owner.mjs';

export function restClient(baseUrl) {
	const browserId = randomUUID();
	let cookie = '';
	async function call(method, path, body) {
		const res = await fetch(`${baseUrl}/rest${path}`, {
			method,
			headers: {
				'content-type': 'application/json',
				'browser-id': browserId,
				...(cookie && { cookie }),
			},
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const setCookie = res.headers.get('set-cookie');
		if (setCookie) cookie = setCookie.split(';')[0];
		const text = await res.text();
		if (!res.ok) throw new Error(`${method} /rest${path}: HTTP ${res.status} ${text}`);
		return text ? JSON.parse(text).data : undefined;
	}
	return {
		get: (path) => call('GET', path),
		post: (path, body) => call('POST', path, body),
		patch: (path, body) => call('PATCH', path, body),
		/** First start only: makes the owner account (and signs in as it); see owner.mjs. */
		setUpOwner: (owner = newOwner()) => call('POST', '/owner/setup', owner),
		login: ({ email, password }) => call('POST', '/login', { emailOrLdapLoginId: email, password }),
	};
}
