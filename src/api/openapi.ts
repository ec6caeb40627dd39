/**
 * The OpenAPI 3.1 document, generated from the same zod schemas the routes
 * parse with (request bodies, queries), so the document cannot drift from
 * what the API accepts. Response shapes the domain keeps as TypeScript types
 * (the commitment view) get a schema here, built from the domain's pieces.
 *
 * A test walks the app's registered routes and fails when one is missing here.
 */
import { OpenAPIRegistry, OpenApiGeneratorV31, type RouteConfig } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { CancelInputSchema, CommitmentInputSchema, CommitmentPatchSchema, CompleteInputSchema, EvidenceSchema, ReopenInputSchema, SlugSchema } from '../domain/commitment.js';
import { DueSchema } from '../domain/deadline.js';
import { MeetingFileSchema, MeetingSchema } from '../domain/meeting.js';
import { PartyIdSchema, PartyPatchSchema, PartySchema } from '../domain/party.js';
import { ReminderPolicySchema } from '../domain/reminder-policy.js';
import { StatusSchema } from '../domain/status.js';
import { ListQuerySchema } from './routes/commitments.js';
import { GetQuery as DigestGetQuery, ListQuery as DigestListQuery, PreviewQuery as DigestPreviewQuery, SendBody as DigestSendBody } from './routes/digest.js';
import { ListQuery as RemindersListQuery } from './routes/reminders.js';
import { StatusPageQuerySchema } from './routes/status-page.js';

const Problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })),
  })
  .meta({ id: 'Problem', description: 'Every error: application/problem+json naming the bad fields.' });

const CommitmentView = z
  .object({
    id: SlugSchema,
    meetingId: SlugSchema,
    title: z.string(),
    sourceText: z.string(),
    theme: z.string().nullable(),
    leads: z.array(PartyIdSchema),
    members: z.array(PartyIdSchema),
    due: DueSchema,
    dueAt: z.string().nullable().describe('The instant the deadline ends (UTC), derived from due'),
    target: z.object({ units: z.number().int(), done: z.number().int() }).optional(),
    status: StatusSchema,
    overdue: z.boolean().describe('Derived from the deadline and the clock'),
    evidence: z.array(EvidenceSchema),
    cancellation: z.object({ reason: z.string(), by: z.string(), at: z.string() }).nullable(),
    reminderPolicy: ReminderPolicySchema.nullable(),
    dueVersion: z.number().int().describe('Goes up whenever the deadline moves'),
    version: z.number().int(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Commitment' });

const CommitmentId = z.object({ id: SlugSchema });
const PartyId = z.object({ id: PartyIdSchema });
const Json = (schema: z.ZodType, description = 'OK') => ({ description, content: { 'application/json': { schema } } });
const Text = (type: string, description: string) => ({ description, content: { [type]: { schema: z.string() } } });
const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: Problem } } });
const anyJson = z.record(z.string(), z.unknown());

type Access = 'public' | 'bearer' | 'admin' | 'writer' | 'feed-token' | 'metrics';
const security: Record<Access, RouteConfig['security']> = {
  public: [],
  bearer: [{ bearer: [] }],
  admin: [{ bearer: [] }],
  writer: [{ bearer: [] }],
  'feed-token': [],
  metrics: [{ bearer: [] }],
};
const note: Record<Access, string> = {
  public: 'No authentication.',
  bearer: 'Any API token (editors see only their parties).',
  admin: 'Admin token only.',
  writer: 'Admin, or an editor scoped to a party of the commitment (to an editor, any other commitment is 404, as if it did not exist).',
  'feed-token': 'The read-only feed token in the URL (from GET /v1/parties/{id}/calendar-url).',
  metrics: 'METRICS_TOKEN, or an admin token when it is unset; absent when METRICS_PORT moves it to its own port.',
};

/** Build the document. `baseUrl` becomes the one server entry. */
export function buildOpenApiDocument(baseUrl: string) {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer', description: 'Authorization: Bearer <token> (API_TOKENS, or the generated admin token)' });

  const add = (method: RouteConfig['method'], path: string, tag: string, access: Access, summary: string, rest: Partial<RouteConfig> = {}) => {
    const errors = {
      ...(access === 'public' ? {} : { 401: problem('No or an invalid credential'), 403: problem('The role or party scope does not allow this') }),
      400: problem('Bad input; every bad field is named'),
      // Health checks sit before the rate limits (src/api/rate-limit.ts); every other route is behind one.
      ...(path === '/healthz' || path === '/readyz' ? {} : { 429: problem('Too many requests (per token, per address, or failed sign-ins per address); see Retry-After') }),
    };
    registry.registerPath({
      method,
      path,
      tags: [tag],
      summary,
      description: `${rest.description ? `${rest.description}\n\n` : ''}Access: ${note[access]}`,
      security: security[access] ?? [],
      ...rest,
      responses: { ...errors, ...(rest.responses ?? { 200: { description: 'OK' } }) },
    });
  };
  const body = (schema: z.ZodType, type = 'application/json') => ({ body: { required: true, content: { [type]: { schema } } } });

  // Operations
  add('get', '/healthz', 'Operations', 'public', 'Liveness: the process is up', { responses: { 200: Json(z.object({ status: z.literal('ok') })) } });
  add('get', '/readyz', 'Operations', 'public', 'Readiness: Redis answers', { responses: { 200: Json(anyJson), 503: problem('Redis is not reachable') } });
  add('get', '/metrics', 'Operations', 'metrics', 'Prometheus metrics', { responses: { 200: Text('text/plain', 'Prometheus text format') } });
  add('get', '/openapi.json', 'Operations', 'public', 'This document', { responses: { 200: Json(anyJson) } });
  add('get', '/docs', 'Operations', 'public', 'These docs, as HTML', { responses: { 200: Text('text/html', 'HTML') } });
  add('get', '/admin/login', 'Operations', 'public', 'Exchange an admin token for a one-hour dashboard cookie', {
    request: { query: z.object({ token: z.string() }) },
    responses: { 303: { description: 'Cookie set; redirect to /admin/queues' }, 401: problem('Invalid token'), 403: problem('Not an admin token') },
  });
  add('get', '/admin/logout', 'Operations', 'public', 'Clear the session cookie', { responses: { 303: { description: 'Redirect to /' } } });
  add('get', '/admin/queues', 'Operations', 'admin', 'The BullMQ queue dashboard (bull-board); its JSON API lives under /admin/queues/api', {
    description: 'Admin bearer token, or the cookie from /admin/login.',
    responses: { 200: Text('text/html', 'The dashboard') },
  });

  // Status page and calendar
  add('get', '/', 'Status page', 'public', 'Read-only status page for officials', {
    description: 'Public, or (STATUS_PAGE=token) a bearer token or the cookie set by opening /?token=<token> once.',
    request: { query: StatusPageQuerySchema },
    responses: { 200: Text('text/html', 'The page'), 303: { description: 'After ?token=: cookie set, redirect without the token' } },
  });
  add('get', '/v1/calendar.ics', 'Calendar', 'bearer', 'iCalendar feed of every deadline', { responses: { 200: Text('text/calendar', 'RFC 5545; UID = id@host, SEQUENCE = dueVersion') } });
  add('get', '/v1/calendar/{party}.ics', 'Calendar', 'feed-token', 'iCalendar feed of one party’s deadlines', {
    request: { params: z.object({ party: PartyIdSchema }), query: z.object({ token: z.string() }) },
    responses: { 200: Text('text/calendar', 'RFC 5545'), 401: problem('Missing or wrong feed token') },
  });
  add('get', '/v1/parties/{party}/calendar-url', 'Calendar', 'admin', 'The feed URL of a party (with its feed token)', {
    request: { params: z.object({ party: PartyIdSchema }) },
    responses: { 200: Json(z.object({ party: PartyIdSchema, url: z.string(), webcal: z.string() })), 404: problem('Unknown party') },
  });

  // Commitments
  const one = { 200: Json(CommitmentView), 404: problem('No such commitment'), 409: problem('Illegal transition or conflict'), 412: problem('If-Match names a stale version') };
  add('get', '/v1/commitments', 'Commitments', 'bearer', 'List and filter commitments', { request: { query: ListQuerySchema }, responses: { 200: Json(z.object({ items: z.array(CommitmentView), nextCursor: z.string().nullable() })) } });
  add('post', '/v1/commitments', 'Commitments', 'admin', 'Create a commitment', { request: body(CommitmentInputSchema), responses: { 201: Json(CommitmentView, 'Created'), 409: problem('The id is taken') } });
  add('get', '/v1/commitments/{id}', 'Commitments', 'bearer', 'Read a commitment (ETag = version)', { request: { params: CommitmentId }, responses: { 200: Json(CommitmentView), 404: problem('No such commitment') } });
  add('patch', '/v1/commitments/{id}', 'Commitments', 'writer', 'Change a commitment; send If-Match to guard against lost updates', { request: { params: CommitmentId, ...body(CommitmentPatchSchema) }, responses: one });
  add('post', '/v1/commitments/{id}/complete', 'Commitments', 'writer', 'Record completion evidence (one unit of a multi-unit target)', { request: { params: CommitmentId, ...body(CompleteInputSchema) }, responses: one });
  add('post', '/v1/commitments/{id}/reopen', 'Commitments', 'writer', 'Reopen a done commitment', { request: { params: CommitmentId, body: { content: { 'application/json': { schema: ReopenInputSchema } } } }, responses: one });
  add('post', '/v1/commitments/{id}/cancel', 'Commitments', 'writer', 'Cancel a commitment', { request: { params: CommitmentId, ...body(CancelInputSchema) }, responses: one });
  add('get', '/v1/commitments/{id}/history', 'Commitments', 'bearer', 'The commitment’s domain events', { request: { params: CommitmentId }, responses: { 200: Json(z.object({ items: z.array(anyJson) })), 404: problem('No such commitment') } });

  // Reminders
  add('get', '/v1/commitments/{id}/reminders', 'Reminders', 'bearer', 'The reminder plan of a commitment with each recipient’s delivery state', { request: { params: CommitmentId }, responses: { 200: Json(anyJson), 404: problem('No such commitment') } });
  add('get', '/v1/reminders', 'Reminders', 'bearer', 'Failed or sent reminder deliveries', { request: { query: RemindersListQuery }, responses: { 200: Json(anyJson) } });
  add('post', '/v1/reminders/{sendId}/retry', 'Reminders', 'admin', 'Retry a failed reminder send now', { request: { params: z.object({ sendId: z.string() }) }, responses: { 200: Json(anyJson), 202: Json(anyJson, 'Enqueued'), 404: problem('No such send'), 409: problem('Nothing to retry') } });
  add('get', '/actions/done', 'Reminders', 'public', 'One-click link from a reminder: asks to confirm completion', { description: 'The signed action token in the URL is the credential.', request: { query: z.object({ token: z.string() }) }, responses: { 200: Text('text/html', 'Confirmation form') } });
  add('post', '/actions/done', 'Reminders', 'public', 'Confirm completion from a reminder link', {
    description: 'The signed action token in the form is the credential.',
    request: body(z.object({ token: z.string(), note: z.string().optional() }), 'application/x-www-form-urlencoded'),
    responses: { 200: Text('text/html', 'Done') },
  });

  // Parties and meetings
  add('get', '/v1/parties', 'Parties and meetings', 'bearer', 'List parties', { responses: { 200: Json(z.object({ items: z.array(PartySchema) })) } });
  add('post', '/v1/parties', 'Parties and meetings', 'admin', 'Create a party', { request: body(PartySchema), responses: { 201: Json(PartySchema, 'Created'), 409: problem('The id is taken') } });
  add('get', '/v1/parties/{id}', 'Parties and meetings', 'bearer', 'Read a party', { request: { params: PartyId }, responses: { 200: Json(PartySchema), 404: problem('No such party') } });
  add('patch', '/v1/parties/{id}', 'Parties and meetings', 'writer', 'Change a party (editors: contacts and time zone of their own parties)', { request: { params: PartyId, ...body(PartyPatchSchema) }, responses: { 200: Json(PartySchema), 404: problem('No such party') } });
  add('get', '/v1/meetings', 'Parties and meetings', 'bearer', 'List meetings', { responses: { 200: Json(z.object({ items: z.array(MeetingSchema) })) } });
  add('get', '/v1/meetings/{id}', 'Parties and meetings', 'bearer', 'Read a meeting with its commitment ids', { request: { params: z.object({ id: SlugSchema }) }, responses: { 200: Json(anyJson), 404: problem('No such meeting') } });
  add('post', '/v1/meetings/import', 'Parties and meetings', 'admin', 'Import a meeting file (idempotent; nothing loads when any field is wrong)', { request: body(MeetingFileSchema), responses: { 200: Json(anyJson, 'Already present'), 201: Json(anyJson, 'Created'), 413: problem('Larger than 10 MB') } });
  add('get', '/v1/status', 'Parties and meetings', 'bearer', 'Counts by status, overall and per party', { responses: { 200: Json(anyJson) } });

  // Digest
  add('get', '/v1/digest/preview', 'Digest', 'bearer', 'Preview the next digest without sending it', { request: { query: DigestPreviewQuery }, responses: { 200: { description: 'The digest', content: { 'text/html': { schema: z.string() }, 'text/plain': { schema: z.string() }, 'application/json': { schema: anyJson } } } } });
  add('post', '/v1/digest/send', 'Digest', 'admin', 'Send a digest now (Idempotency-Key header required)', { request: { headers: z.object({ 'idempotency-key': z.string().optional() }), body: { content: { 'application/json': { schema: DigestSendBody } } } }, responses: { 200: Json(anyJson, 'Replayed'), 202: Json(anyJson, 'Enqueued'), 409: problem('Key reused with another body, or no recipients') } });
  add('get', '/v1/digests', 'Digest', 'bearer', 'Archive of sent digests', { request: { query: DigestListQuery }, responses: { 200: Json(anyJson) } });
  add('get', '/v1/digests/{id}', 'Digest', 'bearer', 'One archived digest', { request: { params: z.object({ id: z.string() }), query: DigestGetQuery }, responses: { 200: Json(anyJson), 404: problem('No such digest') } });

  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Follow-up API',
      version: '1.0.0',
      description: 'Commitments of a meeting, their deadlines, reminders and digests. Errors are application/problem+json naming every bad field.',
    },
    servers: [{ url: baseUrl }],
    tags: ['Commitments', 'Reminders', 'Digest', 'Parties and meetings', 'Calendar', 'Status page', 'Operations'].map((name) => ({ name })),
  });
}
export type OpenApiDocument = ReturnType<typeof buildOpenApiDocument>;
