import type {
	IAuthenticateRuleResponseCode,
	IAuthenticateRuleResponseSuccessBody,
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestOptions,
	Icon,
	INodeProperties,
} from 'n8n-workflow';

import { accountUrlOf } from './kaleyraAccountUrl';

export { KALEYRA_REGION_BASE_URLS } from './kaleyraAccountUrl';

const INVALID_CREDENTIALS_MESSAGE =
	'Kaleyra answered RBC001 (incorrect SID or API key). Check the SID, the API key, and that the region matches your Kaleyra account: a wrong region answers the same way. A key limited to whitelisted IPs must allow this n8n server.';

const NOT_KALEYRA_MESSAGE =
	"The server at this base URL did not answer like Kaleyra: its answer carries no Kaleyra code (an HTML page, another API or an empty body). Check the region, or that the custom base URL leads to Kaleyra's API.";

const NOT_PROOF_MESSAGE =
	"The server at this base URL answered with a code, but not with Kaleyra's WA401 for WABA 0, the answer that proves the SID and API key: an unknown route (e.g. WA404 or E404) or another API. Check the region, or that the custom base URL, with any path prefix, leads to Kaleyra's /v2/<SID>/… API.";

// Kaleyra's API does not redirect. These statuses are made to fail (they are not read as
// bodies), and the request never follows them, so the api-key header goes nowhere else.
const REDIRECT_STATUSES = [300, 301, 302, 303, 305, 307, 308];

// Statuses that say nothing about the SID or key but that a gateway or Kaleyra may send.
const UNAVAILABLE_STATUSES = [429, 500, 502, 503, 504];

const redirectMessage = (status: number) =>
	`The base URL answered with a redirect (HTTP ${status}). Redirects are never followed, so the API key went nowhere else. Kaleyra's API does not redirect: check the region, or give the custom base URL's final address.`;

const unavailableMessage = (status: number) =>
	`The base URL answered HTTP ${status} (${status === 429 ? 'too many requests' : 'server error'}), which says nothing about the SID or API key. Try the test again in a minute; if it persists, check the region or the custom base URL.`;

// Applied when the request fails with one of the statuses above.
const STATUS_RULES: IAuthenticateRuleResponseCode[] = [
	...REDIRECT_STATUSES.map((status) => ({
		type: 'responseCode' as const,
		properties: { value: status, message: redirectMessage(status) },
	})),
	...UNAVAILABLE_STATUSES.map((status) => ({
		type: 'responseCode' as const,
		properties: { value: status, message: unavailableMessage(status) },
	})),
];

// Applied, first match wins, to any other answer read as a body. Only Kaleyra's WA401 for WABA
// 0 passes: a code other than RBC001 and an error naming waba_id.
const BODY_RULES: IAuthenticateRuleResponseSuccessBody[] = [
	{
		type: 'responseSuccessBody',
		properties: { key: 'code', value: 'RBC001', message: INVALID_CREDENTIALS_MESSAGE },
	},
	{
		type: 'responseSuccessBody',
		properties: { key: 'code', value: undefined, message: NOT_KALEYRA_MESSAGE },
	},
	{
		type: 'responseSuccessBody',
		properties: { key: 'error.waba_id', value: undefined, message: NOT_PROOF_MESSAGE },
	},
];

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
			placeholder: 'e.g. https://kaleyra-proxy.example.com',
			description:
				'Scheme (http or https) and host, optionally followed by a path prefix for a proxy (e.g. https://proxy.example.com/kaleyra), without /v2 or the SID. No query (?), fragment (#) or user:password@. Spaces around it and trailing slashes are dropped.',
			required: true,
			displayOptions: { show: { region: ['custom'] } },
		},
		{
			displayName: 'SID',
			name: 'sid',
			type: 'string',
			default: '',
			placeholder: 'e.g. HXAP16XXXXXX97IN',
			description:
				'Account SID, letters and digits only, shown next to the API key under Developers → API Keys in kaleyra.io',
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

	/**
	 * Sets the api-key header, and for a relative URL (the credential test's) the account URL as
	 * base. The node sends absolute URLs, built once per run by the same accountUrlOf, so they
	 * are left alone. A credential that cannot give a URL throws its InvalidCredentialError,
	 * whose message the credential test shows.
	 */
	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		// '/path' only: '//host/path' is absolute to axios, which would then ignore baseURL.
		const url = typeof requestOptions.url === 'string' ? requestOptions.url : '';
		const relative = url.startsWith('/') && !url.startsWith('//');
		return {
			...requestOptions,
			...(relative ? { baseURL: accountUrlOf(credentials) } : {}),
			headers: { ...requestOptions.headers, 'api-key': String(credentials.apiKey ?? '') },
		};
	}

	// Lists the numbers of WABA "0", which no account owns: a good SID and key get WA401, whose
	// error names waba_id; a bad SID, key or region gets RBC001. Other statuses are read as
	// bodies so the two can be told apart; redirects and gateway trouble fail by status.
	test: ICredentialTestRequest = {
		request: {
			url: '/whatsapp/0/number',
			method: 'GET',
			json: true,
			disableFollowRedirect: true,
			ignoreHttpStatusErrors: {
				ignore: true,
				except: [...REDIRECT_STATUSES, ...UNAVAILABLE_STATUSES],
			},
		},
		// n8n's CredentialsTester reads every rule by its own type (responseCode on a failed
		// request, responseSuccessBody on a body), but ICredentialTestRequest types the list as
		// one kind or the other: hence the widening.
		rules: [...STATUS_RULES, ...BODY_RULES] as ICredentialTestRequest['rules'],
	};
}
