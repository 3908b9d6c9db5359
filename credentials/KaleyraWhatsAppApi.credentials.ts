import type {
	IAuthenticateGeneric,
	ICredentialTestRequest,
	ICredentialType,
	Icon,
	INodeProperties,
} from 'n8n-workflow';

/** Kaleyra's API domain per region ("pod"), from Kaleyra's WhatsApp API pages. */
export const KALEYRA_REGION_BASE_URLS = {
	in: 'https://api.in.kaleyra.io',
	sg: 'https://api.ap.kaleyra.io',
	eu: 'https://api.eu.kaleyra.io',
	na: 'https://api.na.kaleyra.io',
} as const;

// The same choice as an n8n expression, for the credential test's base URL.
const BASE_URL_EXPRESSION = `={{ $credentials.region === "custom" ? String($credentials.baseUrl).replace(/\\/+$/, "") : ${JSON.stringify(
	KALEYRA_REGION_BASE_URLS,
)}[$credentials.region] }}`;

const INVALID_CREDENTIALS_MESSAGE =
	'Kaleyra answered RBC001 (incorrect SID or API key). Check the SID, the API key, and that the region matches your Kaleyra account: a wrong region answers the same way. A key limited to whitelisted IPs must allow this n8n server.';

export class KaleyraWhatsAppApi implements ICredentialType {
	name = 'kaleyraWhatsAppApi';

	displayName = 'Kaleyra WhatsApp API';

	icon: Icon = {
		light: 'file:../icons/kaleyraWhatsApp.svg',
		dark: 'file:../icons/kaleyraWhatsApp.dark.svg',
	};

	documentationUrl =
		'https://github.com/kaleyra-whatsapp-n8n/n8n-nodes-kaleyra-whatsapp#credentials';

	properties: INodeProperties[] = [
		{
			displayName: 'Region',
			name: 'region',
			type: 'options',
			options: [
				{ name: 'India (api.in.kaleyra.io)', value: 'in' },
				{ name: 'Singapore (api.ap.kaleyra.io)', value: 'sg' },
				{ name: 'Europe (api.eu.kaleyra.io)', value: 'eu' },
				{ name: 'North America (api.na.kaleyra.io)', value: 'na' },
				{ name: 'Custom Base URL', value: 'custom' },
			],
			default: 'in',
			description:
				'The Kaleyra pod your account lives on, shown with the SID under Developers → API Keys in kaleyra.io. Choose Custom for a proxy or a test server.',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: '',
			placeholder: 'https://api.in.kaleyra.io',
			description: 'Scheme and host, without /v2 or the SID',
			required: true,
			displayOptions: { show: { region: ['custom'] } },
		},
		{
			displayName: 'SID',
			name: 'sid',
			type: 'string',
			default: '',
			placeholder: 'HXAP16XXXXXX97IN',
			description: 'Account SID, shown next to the API key under Developers → API Keys in kaleyra.io',
			required: true,
		},
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description: 'An API key made under Developers → API Keys in kaleyra.io',
			required: true,
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				'api-key': '={{$credentials.apiKey}}',
			},
		},
	};

	// Lists the numbers of WABA "0", which no account owns: a good key gets WA401,
	// a bad SID, key or region gets RBC001. Status errors are read as bodies so
	// the two can be told apart.
	test: ICredentialTestRequest = {
		request: {
			baseURL: BASE_URL_EXPRESSION,
			url: '=/v2/{{ encodeURIComponent($credentials.sid) }}/whatsapp/0/number',
			method: 'GET',
			json: true,
			ignoreHttpStatusErrors: true,
		},
		rules: [
			{
				type: 'responseSuccessBody',
				properties: { key: 'code', value: 'RBC001', message: INVALID_CREDENTIALS_MESSAGE },
			},
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'code',
					value: undefined,
					message:
						'The server at this base URL did not answer like Kaleyra. Check the region or the custom base URL.',
				},
			},
		],
	};
}
