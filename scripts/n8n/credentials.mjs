// The credentials the examples refer to, in the form `n8n import:credentials` takes (plain-text
// data): Kaleyra's (id kaleyraSandbox01) pointed at a base URL such as the emulator's, and the
// email example's IMAP and SMTP ones pointed at a throw-away mail server (e2e/mail/tools).
import { randomBytes } from 'node:crypto';
import { DEFAULT_ACCOUNT } from '../../emulator/fixtures.mjs';

export const EXAMPLE_CREDENTIAL = { id: 'kaleyraSandbox01', name: 'Kaleyra WhatsApp account' };

export function kaleyraCredential(
	baseUrl,
	{
		id = EXAMPLE_CREDENTIAL.id,
		name = EXAMPLE_CREDENTIAL.name,
		apiKey = DEFAULT_ACCOUNT.apiKey,
	} = {},
) {
	return {
		id,
		name,
		type: 'kaleyraWhatsAppApi',
		data: { region: 'custom', baseUrl, sid: DEFAULT_ACCOUNT.sid, apiKey },
	};
}

/** The onboarding mailbox the email example's trigger watches, and the SMTP its answers leave by. */
export const ONBOARDING_MAILBOX = 'onboarding';

export function mailCredentials(mail) {
	return [
		{
			id: 'kaleyraImap01',
			name: 'Onboarding mailbox (IMAP)',
			type: 'imap',
			data: {
				user: mail.address(ONBOARDING_MAILBOX),
				password: mail.password,
				host: mail.host,
				port: mail.imapPort,
				secure: false,
				allowUnauthorizedCerts: false,
			},
		},
		{
			id: 'kaleyraSmtp01',
			name: 'Onboarding mail (SMTP)',
			type: 'smtp',
			data: {
				user: mail.smtpAuth.user,
				password: mail.smtpAuth.password,
				host: mail.host,
				port: mail.smtpPort,
				secure: false,
				disableStartTls: true,
			},
		},
	];
}

/**
 * The Basic Auth login the onboarding forms ask for: a form that adds a number or sends a code
 * must not be open to anyone with its address. A new random password for each process (a test
 * file, a sandbox run), which the sandbox prints.
 */
export const FORM_LOGIN = { user: 'onboarding', password: randomBytes(12).toString('base64url') };

export function formCredential(login = FORM_LOGIN) {
	return {
		id: 'kaleyraForm01',
		name: 'Onboarding form (Basic Auth)',
		type: 'httpBasicAuth',
		data: { user: login.user, password: login.password },
	};
}
