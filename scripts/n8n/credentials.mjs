// The Kaleyra credential the examples refer to (id kaleyraSandbox01), pointed at a base URL
// such as the emulator's, in the form `n8n import:credentials` takes (plain-text data).
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
