// Mail as text, through the libraries n8n's own email nodes use: nodemailer's composer writes a
// message (Send Email sends with nodemailer), mailparser reads one (the Email Trigger parses with
// it), and nodemailer hands one to Dovecot over LMTP, as a mail server delivers it.
import { simpleParser } from 'mailparser';
import nodemailer from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';

/**
 * A mail as RFC 5322 text, with the envelope it goes in. `references` defaults to `inReplyTo`,
 * as a reply's does; a Message-ID is made up unless `messageId` is given.
 * @param {{ from: string, to: string | string[], subject?: string, text?: string, html?: string,
 *   inReplyTo?: string, references?: string | string[], messageId?: string, date?: Date,
 *   headers?: Record<string, string> }} mail
 * @returns {Promise<{ raw: Buffer, messageId: string, envelope: { from: string, to: string[] } }>}
 */
export async function composeMessage({ references, ...mail }) {
	const compiled = new MailComposer({
		...mail,
		references: references ?? mail.inReplyTo,
	}).compile();
	return {
		raw: await compiled.build(),
		messageId: compiled.messageId(),
		envelope: compiled.getEnvelope(),
	};
}

/** Hands a whole message to an LMTP listener (Dovecot's): every recipient has it once this resolves. */
export async function deliverOverLmtp({ host = '127.0.0.1', port, envelope, raw }) {
	const transport = nodemailer.createTransport({ host, port, lmtp: true, ignoreTLS: true });
	try {
		const { rejected, rejectedErrors = [] } = await transport.sendMail({ envelope, raw });
		if (rejected.length > 0) {
			throw new Error(`LMTP refused ${rejected.join(', ')}: ${rejectedErrors.join('; ')}`);
		}
	} finally {
		transport.close();
	}
}

const groups = (field) => [field ?? []].flat();
const addressesOf = (field) =>
	groups(field)
		.flatMap((group) => group.value)
		.flatMap((entry) => entry.group ?? [entry])
		.map((entry) => entry.address)
		.filter(Boolean);

/**
 * What a test or the mail page reads of a message, as mailparser gives it.
 * @param {Buffer | string} raw a whole message.
 * @returns {Promise<{ from: string, fromAddress: string | null, to: string, toAddresses: string[],
 *   subject: string, messageId: string | null, inReplyTo: string | null,
 *   references: string | null, date: Date | null, text: string, html: string | null }>}
 *   from, to: as mailparser writes them out; text: the plain-text part (or the HTML one's text)
 *   without trailing line breaks.
 */
export async function readMessage(raw) {
	const mail = await simpleParser(raw, { skipTextToHtml: true, skipImageLinks: true });
	return {
		from: groups(mail.from)
			.map((group) => group.text)
			.join(', '),
		fromAddress: addressesOf(mail.from)[0] ?? null,
		to: groups(mail.to)
			.map((group) => group.text)
			.join(', '),
		toAddresses: addressesOf(mail.to),
		subject: mail.subject ?? '',
		messageId: mail.messageId ?? null,
		inReplyTo: mail.inReplyTo ?? null,
		references: [mail.references ?? []].flat().join(' ') || null,
		date: mail.date ?? null,
		text: (mail.text ?? '').replace(/\n+$/, ''),
		html: mail.html || null,
	};
}
