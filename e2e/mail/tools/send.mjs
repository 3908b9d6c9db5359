#!/usr/bin/env node
// Drops one plain-text mail into a test mailbox from a shell, straight to dovecot over LMTP:
//   node e2e/mail/tools/send.mjs --lmtp-port P --from a@x --to b@y --subject S --text T
//     [--to c@z ...] [--in-reply-to <id>] [--host 127.0.0.1]
// The sandbox prints this command with its port filled in; it prints the new Message-ID.
import { parseArgs } from 'node:util';
import { composeMessage, deliverOverLmtp } from './message.mjs';

const { values } = parseArgs({
	options: {
		host: { type: 'string', default: '127.0.0.1' },
		'lmtp-port': { type: 'string' },
		from: { type: 'string' },
		to: { type: 'string', multiple: true },
		subject: { type: 'string', default: '' },
		text: { type: 'string', default: '' },
		'in-reply-to': { type: 'string' },
	},
});

const port = Number(values['lmtp-port']);
if (!port || !values.from || !values.to?.length) {
	console.error(
		'usage: node e2e/mail/tools/send.mjs --lmtp-port P --from a@x --to b@y [--to c@z] --subject S --text T [--in-reply-to ID]',
	);
	process.exit(2);
}

try {
	const { raw, messageId, envelope } = await composeMessage({
		from: values.from,
		to: values.to,
		subject: values.subject,
		text: values.text,
		inReplyTo: values['in-reply-to'],
	});
	await deliverOverLmtp({ host: values.host, port, envelope, raw });
	console.log(messageId);
} catch (error) {
	console.error(`send.mjs: ${error.message}`);
	process.exit(1);
}
